"""The applicant profile: a Pydantic model built from the field catalog, and loading profile files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from ..base.problems import InputError, Problem
from .catalog import DATE_FORMATS, YES_NO, FieldSpec, catalog, date_text
from .history import HISTORY, Received, parse_received
from .yamlsource import MESSAGES_ZH, Located, load_located, read_text

MAX_MONEY = Decimal("1e13")  # 10万亿元: far above any real figure, well below what breaks arithmetic
MAX_COUNT = 999_999_999  # people, units: the largest count a batch list accepts too (9 digits)
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
LIST_SEPARATORS = re.compile(r"[、，,；;|/\r\n]+")  # a line break: Excel's Alt+Enter in a cell
NONE_WORDS = ("无", "没有", "none", "None")  # "none of them", as a batch list cell says it too
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate (from a \ud800 escape) cannot be printed or saved


def mask_id(value: str) -> str:
    """Mask a personal ID or phone number: keep the first 3 and last 2 characters."""
    text = str(value)
    if len(text) <= 5:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def _python_type(spec: FieldSpec) -> Any:
    return {
        "text": str,
        "bool": bool,
        "int": int,
        "money": Decimal,
        "number": Decimal,
        "date": dt.date,
        "one_of": str,
        "set_of": frozenset[str],
    }[spec.type]


class ProfileBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def get(self, name: str) -> Any:
        return getattr(self, name, None)

    def known(self) -> dict[str, Any]:
        # the values themselves (model_dump would turn the history's entries into dicts)
        return {k: v for k in type(self).model_fields if (v := getattr(self, k)) is not None}


def _check_value(spec: FieldSpec, value: Any) -> Any:
    """Type-specific rules beyond Pydantic's parsing: vocabularies, finite and sane numbers and dates."""
    if value is None:
        return None
    if spec.type in ("one_of", "set_of"):
        vocab = catalog().vocabularies[spec.vocabulary]
        items = [value] if spec.type == "one_of" else value
        codes = []
        for item in items:
            code = vocab.normalise(item)
            if code is None:
                allowed = "、".join(f"{c}（{z}）" for c, z in vocab.labels.items())
                raise ValueError(f"{item!r} 不是可选值；可选: {allowed}")
            codes.append(code)
        return codes[0] if spec.type == "one_of" else frozenset(codes)
    if spec.type in ("money", "number"):
        if not value.is_finite():
            raise ValueError("应为有限数字（不能是 NaN 或无穷大）")
        if abs(value) > MAX_MONEY:
            raise ValueError(f"数值过大（上限 {MAX_MONEY:,.0f}）")
        if spec.type == "money" and value < 0:
            raise ValueError("金额不能为负数")
        if spec.type == "money" and value != value.quantize(Decimal("0.01")):
            raise ValueError("金额最多保留两位小数（到分）")
    if spec.type == "int" and value < 0:
        raise ValueError("人数/数量不能为负数")
    if spec.type == "int" and value > MAX_COUNT:
        raise ValueError(f"数值过大（上限 {MAX_COUNT:,}）")
    if spec.type == "text" and _SURROGATE.search(value):
        raise ValueError("含有无效的 Unicode 字符（单独的代理项）")
    if spec.type == "date" and not (MIN_DATE <= value <= MAX_DATE):
        raise ValueError(f"日期应在 {MIN_DATE} 至 {MAX_DATE} 之间")
    return value


def _date_spelling(value: Any) -> Any:
    """A date written as people write it (2023/6/30, 2023年6月30日, 20230630) — the spellings a batch list
    accepts too. Anything else is left for Pydantic to judge and report."""
    if not isinstance(value, str):
        return value
    text = date_text(value)
    for form in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return value


def _no_guessing(spec: FieldSpec, value: Any) -> Any:
    """Values Pydantic would quietly convert into something else: true as the count 1, a number as a date
    (seconds since 1970). They are type errors, reported as such."""
    if spec.type in ("int", "money", "number") and isinstance(value, bool):
        raise ValueError("应为数字，不是 true/false")
    if spec.type == "date" and isinstance(value, bool):
        raise ValueError("应为日期 YYYY-MM-DD，不是 true/false")
    if spec.type == "date" and isinstance(value, (int, float, Decimal)):
        text = str(value)
        if re.fullmatch(r"(19|20|21)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", text):
            raise ValueError(f"应为日期，写作 {text[:4]}-{text[4:6]}-{text[6:]}（YYYY-MM-DD）")
        raise ValueError("应为日期 YYYY-MM-DD，不是数字")
    return value


def _split_list(value: Any) -> Any:
    if isinstance(value, str) and value.strip() in NONE_WORDS:
        return []
    if isinstance(value, str):
        return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]
    return value


