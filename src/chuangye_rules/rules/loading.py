"""Loading rulebooks: safe YAML → Pydantic model → checks against the profile field catalog.

Every problem found is collected (not only the first) and reported with the file, line and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
from dataclasses import dataclass, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Iterable

from pydantic import BaseModel, Tag, ValidationError

from ..base.messages import (
    AMOUNT_KINDS,
    KEY_HELP,
    Text,
    amount_kinds,
    choices,
    closest,
    did_you_mean,
    field_type,
    place,
    value_at,
    written,
)
from ..base.problems import InputError, Problem, make_problem
from . import rulecache
from .catalog import NUMERIC_TYPES, catalog
from .schema import (
    RELATIVE_OPS,
    AllOf,
    AnyOf,
    Benefit,
    City,
    Compare,
    Document,
    FormulaAmount,
    GradesAmount,
    NotEncoded,
    NotOf,
    Parameter,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
    RangeAmount,
    Rulebook,
    Target,
    TiersAmount,
    UpToAmount,
)
from .yamlsource import MESSAGES_ZH, Located, load_located, read_text

# What every engine can compute (the batch engine holds money as 64-bit integers of fen, and names a benefit's
# missing facts in a 32-bit mask): check_rulebook refuses the rest, so what `validate` accepts runs everywhere.
MAX_FACTS = 32  # facts one benefit may depend on: the applicant kind, the fields its conditions and amount read
MAX_SUM = Decimal("1e13")  # a sum a rulebook writes, in yuan (profile.MAX_MONEY: the largest an applicant states)
MAX_MONTHS = 200 * 12  # a duration in a condition (within_last, at_least_ago, …): at most 200 years
MAX_DAYS = 200 * 366


@dataclass
class LoadedRulebook:
    rulebook: Rulebook
    path: Path
    located: Located
    source_text: str | None  # the official text of the document, for quote checks
    partial: bool = False  # some benefits (or the document) did not fit the schema and were left out

    @property
    def slug(self) -> str:
        return self.rulebook.city.slug


def bundled_rulebook_dir() -> Path:
    """The rulebooks shipped in the wheel, or the repository's folder when running from a checkout."""
    packaged = resources.files("chuangye_rules").joinpath("rulebooks")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "rulebooks"


def default_rulebook_dir() -> Path:
    """Where rulebooks are read when no folder is named: `./rulebooks` when the current folder has one with
    rulebooks in it (an author's working copy, e.g. after `chuangye new`), else the bundled ones. An author who
    installed the package with `pip install .` would otherwise validate and test the installed copy, not the
    file being edited."""
    local = Path.cwd() / "rulebooks"
    try:
        if local.is_dir() and any(p.suffix in (".yaml", ".yml") for p in local.iterdir()):
            return local
    except OSError:
        pass
    return bundled_rulebook_dir()


