"""The applicant profile: a Pydantic model built from the field catalog, and loading profile files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, create_model, field_validator

from ..base.messages import Invalid, Text, written
from ..base.problems import InputError, Problem, make_problem
from .catalog import DATE_FORMATS, YES_NO, FieldSpec, catalog, date_text
from .history import HISTORY, Received, parse_received
from .yamlsource import MESSAGES_EN, MESSAGES_ZH, Located, load_located, read_text

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

    def __eq__(self, other: object) -> bool:  # the same facts, whichever model validated them (_model_for)
        return isinstance(other, ProfileBase) and self.known() == other.known()

    def __hash__(self) -> int:
        return hash(frozenset(self.known().items()))


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
                raise Invalid(f"{item!r} 不是可选值；可选: {allowed}",
                              f"{item!r} is not one of the choices; choose from: {', '.join(vocab.labels)}")
            codes.append(code)
        return codes[0] if spec.type == "one_of" else frozenset(codes)
    if spec.type in ("money", "number"):
        if not value.is_finite():
            raise Invalid("应为有限数字（不能是 NaN 或无穷大）", "should be a finite number (not NaN or infinity)")
        if abs(value) > MAX_MONEY:
            raise Invalid(f"数值过大（上限 {MAX_MONEY:,.0f}）", f"the number is too large (at most {MAX_MONEY:,.0f})")
        if spec.type == "money" and value < 0:
            raise Invalid("金额不能为负数", "an amount cannot be negative")
        if spec.type == "money" and value != value.quantize(Decimal("0.01")):
            raise Invalid("金额最多保留两位小数（到分）", "an amount has at most two decimal places (fen)")
    if spec.type == "int" and value < 0:
        raise Invalid("人数/数量不能为负数", "a count cannot be negative")
    if spec.type == "int" and value > MAX_COUNT:
        raise Invalid(f"数值过大（上限 {MAX_COUNT:,}）", f"the number is too large (at most {MAX_COUNT:,})")
    if spec.type == "text" and _SURROGATE.search(value):
        raise Invalid("含有无效的 Unicode 字符（单独的代理项）", "contains an invalid Unicode character (a lone surrogate)")
    if spec.type == "date" and not (MIN_DATE <= value <= MAX_DATE):
        raise Invalid(f"日期应在 {MIN_DATE} 至 {MAX_DATE} 之间", f"the date should be between {MIN_DATE} and {MAX_DATE}")
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
        raise Invalid("应为数字，不是 true/false", "should be a number, not true/false")
    if spec.type == "date" and isinstance(value, bool):
        raise Invalid("应为日期 YYYY-MM-DD，不是 true/false", "should be a date YYYY-MM-DD, not true/false")
    if spec.type == "date" and isinstance(value, (int, float, Decimal)):
        text = str(value)
        if re.fullmatch(r"(19|20|21)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", text):
            raise Invalid(f"应为日期，写作 {text[:4]}-{text[4:6]}-{text[6:]}（YYYY-MM-DD）",
                          f"should be a date, written {text[:4]}-{text[4:6]}-{text[6:]} (YYYY-MM-DD)")
        raise Invalid("应为日期 YYYY-MM-DD，不是数字", "should be a date YYYY-MM-DD, not a number")
    return value


def _split_list(value: Any) -> Any:
    if isinstance(value, str) and value.strip() in NONE_WORDS:
        return []
    if isinstance(value, str):
        return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]
    return value


def _spec(info: ValidationInfo) -> FieldSpec:
    return catalog().fields[info.field_name]


def _before(value: Any, info: ValidationInfo) -> Any:
    """What a field's value goes through before Pydantic parses it: yes/no words, lists written as one text,
    date spellings, and the values Pydantic would otherwise guess at (true as 1, a number as a date)."""
    spec = _spec(info)
    if spec.type == "bool":
        return YES_NO.get(value.strip(), value) if isinstance(value, str) else value
    if spec.type == "set_of":
        return _split_list(value)
    if spec.type in ("int", "money", "number", "date"):
        return _no_guessing(spec, _date_spelling(value) if spec.type == "date" else value)
    return value


def _after(value: Any, info: ValidationInfo) -> Any:
    return _check_value(_spec(info), value)


def _history(value: Any) -> Any:
    return parse_received(value) or None


@lru_cache(maxsize=1)
def profile_model() -> type[ProfileBase]:
    """The Profile model: a field per catalog entry, and one validator before and one after parsing shared by all
    fields (each looks up its field's spec), which builds faster than one per field (bench/README.md)."""
    return _build(catalog().fields)


SUBSET_MODELS = 8  # the field sets validated by a model of their own before the whole model is built


@lru_cache(maxsize=SUBSET_MODELS)
def _subset_model(names: frozenset[str]) -> type[ProfileBase]:
    return _build([name for name in catalog().fields if name in names])


def _model_for(names: Iterable[str]) -> type[ProfileBase]:
    """The model that validates a profile of these fields. Building the whole model (some 120 fields) was a
    twentieth of `chuangye check`'s start; a profile names ten or so, and a model of just those builds in a few
    milliseconds. After SUBSET_MODELS different sets (a list, a server, a test), the whole model is built once
    and serves every profile. Profiles of either model are equal when their facts are (ProfileBase.__eq__)."""
    if profile_model.cache_info().currsize or _subset_model.cache_info().misses >= SUBSET_MODELS:
        return profile_model()
    return _subset_model(frozenset(names))


def _build(names: Iterable[str]) -> type[ProfileBase]:
    cat = catalog()
    definitions: dict[str, Any] = {}
    for name in names:
        spec = cat.fields[name]
        kind = Optional[tuple[Received, ...]] if name == HISTORY else Optional[_python_type(spec)]  # history.py
        definitions[name] = (kind, Field(None, title=spec.zh, description=f"{spec.zh} / {spec.en}"))
    facts = [name for name in definitions if name != HISTORY]
    validators = {}
    if facts:
        validators["_before"] = field_validator(*facts, mode="before")(_before)
        validators["_after"] = field_validator(*facts)(_after)
    if HISTORY in definitions:
        validators["_history"] = field_validator(HISTORY, mode="before")(_history)
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
            if suggestion:
                spec = cat.fields[suggestion]
                hint = Text(f"是否想写 {suggestion}（{spec.zh}）？", f"did you mean {suggestion} ({spec.en})?")
            else:
                hint = Text("可用字段见 chuangye fields", "chuangye fields lists the fields")
            problems.append(_problem(located, file, (key,), Text(f"未知字段 {key!r}", f"unknown field {key!r}"), hint))
            continue
        if name in out:
            problems.append(_problem(located, file, (key,), Text(
                f"字段 {key!r} 与 {original[name]!r} 重复", f"field {key!r} repeats {original[name]!r} (the same field, written twice)")))
            continue
        out[name] = value
        original[name] = key
    return out, original, problems


def _problem(located: Located | None, file: str, path: tuple, message: Text, hint: Text | None = None) -> Problem:
    return located.problem(path, message, hint) if located else make_problem(file, None, None, message, hint)


# What a field of each type takes, in the words of a profile's messages: "应为…" / "should be …"
EXPECTED = {
    "bool": Text("是/否（或 true/false）", "yes/no (or true/false)"),
    "int": Text("整数", "a whole number"),
    "money": Text("金额（元）", "an amount in yuan"),
    "number": Text("数字", "a number"),
    "date": Text("日期，如 2023-07-01（也可 2023/7/1、2023年7月1日）", "a date such as 2023-07-01 (or 2023/7/1, 2023年7月1日)"),
    "text": Text("文本", "text"),
}


def _reason(item: dict) -> Text:
    """Why Pydantic refused a value, in both languages: a validator's own Invalid, else the error type's words."""
    if item["type"] == "value_error":
        error = (item.get("ctx") or {}).get("error")
        if isinstance(error, Invalid):
            return error.text
        said = item["msg"].removeprefix("Value error, ")
        return Text(said, said)  # a ValueError with no English of its own (history.py's): as it was written
    zh = MESSAGES_ZH.get(item["type"]) or item["msg"]
    return Text(zh, MESSAGES_EN.get(item["type"]) or item["msg"])


def validation_problems(error: ValidationError, original: dict, file: str, located: Located | None,
                        values: dict) -> list[Problem]:
    cat = catalog()
    problems = []
    for item in error.errors(include_url=False):
        name = item["loc"][0] if item["loc"] else None
        spec = cat.fields.get(name)
        key = original.get(name, name)
        label = Text(f"{key}" + (f"（{spec.zh}）" if spec and spec.zh != key else ""),
                     f"{key}" + (f" ({spec.en})" if spec and spec.en != key else ""))
        raw = values.get(name)
        shown = _short(mask_id(raw) if spec and spec.personal else raw)
        message = _reason(item)
        if item["type"] in ("date_parsing", "date_from_datetime_parsing") and isinstance(raw, str) \
                and re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", raw):
            message = Text("这一天不存在（检查月份和日期，如 2 月没有 30 日）",
                           "there is no such day (check the month and the day: February has no 30th)")
        expected = EXPECTED.get(spec.type if spec else "")
        parse_error = item["type"] != "value_error" and message.zh.startswith("应为")
        if expected and parse_error and spec.type in ("bool", "date"):
            message = Text(f"应为{expected.zh}", f"should be {expected.en}")  # a profile takes a batch list's spellings: say them
        hint = Text(f"应为{expected.zh}", f"should be {expected.en}") if expected and not message.zh.startswith("应为") else None
        problem = _problem(located, file, (key,), Text(f"字段 {label.zh} 的值 {shown!r} 无效：{message.zh}",
                                                       f"field {label.en}: the value {shown!r} is not valid: {message.en}"), hint)
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
        what = "but it is empty" if data is None else f"not {written(data).en}"
        raise InputError([make_problem(file, 1, 1, Text(f"申请人信息应为“字段: 值”的映射，而不是 {kind}",
                                                        f"a profile should be a mapping of 'field: value' lines, {what}"))])
    values, original, problems = canonical_keys(data, file, located)
    if not problems:
        try:
            return _model_for(values).model_validate(values)
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
            raise InputError([make_problem(str(path), error.lineno, error.colno, Text(
                f"JSON 语法错误: {error.msg}", f"JSON syntax error: {error.msg}"))]) from None
        except RecursionError:
            raise InputError([make_problem(str(path), None, None, Text(
                "JSON 嵌套过深，没有继续读取", "the JSON is nested too deep; reading stopped"))]) from None
        except ValueError as error:  # e.g. an integer of thousands of digits
            raise InputError([make_problem(str(path), None, None, Text(
                f"JSON 无法读取：数字过长或取值无效（{str(error)[:80]}）",
                f"the JSON cannot be read: a number too long or an invalid value ({str(error)[:80]})"))]) from None
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