@lru_cache(maxsize=1)
def profile_model() -> type[ProfileBase]:
    cat = catalog()
    definitions: dict[str, Any] = {}
    validators: dict[str, Any] = {}
    for name, spec in cat.fields.items():
        if name == HISTORY:  # a list of entries, not a text (history.py)
            definitions[name] = (Optional[tuple[Received, ...]],
                                 Field(None, title=spec.zh, description=f"{spec.zh} / {spec.en}"))

            def entries(cls, value):
                return parse_received(value) or None

            validators["_history"] = field_validator(name, mode="before")(classmethod(entries))
            continue
        definitions[name] = (
            Optional[_python_type(spec)],
            Field(None, title=spec.zh, description=f"{spec.zh} / {spec.en}"),
        )

        def check(cls, value, _spec=spec):
            return _check_value(_spec, value)

        validators[f"_check_{name}"] = field_validator(name)(classmethod(check))
        if spec.type in ("int", "money", "number", "date"):
            def strict(cls, value, _spec=spec):
                return _no_guessing(_spec, _date_spelling(value) if _spec.type == "date" else value)

            validators[f"_strict_{name}"] = field_validator(name, mode="before")(classmethod(strict))
        if spec.type == "bool":
            def yes_no(cls, value):
                return YES_NO.get(value.strip(), value) if isinstance(value, str) else value

            validators[f"_yes_no_{name}"] = field_validator(name, mode="before")(classmethod(yes_no))
        if spec.type == "set_of":
            def split(cls, value):
                return _split_list(value)

            validators[f"_split_{name}"] = field_validator(name, mode="before")(classmethod(split))
    return create_model("Profile", __base__=ProfileBase, __validators__=validators, **definitions)


def canonical_keys(data: dict, file: str, located: Located | None = None) -> tuple[dict, dict, list[Problem]]:
    """Map Chinese names and aliases to field names; report unknown or repeated fields."""
    cat = catalog()
    out: dict[str, Any] = {}
    original: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        name = cat.resolve(str(key))
        if name is None:
            suggestion = cat.suggest(str(key))
            hint = f"是否想写 {suggestion}（{cat.fields[suggestion].zh}）？" if suggestion else "可用字段见 chuangye fields"
            problems.append(_problem(located, file, (key,), f"未知字段 {key!r}", hint))
            continue
        if name in out:
            problems.append(_problem(located, file, (key,), f"字段 {key!r} 与 {original[name]!r} 重复"))
            continue
        out[name] = value
        original[name] = key
    return out, original, problems


def _problem(located, file, path, message, hint=None) -> Problem:
    return located.problem(path, message, hint) if located else Problem(file, None, None, message, hint)


def validation_problems(error: ValidationError, original: dict, file: str, located: Located | None,
                        values: dict) -> list[Problem]:
    cat = catalog()
    problems = []
    for item in error.errors(include_url=False):
        name = item["loc"][0] if item["loc"] else None
        spec = cat.fields.get(name)
        key = original.get(name, name)
        label = f"{key}" + (f"（{spec.zh}）" if spec and spec.zh != key else "")
        raw = values.get(name)
        shown = _short(mask_id(raw) if spec and spec.personal else raw)
        message = (MESSAGES_ZH.get(item["type"]) if item["type"] != "value_error" else None) or item["msg"].removeprefix("Value error, ")
        if item["type"] in ("date_parsing", "date_from_datetime_parsing") and isinstance(raw, str) \
                and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", raw):
            message = "这一天不存在（检查月份和日期，如 2 月没有 30 日）"
        expected = {"bool": "是/否（或 true/false）", "int": "整数", "money": "金额（元）", "number": "数字",
                    "date": "日期，如 2023-07-01（也可 2023/7/1、2023年7月1日）",
                    "text": "文本"}.get(spec.type if spec else "", "")
        parse_error = item["type"] != "value_error" and message.startswith("应为")
        if expected and parse_error and spec.type in ("bool", "date"):
            message = f"应为{expected}"  # a profile takes the same spellings as a batch list: say them
        hint = f"应为{expected}" if expected and not message.startswith("应为") else None
        problem = _problem(located, file, (key,), f"字段 {label} 的值 {shown!r} 无效：{message}", hint)
        problems.append(dataclasses.replace(problem, field=str(name)) if name is not None else problem)
    return problems


class _Shown(str):
    def __repr__(self) -> str:
        return str(self)


def _short(value: Any, width: int = 60) -> Any:
    """A value as a message quotes it: a huge value is cut, so one bad cell cannot flood the screen."""
    text = repr(value)
    return value if len(text) <= width else _Shown(text[: width - 1] + "…")


def parse_profile(data: Any, file: str = "<profile>", located: Located | None = None) -> ProfileBase:
    """Validate a mapping of facts into a Profile; raises InputError naming the field (and line)."""
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise InputError([Problem(file, 1, 1, f"申请人信息应为“字段: 值”的映射，而不是 {kind}")])
    values, original, problems = canonical_keys(data, file, located)
    if not problems:
        try:
            return profile_model().model_validate(values)
        except ValidationError as error:
            problems = validation_problems(error, original, file, located, values)
    raise InputError(problems)


def load_profile(path: "Path | str | Mapping[str, Any]") -> ProfileBase:
    """Read a YAML or JSON profile file — or take a dict of facts, as a notebook has them."""
    if isinstance(path, Mapping):
        return parse_profile(dict(path))
    path = Path(path)
    text = read_text(path, "申请人信息")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError([Problem(str(path), error.lineno, error.colno, f"JSON 语法错误: {error.msg}")]) from None
        except RecursionError:
            raise InputError([Problem(str(path), None, None, "JSON 嵌套过深，没有继续读取")]) from None
        except ValueError as error:  # e.g. an integer of thousands of digits
            raise InputError([Problem(str(path), None, None, f"JSON 无法读取：数字过长或取值无效（{str(error)[:80]}）")]) from None
        return parse_profile(data, str(path))
    located = load_located(text, str(path))
    return parse_profile(located.data, str(path), located)


def to_decimal(value: Any) -> Decimal:
    """Rulebook literals come from YAML as int/float: go through str so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
