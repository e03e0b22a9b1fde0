"""A profile's facts without Pydantic: the limits of a fact's value, what a value goes through before and after it is
parsed (yes/no words, lists written as one text, date spellings, vocabularies, sane numbers and dates), and a
profile's keys mapped to the catalog's fields. profile.py validates with these inside its Pydantic model; a value
that needs no parsing is checked with them alone (`plain_facts`), which is how `chuangye check` reads a profile
without importing Pydantic."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.messages import Invalid, Text
from ..base.problems import Problem, make_problem
from .catalog import DATE_FORMATS, YES_NO, FieldSpec, catalog, date_text

if TYPE_CHECKING:
    from .yamlsource import Located

MAX_MONEY = Decimal("1e13")  # 10万亿元: far above any real figure, well below what breaks arithmetic
MAX_COUNT = 999_999_999  # people, units: the largest count a batch list accepts too (9 digits)
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
# the units the columnar engines count a numeric field in, exactly: fen for money, millionths for a decimal number
# (a list cell has at most 6 decimals)
FIELD_UNITS = {"int": 1, "money": 100, "number": 10 ** 6}
# the whole digits a list cell may have (batch/columns.convert): a sum of yuan, a decimal number (× 10^6 in 64 bits)
MONEY_DIGITS, NUMBER_DIGITS = 13, 12
PARAMETER_DECIMALS = 6  # a parameter's value (a rulebook's, or --param's) has at most this many decimals
LIST_SEPARATORS = re.compile(r"[、，,；;|/\r\n]+")  # a line break: Excel's Alt+Enter in a cell
NONE_WORDS = ("无", "没有", "none", "None")  # "none of them", as a batch list cell says it too
_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate (from a \ud800 escape) cannot be printed or saved


def checked(spec: FieldSpec, value: Any) -> Any:
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


def prepared(spec: FieldSpec, value: Any) -> Any:
    """What a field's value goes through before it is parsed: yes/no words, lists written as one text,
    date spellings, and the values Pydantic would otherwise guess at (true as 1, a number as a date)."""
    if spec.type == "bool":
        return YES_NO.get(value.strip(), value) if isinstance(value, str) else value
    if spec.type == "set_of":
        return _split_list(value)
    if spec.type in ("int", "money", "number", "date"):
        return _no_guessing(spec, _date_spelling(value) if spec.type == "date" else value)
    return value


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
            problems.append(located_problem(located, file, (key,), Text(f"未知字段 {key!r}", f"unknown field {key!r}"), hint))
            continue
        if name in out:
            problems.append(located_problem(located, file, (key,), Text(
                f"字段 {key!r} 与 {original[name]!r} 重复", f"field {key!r} repeats {original[name]!r} (the same field, written twice)")))
            continue
        out[name] = value
        original[name] = key
    return out, original, problems


def located_problem(located: Located | None, file: str, path: tuple, message: Text, hint: Text | None = None) -> Problem:
    return located.problem(path, message, hint) if located else make_problem(file, None, None, message, hint)


def evaluation_date(text: str) -> dt.date:
    """An evaluation date as the command line writes it (--as-of): YYYY-MM-DD within MIN_DATE..MAX_DATE. ValueError
    "format" or "range" otherwise."""
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("format") from None
    if not MIN_DATE <= date <= MAX_DATE:
        raise ValueError("range")
    return date


def parameter_value_problem(value: Any) -> tuple[Decimal | None, "Text | None"]:
    """A parameter's value (a rulebook's, --param's, the API's) as a number, or what is wrong with it: a NaN or
    an infinity would reach the arithmetic; too large or too precise a value, past what is computed exactly."""
    from decimal import InvalidOperation

    try:
        number = None if isinstance(value, bool) else Decimal(str(value) if isinstance(value, float) else value)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite() or number < 0:
        return None, Text(f"值 {value} 无效：应为不小于 0 的数字", f"the value {value} is not valid: it must be a number not below 0")
    if number > MAX_MONEY:
        return None, Text(f"值 {value} 过大（上限 {MAX_MONEY:,.0f}）", f"the value {value} is too large (at most {MAX_MONEY:,.0f})")
    if number != number.quantize(Decimal(1).scaleb(-PARAMETER_DECIMALS)):
        return None, Text(f"值 {value} 的小数超过 {PARAMETER_DECIMALS} 位",
                          f"the value {value} has more than {PARAMETER_DECIMALS} decimals")
    return number, None


def parameter_values(items: list[str]) -> dict[str, Decimal]:
    """Parameter values as the command line writes them (--param NAME=VALUE); ValueError(the item) when one is
    not a number."""
    from decimal import InvalidOperation

    out = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(item) from None
    return out


class Facts:
    """A profile's facts checked without Pydantic (`plain_facts`): what the evaluator reads of a profile, as a
    validated profile (profile.py's ProfileBase) gives it."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def get(self, name: str) -> Any:
        return self._values.get(name)

    def known(self) -> dict[str, Any]:
        return dict(self._values)


_UNSURE = object()


def _parsed(kind: str, value: Any) -> Any:
    """A value as the profile model's parsing gives it, for the values whose parsing is certain; _UNSURE for any
    other (a number written as text, a float, …), which the model parses and judges."""
    if kind in ("text", "one_of"):
        return value if isinstance(value, str) else _UNSURE
    if kind == "bool":
        return value if isinstance(value, bool) else _UNSURE
    if kind == "int":
        return value if type(value) is int else _UNSURE
    if kind in ("money", "number"):
        return Decimal(value) if type(value) is int else value if isinstance(value, Decimal) else _UNSURE
    if kind == "date":
        return value if type(value) is dt.date else _UNSURE
    if kind == "set_of" and isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    return _UNSURE


def plain_facts(values: dict[str, Any]) -> Facts | None:
    """The facts of a profile (its keys already the catalog's names) when every value is one whose parsing is
    certain and passes every check; None when any is not — a history, a number written as text, a value with a
    mistake — and then the profile model validates the profile and words what is wrong."""
    from .history import HISTORY

    if HISTORY in values:
        return None
    fields, out = catalog().fields, {}
    for name in fields:
        if values.get(name) is None:
            continue
        spec = fields[name]
        try:
            value = _parsed(spec.type, prepared(spec, values[name]))
            value = None if value is _UNSURE else checked(spec, value)
        except Invalid:
            return None
        if value is None:
            return None
        out[name] = value
    return Facts(out)


def read_profile_file(path: Path) -> tuple[Any, Located | None]:
    """A YAML or JSON profile file's data (and, for YAML, where each value stands); InputError naming the file, line
    and column when it cannot be read."""
    import json

    from ..base.problems import InputError
    from .yamlsource import load_located, read_text

    text = read_text(path, "申请人信息", gb18030=True)
    if path.suffix.lower() != ".json":
        located = load_located(text, str(path))
        return located.data, located
    try:
        return json.loads(text), None
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


def read_facts(path: str | Path) -> Facts | None:
    """A profile file's facts by `plain_facts`, or None: anything unusual (a file that cannot be read, a syntax
    error, an unknown field, a value to parse) is left to profile.load_profile, which reports it."""
    from ..base.problems import InputError

    path = Path(path)
    try:
        data, located = read_profile_file(path)
    except InputError:
        return None
    if not isinstance(data, dict):
        return None
    values, _, problems = canonical_keys(data, str(path), located)
    return None if problems else plain_facts(values)
