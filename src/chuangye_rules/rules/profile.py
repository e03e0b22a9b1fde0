"""The applicant profile: a Pydantic model built from the field catalog, and loading profile files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, create_model, field_validator

from ..base.messages import Invalid, Text, written
from ..base.privacy import mask_id
from ..base.problems import InputError, Problem, make_problem
from .catalog import FieldSpec, catalog
from .history import HISTORY
from .received import Received, parse_received
from .values import canonical_keys, checked, located_problem, prepared, read_profile_file
from .yamlsource import MESSAGES_EN, MESSAGES_ZH, Located


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


def _spec(info: ValidationInfo) -> FieldSpec:
    return catalog().fields[info.field_name]


def _before(value: Any, info: ValidationInfo) -> Any:
    return prepared(_spec(info), value)


def _after(value: Any, info: ValidationInfo) -> Any:
    return checked(_spec(info), value)


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
        problem = located_problem(located, file, (key,), Text(f"字段 {label.zh} 的值 {shown!r} 无效：{message.zh}",
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
    data, located = read_profile_file(path)
    return parse_profile(data, str(path), located)