def rulebook_files(paths: Iterable[Path] | None = None) -> list[Path]:
    roots = list(paths) if paths else [default_rulebook_dir()]
    files: list[Path] = []
    for root in roots:
        root = Path(root)
        if root.is_dir():
            files.extend(sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml")))
        elif root.exists():
            files.append(root)
        else:
            raise InputError([make_problem(
                str(root), None, None, Text("找不到规则库文件或目录", "no such rulebook file or folder"),
                Text("检查路径；规则库放在 rulebooks/ 下", "check the path; rulebooks live in rulebooks/"), code="unreadable")])
    return files


def load_rulebook(path: Path) -> LoadedRulebook:
    """Load and check one rulebook file; raises InputError listing every problem found. A file that passed every
    check before, unchanged, comes from the cache (rulecache.py)."""
    path = Path(path)
    raw = _raw_bytes(path)
    if raw is not None:
        hit = rulecache.get(raw, lambda relative: _official_text(path, relative))
        if hit is not None:
            data, text = hit
            try:
                return LoadedRulebook(rulebook=Rulebook.model_validate(data), path=path,
                                      located=Located(data, str(path)), source_text=text)
            except ValidationError:
                pass
    book, problems = inspect_rulebook(path)
    if book is None or any(p.severity == "error" for p in problems):
        raise InputError(problems)
    if raw is not None and not book.partial:
        dumped = book.rulebook.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if Rulebook.model_validate(dumped) == book.rulebook:  # only what reads back as the same rulebook
            rulecache.put(raw, dumped, book.rulebook.document.source, book.source_text)
    return book


def _raw_bytes(path: Path) -> bytes | None:
    """The file's bytes for the cache key; None (no cache) when it cannot be read or is over the size limit."""
    from ..base import limits

    try:
        if path.stat().st_size > limits.current().max_file_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _official_text(path: Path, relative: str) -> str | None:
    if not _inside(relative) or not _is_file(path.parent / relative):
        return None
    try:
        return read_text(path.parent / relative, "文件原文")
    except InputError:
        return None


def inspect_rulebook(path: Path) -> tuple[LoadedRulebook | None, list[Problem]]:
    """Every problem of one rulebook file, and the rulebook as far as it could be read.

    When parts of the file do not fit the schema, the parts that do (each benefit on its own) are still
    checked against the field catalog, so an author sees all mistakes at once. The book is None only when
    the file could not be read or parsed at all.
    """
    path = Path(path)
    try:
        located = load_located(read_text(path, "规则库"), str(path))
    except InputError as error:
        return None, error.problems
    problems: list[Problem] = []
    partial = False
    written_ids = _raw_ids(located.data)
    try:
        rulebook = Rulebook.model_validate(located.data)
    except ValidationError as error:
        problems += pydantic_problems(error, located)
        salvaged = _salvage(located, path)
        if salvaged is None:
            return None, problems
        rulebook, located, partial = salvaged
    source_text = None
    doc = rulebook.document
    if doc is not None and not _inside(doc.source):
        problems.append(located.problem(
            ("document", "source"),
            Text(f"原文路径 {doc.source[:80]} 不在规则库所在的目录中", f"the official text {doc.source[:80]} is outside the "
                 "rulebook's folder"),
            Text("source 写相对于规则库文件的路径，不以 / 开头、不含 ..，如 sources/ordos.txt",
                 "give a path relative to the rulebook, without a leading / or .., e.g. sources/ordos.txt"),
            code="source_outside"))
    elif doc is not None:
        source_path = path.parent / doc.source
        if _is_file(source_path):
            try:
                source_text = read_text(source_path, "文件原文")
            except InputError as error:  # e.g. a text saved as GBK: point at the source line of the rulebook
                line, column = located.where(("document", "source"))
                problems += [replace(p, file=located.file, line=line, column=column, message=f"{doc.source}: {p.message}",
                                     message_en=f"{doc.source}: {p.message_en or p.message}") for p in error.problems]
        else:
            problems.append(located.problem(
                ("document", "source"),
                Text(f"找不到文件原文 {doc.source}（查找的是 {source_path}）", f"the official text {doc.source} is not found "
                     f"(looked for {source_path})"),
                Text("把原文存为 UTF-8 文本放在规则库旁的 sources/ 目录下，source 写相对于规则库文件的路径，如 sources/ordos.txt",
                     "save the official text as UTF-8 under sources/ next to the rulebook and give the path relative "
                     "to the rulebook, e.g. sources/ordos.txt"),
                code="source_missing"))
    problems += check_rulebook(rulebook, located, known_ids=written_ids)
    return LoadedRulebook(rulebook, path, located, source_text, partial), problems


def _inside(source: str) -> bool:
    """A document's text is read only from the rulebook's own folder: never an absolute path or one that
    climbs out with .. (the web API validates rulebooks sent by anyone; their `source` must not read the
    server's files)."""
    if "\x00" in source or len(source) > 1000:
        return False
    for pure in (PurePosixPath(source), PureWindowsPath(source)):
        if pure.is_absolute() or pure.drive or pure.root or ".." in pure.parts:
            return False
    return True


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, and the like
        return False


def _raw_ids(data) -> set[str]:
    benefits = data.get("benefits") if isinstance(data, dict) else None
    return {b["id"] for b in benefits or [] if isinstance(b, dict) and isinstance(b.get("id"), str)}


def _salvage(located: Located, path: Path) -> tuple[Rulebook, Located, bool] | None:
    """The parts of a rulebook that are valid on their own, with a Located renumbered to match.

    Returns (rulebook, located, partial); partial is True when a benefit or the document had to be left out,
    so that checks which need the whole file (unused parameters) are skipped.
    """
    data = located.data
    if not isinstance(data, dict):
        return None

    def valid(model, value):
        try:
            return model.model_validate(value)
        except ValidationError:
            return None

    city = valid(City, data.get("city"))
    if city is None:
        raw = data.get("city") if isinstance(data.get("city"), dict) else {}
        slug = raw.get("slug") if isinstance(raw.get("slug"), str) else path.stem
        city = City.model_construct(slug=slug, zh=str(raw.get("zh", slug)), en=str(raw.get("en", slug)))
    document = valid(Document, data.get("document"))
    raw_parameters = data.get("parameters", {})
    if isinstance(raw_parameters, dict):  # a parameter that is not valid is still defined: formulas may name it
        parameters = {name: valid(Parameter, value) or Parameter.model_construct(description="", source="", values=[])
                      for name, value in raw_parameters.items()}
    else:
        parameters = _AnyParameter()  # not a mapping at all: which names it defines is unknown
    keep: dict[str, list[int]] = {}
    parts: dict[str, list] = {}
    complete = document is not None and isinstance(data.get("benefits"), list)
    for key, model in (("benefits", Benefit), ("targets", Target), ("not_encoded", NotEncoded)):
        items = data.get(key) if isinstance(data.get(key), list) else []
        keep[key], parts[key] = [], []
        for i, item in enumerate(items):
            model_value = valid(model, item)
            if model_value is None:
                complete = complete and key != "benefits"
                continue
            keep[key].append(i)
            parts[key].append(model_value)
    rulebook = Rulebook.model_construct(city=city, document=document, parameters=parameters, **parts)
    return rulebook, _renumber(located, keep), not complete


class _AnyParameter(dict):
    """The parameters of a rulebook whose `parameters` is not a mapping: no formula is told its name is unknown."""

    def __contains__(self, name) -> bool:
        return True


def _renumber(located: Located, keep: dict[str, list[int]]) -> Located:
    """A Located for the lists with only the items in `keep`, so ("benefits", 0) is the first kept one."""
    marks = {}
    for path, mark in located.marks.items():
        if len(path) >= 2 and path[0] in keep and isinstance(path[1], int):
            if path[1] in keep[path[0]]:
                marks[(path[0], keep[path[0]].index(path[1])) + path[2:]] = mark
        else:
            marks[path] = mark
    data = dict(located.data)
    for key, indices in keep.items():
        if isinstance(data.get(key), list):
            data[key] = [data[key][i] for i in indices]
    return Located(data, located.file, marks)


def load_rulebooks(paths: Iterable[Path | str] | None = None, city: str | None = None) -> list[LoadedRulebook]:
    """Load the bundled rulebooks (or those under `paths`), optionally only one city (slug or Chinese name)."""
    files = rulebook_files([Path(p) for p in paths] if paths else None)
    problems: list[Problem] = []
    books: list[LoadedRulebook] = []
    for file in files:
        try:
            books.append(load_rulebook(file))
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    slugs = [b.slug for b in books]
    if len(set(slugs)) != len(slugs):
        dup = sorted({s for s in slugs if slugs.count(s) > 1})
        raise InputError([Problem(str(files[0].parent), None, None, f"多个规则库使用同一城市标识: {', '.join(dup)}")])
    return choose_city(books, city) if city else books


def city_names(book: LoadedRulebook) -> tuple[str, ...]:
    """Every name a city is known by: its slug, Chinese name (with or without 市) and English name."""
    city = book.rulebook.city
    return (city.slug, city.zh, city.zh + "市", city.en, city.en.lower())


def choose_city(books: list[LoadedRulebook], name: str, where: str = "--city") -> list[LoadedRulebook]:
    """The rulebook of the city called `name`; a name that matches none is an input error listing the cities."""
    chosen = [b for b in books if name in city_names(b)]
    if not chosen:
        known = "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in books)
        raise InputError([Problem(where, None, None, f"没有城市 {name!r} 的规则库",
                                  f"可选: {known}" if known else "所指的目录中没有任何规则库（*.yaml）")])
    return chosen


# ------------------------------------------------------------------ pydantic errors → located problems

NUMBER_ERRORS = {"decimal_parsing", "decimal_type", "int_parsing", "int_type", "int_from_float", "float_parsing",
                 "float_type", "decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}
DATE_ERRORS = {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact",
               "date_past", "date_future"}
MAPPING_ERRORS = {"dict_type", "model_type", "model_attributes_type"}

TYPE_HELP = {
    "number": (Text("数字", "a number"),
               Text("写阿拉伯数字，不带单位、逗号和引号，如 5000；1万元写 10000，10% 写 10",
                    "write digits without unit, commas or quotes, e.g. 5000 (1万元 is 10000, 10% is 10)")),
    "int": (Text("整数", "a whole number"),
            Text("期限和人数用整数；1.5年写 {years: 1, months: 6}", "use whole numbers; 1.5 years is {years: 1, months: 6}")),
    "date": (Text("日期", "a date"),
             Text("日期写作 YYYY-MM-DD，如 2022-10-24（不写“年月日”，不加引号）",
                  "write dates as YYYY-MM-DD, e.g. 2022-10-24")),
    "string": (Text("文本", "text"),
               Text("直接写文字；全是数字、true/false 或日期样子的文本请加引号，如 '2023'",
                    "write the text; quote text that looks like a number, a date or true/false, e.g. '2023'")),
    "bool": (Text("true 或 false", "true or false"), Text("写 true（是）或 false（否）", "write true or false")),
    "list": (Text("列表", "a list"),
             Text("写成 [a, b]，或每项一行、以“- ”开头", "write [a, b], or one item per line starting with '- '")),
    "mapping": (Text("映射（键: 值）", "a mapping (key: value)"),
                Text("写成“键: 值”，如 {kind: fixed, value: 5000}", "write key: value pairs, e.g. {kind: fixed, value: 5000}")),
}

# The schema's own validator messages (schema.py), in both languages: (pattern, message, hint).
VALUE_ERRORS = [
    (r"exactly one operator .*found: none",
     Text("这个比较缺少运算符", "this comparison has no operator"),
     Text("加一个运算符，如 eq: true、gte: 50、contains_any: [veteran]、within_last: {{years: 5}}（见 docs/rulebook-format.md）",
          "add one operator, e.g. eq: true, gte: 50, contains_any: [veteran], within_last: {{years: 5}}")),
    (r"exactly one operator .*found: (?P<ops>.+)$",
     Text("一个比较只能有一个运算符，这里有 {ops}", "a comparison takes exactly one operator, this one has {ops}"),
     Text("拆成几个比较放在 all: 下，每个一行，如 - {{field: employees, gte: 1}} 和 - {{field: employees, lte: 100}}",
          "split it into several comparisons under all:, e.g. - {{field: employees, gte: 1}} and "
          "- {{field: employees, lte: 100}}")),
    (r"the operator (?P<op>\w+) has no value",
     Text("运算符 {op} 后面没有写值", "the operator {op} has no value"),
     Text("在冒号后写要比较的值，如 {op}: …；或删除这个比较", "write the value after the colon, or delete the comparison")),
    (r"a duration needs",
     Text("期限没有写 years、months 或 days", "a duration needs years, months or days"),
     Text("如 {{years: 1}}、{{months: 6}}", "e.g. {{years: 1}} or {{months: 6}}")),
    (r"range min (?P<min>\S+) is above max (?P<max>\S+)",
     Text("range 的 min {min} 大于 max {max}", "the range's min {min} is above its max {max}"),
     Text("交换 min 和 max", "swap min and max")),
    (r"give either rate",
     Text("per_unit 需要 rate（每人/户金额），或同时写 rate_min 和 rate_max（金额区间）",
          "per_unit needs rate, or both rate_min and rate_max"),
     Text("如 {{kind: per_unit, rate: 1000, unit_field: new_hires, unit_zh: 人}}",
          "e.g. {{kind: per_unit, rate: 1000, unit_field: new_hires, unit_zh: 人}}")),
    (r"rate_min is above rate_max",
     Text("rate_min 大于 rate_max", "rate_min is above rate_max"), Text("交换两者", "swap them")),
    (r"tiers must be listed",
     Text("tiers 须按 at_least 从小到大排列，且门槛不能重复", "tiers must be listed by ascending at_least, without repeats"),
     Text("按门槛从低到高重新排列各档", "reorder the tiers from the lowest threshold up")),
    (r"a factor is exactly one of",
     Text("每个因子只能写 parameter、field、number 中的一个", "a factor is exactly one of parameter, field, number"),
     Text("拆成几个因子，每个一行，如 - {{parameter: min_wage}} 和 - {{number: 0.6}}",
          "split it into one factor per line, e.g. - {{parameter: min_wage}} and - {{number: 0.6}}")),
]


# Pydantic's error types → the problem codes of `chuangye validate --format json`.
PYDANTIC_CODES = {
    "extra_forbidden": "unknown_key", "missing": "missing_key", "union_tag_invalid": "unknown_amount_kind",
    "union_tag_not_found": "missing_amount_kind", "enum": "unknown_value", "literal_error": "unknown_value",
    "string_pattern_mismatch": "bad_identifier", "too_short": "empty_list", "greater_than_equal": "out_of_range",
    "greater_than": "out_of_range", "less_than_equal": "out_of_range", "less_than": "out_of_range",
    **{t: "wrong_type" for t in NUMBER_ERRORS | DATE_ERRORS | MAPPING_ERRORS
       | {"string_type", "bool_type", "bool_parsing", "list_type", "int_type", "int_parsing", "int_from_float"}},
}


def pydantic_problems(error: ValidationError, located: Located) -> list[Problem]:
    """Pydantic's errors as problems in the author's words, each at the line of the key or value concerned."""
    items = _one_branch(error.errors(include_url=False), located)
    return [_pydantic_problem(item, located) for item in _without_misspelt_missing(items)]


def _without_misspelt_missing(items: list[dict]) -> list[dict]:
    """`catgory: x` makes `category` both unknown and missing: report the misspelling only, where it is."""
    meant: set[tuple] = set()
    for item in items:
        if item["type"] == "extra_forbidden":
            parent, key = item["loc"][:-1], item["loc"][-1]
            allowed = _allowed_keys(parent)
            target = closest(key, allowed)
            if target:
                meant.add(parent + (target,))
            model = _model_at(parent)
            for name in _keys(model) if model else []:
                if _belongs_under(key, parent, only=name):
                    meant.add(parent + (name,))
    return [item for item in items if not (item["type"] == "missing" and tuple(item["loc"]) in meant)]


def _pydantic_problem(item: dict, located: Located) -> Problem:
    loc, kind, value, ctx = item["loc"], item["type"], item.get("input"), item.get("ctx") or {}
    path = _yaml_path(loc, located, keep_last=kind in ("missing", "extra_forbidden"))
    where = place(path, located.data)
    key = loc[-1] if loc else None

    def problem(message: Text, hint: Text | None = None, at: tuple = path) -> Problem:
        return located.problem(at, message, hint, code=PYDANTIC_CODES.get(kind, "invalid_value"))

    if "[key]" in loc:
        return problem(Text(f"{where.zh} 的名称不是有效的标识", f"the name of {where.en} is not a valid identifier"),
                       Text("只用小写英文字母、数字和下划线，以字母开头，如 min_wage_monthly",
                            "use lower-case letters, digits and underscores, starting with a letter"))
    if kind == "extra_forbidden":
        parent = place(path[:-1], located.data)
        allowed = _allowed_keys(loc[:-1])
        hint = did_you_mean(key, allowed) or _belongs_under(key, loc[:-1])
        listed = Text(f"这里可用的键: {', '.join(allowed)}", f"keys allowed here: {', '.join(allowed)}")
        return problem(Text(f"{parent.zh} 中有不认识的键 {key}", f"unknown key {key} in {parent.en}"),
                       hint + Text("", " ") + listed if hint else listed + Text("；或删除这个键", "; or delete the key"))
    if kind == "missing":
        parent = place(path[:-1] if path and path[-1] == key else path, located.data)
        zh, en = KEY_HELP.get(str(key), ("", ""))
        return problem(Text(f"{parent.zh} 缺少必填的键 {key}", f"{parent.en} lacks the required key {key}"),
                       Text(f"在这一项下加上 {key}:" + (f" …（{zh}）" if zh else ""),
                            f"add {key}: under this item" + (f" ({en})" if en else "")))
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        hint = did_you_mean(tag, AMOUNT_KINDS)
        options = Text("可选: ", "choose from: ") + amount_kinds()
        return problem(Text(f"{where.zh} 中的 kind: {tag} 不是已知的金额类型", f"{where.en}: kind '{tag}' is not an amount kind"),
                       hint + Text(" ", " ") + options if hint else options, at=path + ("kind",))
    if kind == "union_tag_not_found":
        return problem(Text(f"{where.zh} 缺少 kind（金额类型）", f"{where.en} lacks kind (the amount kind)"),
                       Text("加上 kind:，可选: ", "add kind:, one of: ") + amount_kinds())
    if kind in ("enum", "literal_error"):
        options = re.findall(r"'([^']*)'", ctx.get("expected", "")) or [ctx.get("expected", "")]
        labels = _labels_for(options)
        hint = did_you_mean(value, options, labels)
        listed = Text("可选: ", "choose from: ") + choices(options, labels)
        return problem(Text(f"{where.zh} 写的是 {value}，不是允许的取值", f"{where.en}: {value!r} is not one of the allowed values"),
                       hint + Text(" ", " ") + listed if hint else listed)
    if kind in DATE_ERRORS and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        return problem(Text(f"{where.zh} 的日期 {value} 不存在", f"{where.en}: the date {value} does not exist"),
                       Text("检查月份和日期（如 2 月没有 30 日）", "check the month and the day (February has no 30th)"))
    group = ("int" if kind.startswith("int_") else "number" if kind in NUMBER_ERRORS else "date" if kind in DATE_ERRORS
             else "string" if kind == "string_type" else "bool" if kind.startswith("bool_")
             else "list" if kind == "list_type" else "mapping" if kind in MAPPING_ERRORS else None)
    if group:
        expected, hint = TYPE_HELP[group]
        if group == "mapping":
            hint = _mapping_hint(path[-1] if path and isinstance(path[-1], str) else None, path)
        written_date = re.fullmatch(r"\s*(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?\s*", str(value))
        if group == "date" and written_date:
            iso = "{}-{:0>2}-{:0>2}".format(*written_date.groups())
            hint = Text(f"写作 {iso}（YYYY-MM-DD，不加引号）", f"write {iso} (YYYY-MM-DD, without quotes)")
        return problem(Text(f"{where.zh} 应为{expected.zh}，这里写的是{written(value).zh}",
                            f"{where.en} should be {expected.en}, not {written(value).en}"), hint)
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        return problem(Text(f"{where.zh} 不能小于 {bound}，这里写的是 {value}", f"{where.en} cannot be below {bound}, not {value}"),
                       Text("金额和数量不能是负数", "amounts and counts cannot be negative"))
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        return problem(Text(f"{where.zh} 不能大于 {bound}，这里写的是 {value}", f"{where.en} cannot be above {bound}, not {value}"),
                       Text("百分比写 0 到 100 之间的数字，10% 写 10", "a percentage is a number from 0 to 100, 10% is 10")
                       if key == "percent" else None)
    if kind == "string_pattern_mismatch":
        suggestion = re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_") or "one_time_startup_subsidy"
        if not suggestion[0].isalpha():
            suggestion = "b_" + suggestion
        return problem(Text(f"{where.zh} 写的是“{value}”，不是有效的标识", f"{where.en}: '{value}' is not a valid identifier"),
                       Text(f"只用小写英文字母、数字和下划线，以字母开头，如 {suggestion}",
                            f"use lower-case letters, digits and underscores, starting with a letter, e.g. {suggestion}"))
    if kind == "too_short":
        return problem(Text(f"{where.zh} 不能为空", f"{where.en} cannot be empty"), Text("至少写一项", "give at least one item"))
    if kind == "finite_number":
        return problem(Text(f"{where.zh} 应为有限数字（不能是 NaN 或无穷大）", f"{where.en} should be a finite number"))
    if kind == "value_error":
        detail = item["msg"].removeprefix("Value error, ")
        for pattern, message, hint in VALUE_ERRORS:
            found = re.search(pattern, detail)
            if found:
                fill = found.groupdict()
                return problem(Text(f"{where.zh}: " + message.zh.format(**fill), f"{where.en}: " + message.en.format(**fill)),
                               Text(hint.zh.format(**fill), hint.en.format(**fill)))
        return problem(Text(f"{where.zh}: 取值无效（{detail}）", f"{where.en}: invalid value ({detail})"))
    detail = item["msg"]
    return problem(Text(f"{where.zh}: {MESSAGES_ZH.get(kind, '取值无效')}（{detail}）", f"{where.en}: {detail}"))


UNION_MEMBER = re.compile(r"^(str|int|float|bool|decimal|date|list\[.*\]|dict\[.*\])$")


def _mapping_hint(key: str | None, path: tuple) -> Text:
    if not path:
        return Text("规则库的顶层是 city、document、benefits 等“键: 值”，见 docs/rulebook-format.md 或用 chuangye new 生成模板",
                    "a rulebook is a mapping of city, document, benefits…; `chuangye new` writes a template")
    if key == "conditions":
        return Text("一个条件写成 {field: employees, gte: 1}；几个条件写在 all: 或 any: 下面",
                    "one condition is {field: employees, gte: 1}; several go under all: or any:")
    if path[0] == "benefits" and len(path) == 2:
        return Text("每项待遇以“- id: …”开头，下面缩进写 name、amount 等键",
                    "each benefit starts with '- id: …' and its keys indented below")
    zh, en = KEY_HELP.get(str(key), ("", ""))
    if "如 {" in zh:
        return Text(f"写成“键: 值”的映射：{zh}", f"write a mapping: {en}")
    return Text("写成“键: 值”的映射，下一行缩进两个空格写各个键", "write key: value pairs, indented on the lines below")


def _one_branch(items: list[dict], located: Located) -> list[dict]:
    """For a value that may take several shapes (a quote: text or a list of texts), Pydantic reports why each
    shape failed; keep only the errors of the shape the author meant: the one that got furthest, or on a tie
    the list when a list was written and the text otherwise."""
    groups: dict[tuple, dict[str, list[dict]]] = {}
    for item in items:
        loc = item["loc"]
        at = next((i for i, part in enumerate(loc) if isinstance(part, str) and UNION_MEMBER.match(part)), None)
        if at is not None:
            groups.setdefault(loc[:at], {}).setdefault(loc[at], []).append(item)
    drop = set()
    for prefix, branches in groups.items():
        if len(branches) < 2:
            continue
        written_list = isinstance(located.data and value_at(located.data, prefix), list)
        best = max(branches, key=lambda name: (max(len(i["loc"]) for i in branches[name]),
                                               name.startswith("list") == written_list))
        drop |= {id(item) for name, members in branches.items() if name != best for item in members}
    return [item for item in items if id(item) not in drop]


def _yaml_path(loc: tuple, located: Located, keep_last: bool = True) -> tuple:
    """Follow a Pydantic error location through the YAML, skipping union tags that are not keys.

    keep_last: the last part is a key that is missing (or extra), kept so that messages can name it."""
    path: tuple = ()
    node = located.data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path += (part,)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path += (part,)
            node = node[part]
        elif keep_last and isinstance(node, dict) and part not in node and loc[-1] == part:
            path += (part,)  # the missing or extra key itself: where() falls back to the parent
    return path


def _unwrap(tp):
    """Strip Annotated[...] and Optional[...] from a type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp):
            rest = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return typing.Union[tuple(rest)]
            tp = rest[0]
        else:
            return tp


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp, part):
    """The type found one step along a Pydantic error location (a field, a list item, a union tag)."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if _is_model(tp):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin is list:
        return typing.get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(tp):
            tags = [m.tag for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)]
            model = _unwrap(member)
            if part in tags:
                return model
            if _is_model(model) and "kind" in model.model_fields:
                if typing.get_args(model.model_fields["kind"].annotation) == (part,):
                    return model
            if _is_model(model) and model.__name__ == part:
                return model
    return None


def _model_at(loc: tuple):
    tp = Rulebook
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _unwrap(tp)
    return tp if _is_model(tp) else None


def _keys(model) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _allowed_keys(loc: tuple) -> list[str]:
    model = _model_at(loc)
    return _keys(model) if model else []


def _belongs_under(key, loc: tuple, only: str | None = None) -> Text | None:
    """'lead' written directly under a benefit belongs under departments: say so."""
    model = _model_at(loc)
    if model is None:
        return None
    for name, info in model.model_fields.items():
        if only is not None and only not in (name, info.alias):
            continue
        inner = _unwrap(info.annotation)
        candidates = [_unwrap(a) for a in typing.get_args(inner)] if typing.get_origin(inner) else [inner]
        for candidate in candidates:
            if _is_model(candidate) and key in _keys(candidate):
                parent = info.alias or name
                return Text(f"{key} 应写在 {parent} 下面（缩进一层）；", f"{key} belongs under {parent} (indented);")
    return None


def _labels_for(options: list[str]) -> dict[str, str] | None:
    from .vocabulary import CATEGORY, PERIOD

    for table in (CATEGORY, PERIOD):
        if options and all(o in table for o in options):
            return {o: table[o][0] for o in options}
    return None


# ------------------------------------------------------------------ checks beyond the schema


def check_rulebook(book: Rulebook, located: Located, known_ids: set[str] | None = None) -> list[Problem]:
    """Checks that need the field catalog or the whole file. `known_ids`: every benefit id written in the file,
    when some benefits were left out for not fitting the schema (so exclusions naming them are not flagged)."""
    problems: list[Problem] = []
    cat = catalog()
    kinds = cat.vocabularies["applicant_kind"]
    ids: dict[str, int] = {}
    doc = book.document
    if doc is not None and doc.in_force_to and doc.in_force_to < doc.in_force_from:
        problems.append(located.problem(
            ("document", "in_force_to"),
            Text(f"文件有效期截止 {doc.in_force_to} 早于生效日期 {doc.in_force_from}",
                 f"the document ends ({doc.in_force_to}) before it takes effect ({doc.in_force_from})"),
            Text("检查年份，或把 in_force_from 和 in_force_to 对调", "check the years, or swap in_force_from and in_force_to"),
            code="dates_inverted"))
    for i, benefit in enumerate(book.benefits):
        base = ("benefits", i)
        if benefit.id in ids:
            first_line = located.where(("benefits", ids[benefit.id], "id"))[0]
            problems.append(located.problem(
                base + ("id",),
                Text(f"重复的待遇标识 {benefit.id}：第 {first_line} 行已有一项同名待遇",
                     f"duplicate benefit id {benefit.id}: line {first_line} already has it"),
                Text("每项待遇的 id 在文件中必须唯一：给其中一项改名（如加上 _enterprise），或删除重复的一项",
                     "each benefit id must be unique in the file: rename one (e.g. add _enterprise) or delete the copy"),
                code="duplicate_id"))
        ids.setdefault(benefit.id, i)
        for k, kind in enumerate(benefit.applicant_kinds):
            code = kinds.normalise(kind)
            if code is None:
                problems.append(_vocabulary_problem(kind, "applicant_kinds", kinds, base + ("applicant_kinds", k), located))
            else:
                benefit.applicant_kinds[k] = code
        if benefit.conditions is not None:
            problems += _check_condition(benefit.conditions, base + ("conditions",), located)
        problems += _check_amount(benefit.amount, base + ("amount",), book, located)
        problems += _check_facts(benefit, base, located)
        if doc is not None:
            problems += _check_validity(benefit, base, doc.in_force_from, doc.in_force_to, located)
    names = set(ids) | (known_ids or set())
    for i, target in enumerate(book.targets):
        for k, counted in enumerate(target.counts):
            if counted not in names:
                problems.append(located.problem(
                    ("targets", i, "counts", k),
                    Text(f"counts 中的 {counted} 不是本文件中任何待遇的 id",
                         f"counts names {counted}, which is no benefit id in this file"),
                    did_you_mean(counted, sorted(names)) or Text("写这个目标计数的待遇 id", "give the id of a benefit the target counts"),
                    code="unknown_target_benefit"))
    for i, benefit in enumerate(book.benefits):
        for k, other in enumerate(benefit.exclusive_with):
            at = ("benefits", i, "exclusive_with", k)
            if other not in names:
                hint = did_you_mean(other, sorted(names - {benefit.id}))
                problems.append(located.problem(
                    at, Text(f"exclusive_with 中的 {other} 不是本文件中任何待遇的 id",
                             f"exclusive_with names {other}, which is no benefit id in this file"),
                    hint or Text("写不得同时享受的另一项待遇的 id，或删除这一项",
                                 "give the id of the benefit it cannot be combined with, or delete the entry"),
                    code="unknown_exclusion"))
            elif other == benefit.id:
                problems.append(located.problem(
                    at, Text(f"待遇 {benefit.id} 不能与自身互斥", f"benefit {benefit.id} cannot exclude itself"),
                    Text("删除这一项", "delete this entry"), code="self_exclusion"))
    return problems


def _check_facts(benefit: Benefit, base: tuple, located: Located) -> list[Problem]:
    from .facts import fact_order

    facts = fact_order(benefit)
    if len(facts) <= MAX_FACTS:
        return []
    return [located.problem(
        base + ("conditions",) if benefit.conditions is not None else base + ("id",),
        Text(f"待遇 {benefit.id} 依据 {len(facts)} 项事实（申请人类型、条件和金额用到的字段与参数），最多 {MAX_FACTS} 项",
             f"benefit {benefit.id} depends on {len(facts)} facts (the applicant kind, the fields and parameters its "
             f"conditions and amount use); at most {MAX_FACTS} are allowed"),
        Text("把它拆成几项待遇（如按申请人类型），或删去重复的条件",
             "split it into several benefits (e.g. one per applicant kind), or delete conditions that repeat"),
        code="too_many_facts")]


def _check_validity(benefit: Benefit, base, start: dt.date, end: dt.date | None, located: Located) -> list[Problem]:
    problems = []
    if benefit.valid_from and benefit.valid_to and benefit.valid_to < benefit.valid_from:
        problems.append(located.problem(
            base + ("valid_to",),
            Text(f"待遇 {benefit.id} 的有效期截止 {benefit.valid_to} 早于生效日期 {benefit.valid_from}",
                 f"benefit {benefit.id} ends ({benefit.valid_to}) before it starts ({benefit.valid_from})"),
            Text("检查年份，或把 valid_from 和 valid_to 对调", "check the years, or swap valid_from and valid_to"),
            code="dates_inverted"))
    if benefit.valid_from and benefit.valid_from < start:
        problems.append(located.problem(
            base + ("valid_from",),
            Text(f"待遇 {benefit.id} 的生效日期 {benefit.valid_from} 早于文件生效日期 {start}",
                 f"benefit {benefit.id} starts ({benefit.valid_from}) before the document takes effect ({start})"),
            Text(f"改为不早于 {start} 的日期；与文件相同时删除 valid_from", f"use a date from {start} on, or delete valid_from"),
            code="outside_document"))
    return problems


def _field_problem(name: str, path: tuple, located: Located) -> Problem | None:
    cat = catalog()
    if name in cat.fields:
        return None
    english = cat.resolve(name)
    suggestion = english or cat.suggest(name)
    if english:
        hint = Text(f"规则库中要写字段的英文名：{english}", f"rulebooks use the field's English name: {english}")
    elif suggestion:
        hint = Text(f"是否想写 {suggestion}（{cat.fields[suggestion].zh}）？", f"did you mean {suggestion}?")
    else:
        hint = Text("用 chuangye fields 查看全部字段；确需新的事实时，先在 src/chuangye_rules/rules/fields.yaml 中添加",
                    "see `chuangye fields`; to test a new fact, add it to src/chuangye_rules/rules/fields.yaml first")
    return located.problem(path, Text(f"申请人信息中没有字段 {name}", f"the applicant profile has no field {name}"), hint,
                           code="unknown_field")


def _type_word(spec) -> Text:
    return field_type(spec.type)


def _check_condition(cond, path: tuple, located: Located) -> list[Problem]:
    if isinstance(cond, AllOf):
        return [p for i, c in enumerate(cond.all) for p in _check_condition(c, path + ("all", i), located)]
    if isinstance(cond, AnyOf):
        return [p for i, c in enumerate(cond.any) for p in _check_condition(c, path + ("any", i), located)]
    if isinstance(cond, NotOf):
        return _check_condition(cond.not_, path + ("not",), located)
    assert isinstance(cond, Compare)
    missing = _field_problem(cond.field, path + ("field",), located)
    if missing:
        return [missing]
    spec = catalog().fields[cond.field]
    op, operand = cond.op, cond.operand
    at = path + (op,)
    kind = _type_word(spec)

    def bad(message: Text, hint: Text | None = None, code: str = "wrong_operator") -> list[Problem]:
        return [located.problem(at, message, hint, code=code)]

    if op in ("contains", "contains_any", "contains_all"):
        if spec.type != "set_of":
            return bad(Text(f"{op} 只能用于多选字段（如 identities），字段 {cond.field} 的类型为{kind.zh}",
                            f"{op} works on multiple-choice fields (such as identities); {cond.field} is {kind.en}"),
                       Text(f"单值字段请用 eq 或 in，如 {{field: {cond.field}, in: [...]}}",
                            f"for a single value use eq or in, e.g. {{field: {cond.field}, in: [...]}}"))
        return _normalise_values(cond, op, spec.vocabulary, at, located)
    if op in ("within_last", "at_least_ago", "same_year_as_evaluation", *RELATIVE_OPS):
        if spec.type != "date":
            return bad(Text(f"{op} 只能用于日期字段，字段 {cond.field} 的类型为{kind.zh}",
                            f"{op} works on date fields; {cond.field} is {kind.en}"),
                       Text("数字请用 gte、lte 等比较", "compare numbers with gte, lte and the like"))
        if op not in ("same_year_as_evaluation", "same_year_as") and (
                operand.years * 12 + operand.months > MAX_MONTHS or operand.days > MAX_DAYS):
            return bad(Text(f"{op} 的期限过长（最多 {MAX_MONTHS // 12} 年）", f"the duration of {op} is too long "
                            f"(at most {MAX_MONTHS // 12} years)"),
                       Text("检查年、月、日的数字，如 {years: 5}", "check the numbers of years, months and days, "
                            "e.g. {years: 5}"), code="out_of_range")
        if op in RELATIVE_OPS:
            name = cond.other_field
            other = _field_problem(name, at + (() if op == "same_year_as" else ("field",)), located)
            if other:
                return [other]
            if catalog().fields[name].type != "date":
                return bad(Text(f"{op} 的参照字段 {name} 不是日期字段",
                                f"{op} counts from {name}, which is not a date field"),
                           Text("field 写另一个日期字段，如 traineeship_end_date", "name another date field"))
        return []
    values = operand if op in ("in", "not_in") else [operand]
    if spec.type in ("one_of",):
        return _normalise_values(cond, op, spec.vocabulary, at, located)
    if spec.type == "set_of":
        return bad(Text(f"{cond.field} 是多选字段，不能用 {op}", f"{cond.field} is a multiple-choice field; {op} does not apply"),
                   Text(f"用 contains / contains_any / contains_all，如 {{field: {cond.field}, contains_any: [...]}}",
                        f"use contains / contains_any / contains_all, e.g. {{field: {cond.field}, contains_any: [...]}}"))
    for value in values:
        if not _value_fits(spec.type, value):
            return bad(Text(f"字段 {cond.field} 的类型为{kind.zh}，不能与{written(value).zh} 比较",
                            f"{cond.field} is {kind.en} and cannot be compared with {written(value).en}"),
                       _comparison_hint(spec.type, cond.field), code="type_mismatch")
    if spec.type == "bool" and op not in ("eq", "ne"):
        return bad(Text(f"是/否字段 {cond.field} 只能用 eq 或 ne", f"the yes/no field {cond.field} takes only eq or ne"),
                   Text(f"如 {{field: {cond.field}, eq: true}}", f"e.g. {{field: {cond.field}, eq: true}}"))
    return []


def _comparison_hint(field_type_name: str, field: str) -> Text:
    if field_type_name == "date":
        return Text("日期写作 2023-01-01；“满1年”“5年内”这类期限请用 at_least_ago / within_last，如 within_last: {years: 5}",
                    "write dates as 2023-01-01; for 'at least 1 year ago' or 'within 5 years' use at_least_ago / "
                    "within_last, e.g. within_last: {years: 5}")
    if field_type_name in NUMERIC_TYPES:
        return Text("数字不加引号、不带单位，如 gte: 50；1万元写 10000", "write numbers without quotes or units, e.g. gte: 50")
    if field_type_name == "bool":
        return Text("是/否字段写 eq: true 或 eq: false（不写“是”“否”）", "write eq: true or eq: false")
    return Text("文本值直接写，含特殊字符时加引号", "write the text, in quotes if it has special characters")



def _value_fits(field_type: str, value) -> bool:
    if field_type == "bool":
        return isinstance(value, bool)
    if field_type in NUMERIC_TYPES:  # .inf and .nan are numbers to YAML, not to a comparison
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if field_type == "date":  # a date with a time of day is compared with no date
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, str)


def _vocabulary_problem(value, field: str, vocab, at: tuple, located: Located) -> Problem:
    options = list(vocab.labels) + list(vocab.labels.values())
    best = did_you_mean(value, options)
    if best is not None:
        code = vocab.normalise(_closest_option(value, options))
        hint = Text(f"是否想写 {code}（{vocab.labels[code]}）？全部可选值见 chuangye fields",
                    f"did you mean {code}? `chuangye fields` lists every value")
    else:
        hint = Text("可选: ", "choose from: ") + choices(vocab.labels, vocab.labels)
    return located.problem(at, Text(f"{value} 不是 {field} 的可选值", f"{value!r} is not a value of {field}"), hint,
                           code="unknown_value")


def _closest_option(value, options: list[str]) -> str:
    return closest(value, options) or ""


def _normalise_values(cond: Compare, op: str, vocab_name: str, at: tuple, located: Located) -> list[Problem]:
    vocab = catalog().vocabularies[vocab_name]
    operand = cond.operand
    values = operand if isinstance(operand, list) else [operand]
    problems, codes = [], []
    for k, value in enumerate(values):
        code = vocab.normalise(value) if isinstance(value, str) else None
        if code is None:
            where = at + (k,) if isinstance(operand, list) else at
            problems.append(_vocabulary_problem(value, cond.field, vocab, where, located))
        codes.append(code)
    if not problems:
        setattr(cond, "in_" if op == "in" else op, codes if isinstance(operand, list) else codes[0])
    return problems


GRADE_TYPES = ("text", "one_of", "int")


def _sum_problems(value, at: tuple, located: Located) -> list[Problem]:
    """A sum in yuan the rulebook writes: whole fen, and not absurdly large."""
    if not isinstance(value, Decimal):
        return []
    shown = format(value, "f") if value.is_finite() and abs(value.adjusted()) < 40 else str(value)
    if value > MAX_SUM:
        return [located.problem(at, Text(f"金额 {shown} 元过大（上限 {MAX_SUM:,.0f} 元）",
                                         f"the sum {shown} yuan is too large (at most {MAX_SUM:,.0f} yuan)"),
                                Text("金额以元为单位：1万元写 10000，1亿元写 100000000",
                                     "sums are in yuan: 1万元 is 10000, 1亿元 is 100000000"), code="out_of_range")]
    if value != value.quantize(Decimal("0.01")):
        return [located.problem(at, Text(f"金额 {shown} 元不是整分：金额最多两位小数", f"the sum {shown} yuan is not a whole "
                                         "number of fen: a sum has at most two decimals"),
                                Text("金额以元为单位，写到分为止，如 1234.56", "sums are in yuan, to the fen, e.g. 1234.56"),
                                code="fraction_of_fen")]
    return []


def _check_amount(amount, path: tuple, book: Rulebook, located: Located) -> list[Problem]:
    problems = []

    def numeric_field(name: str | None, at: tuple, allowed: tuple[str, ...] = NUMERIC_TYPES, use: Text | None = None,
                      purpose: Text = Text("计算金额", "in an amount")):
        if name is None:
            return
        missing = _field_problem(name, path + at, located)
        if missing:
            problems.append(missing)
        elif catalog().fields[name].type not in allowed:
            kind = _type_word(catalog().fields[name])
            problems.append(located.problem(
                path + at, Text(f"字段 {name} 的类型为{kind.zh}，不能用来{purpose.zh}",
                                f"{name} is {kind.en} and cannot be used {purpose.en}"),
                use or Text("用类型为整数、金额或数字的字段（chuangye fields 列出类型）",
                            "use a whole-number, money or number field (`chuangye fields` lists the types)"),
                code="type_mismatch"))

    for name in ("value", "min", "max", "cumulative_cap", "rate", "rate_min", "rate_max", "cap"):
        problems += _sum_problems(getattr(amount, name, None), path + (name,), located)
    for name in ("tiers", "grades"):
        for i, item in enumerate(getattr(amount, name, None) or []):
            problems += _sum_problems(item.value, path + (name, i, "value"), located)

    if isinstance(amount, PerUnitAmount):
        numeric_field(amount.unit_field, ("unit_field",), ("int",), Text(
            "unit_field 写人数、户数、个数这样的整数字段，如 graduates_retained（chuangye fields 列出类型）",
            "unit_field counts people, households or businesses: use a whole-number field, e.g. graduates_retained"))
    elif isinstance(amount, PercentageAmount):
        numeric_field(amount.of_field, ("of_field",))
    elif isinstance(amount, TiersAmount):
        numeric_field(amount.field, ("field",))
    elif isinstance(amount, (UpToAmount, RangeAmount)):
        numeric_field(amount.received_field, ("received_field",), ("money",), Text(
            "received_field 写已领取金额（元）的金额字段，如 carrier_awards_received",
            "received_field holds the sum already received, in yuan: use a money field, e.g. carrier_awards_received"))
        if (amount.cumulative_cap is None) != (amount.received_field is None):
            problems.append(located.problem(
                path, Text("cumulative_cap（累计上限）与 received_field（已领取金额的字段）须同时给出",
                           "cumulative_cap and received_field go together"),
                Text("如 cumulative_cap: 2000000, received_field: carrier_awards_received",
                     "e.g. cumulative_cap: 2000000, received_field: carrier_awards_received"), code="incomplete_amount"))
    elif isinstance(amount, GradesAmount):
        # a grade is matched by its text: a money or decimal value is written in more than one way (5000, 5000.00)
        numeric_field(amount.field, ("field",), GRADE_TYPES, Text(
            "grades 的 field 写存放等级名称的文本或选项字段，如 project_grade；按金额、数量分档请用 kind: tiers",
            "the field of grades holds the grade's name: use a text or choice field, e.g. project_grade; for "
            "thresholds of a sum or a count use kind: tiers"), Text("评定等级", "as a grade"))
    elif isinstance(amount, FormulaAmount):
        for i, factor in enumerate(amount.factors):
            if factor.parameter is not None and factor.parameter not in book.parameters:
                defined = sorted(book.parameters)
                hint = did_you_mean(factor.parameter, defined) or Text(
                    "在文件顶层的 parameters 下定义它（description、unit、source、values），见 docs/rulebook-format.md",
                    "define it under the top-level parameters (description, unit, source, values)")
                problems.append(located.problem(
                    path + ("factors", i, "parameter"),
                    Text(f"公式引用的参数 {factor.parameter} 没有在 parameters 中定义",
                         f"the formula uses parameter {factor.parameter}, which parameters does not define"),
                    hint, code="unknown_parameter"))
            if factor.field is not None:
                numeric_field(factor.field, ("factors", i, "field"))
    elif isinstance(amount, PartsAmount):
        for i, part in enumerate(amount.parts):
            problems += _check_amount(part.amount, path + ("parts", i, "amount"), book, located)
    return problems
