"""Loading rulebooks: safe YAML → Pydantic model → checks against the profile field catalog.

Every problem found is collected (not only the first) and reported with the file, line and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from .catalog import NUMERIC_TYPES, catalog
from .schema import (
    AllOf, AnyOf, Benefit, Compare, FormulaAmount, GradesAmount, NotOf, PartsAmount, PercentageAmount,
    PerUnitAmount, RangeAmount, Rulebook, TiersAmount, UpToAmount,
)
from .yamlsource import MESSAGES_ZH, InputError, Located, Problem, load_located, read_text


@dataclass
class LoadedRulebook:
    rulebook: Rulebook
    path: Path
    located: Located
    source_text: str | None  # the official text of the document, for quote checks

    @property
    def slug(self) -> str:
        return self.rulebook.city.slug


def bundled_rulebook_dir() -> Path:
    """The rulebooks shipped in the wheel, or the repository's folder when running from a checkout."""
    packaged = resources.files("chuangye_rules").joinpath("rulebooks")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "rulebooks"


def rulebook_files(paths: Iterable[Path] | None = None) -> list[Path]:
    roots = list(paths) if paths else [bundled_rulebook_dir()]
    files: list[Path] = []
    for root in roots:
        root = Path(root)
        if root.is_dir():
            files.extend(sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml")))
        elif root.exists():
            files.append(root)
        else:
            raise InputError([Problem(str(root), None, None, "找不到规则库文件或目录")])
    return files


def load_rulebook(path: Path) -> LoadedRulebook:
    """Load and check one rulebook file; raises InputError listing every problem found."""
    path = Path(path)
    located = load_located(read_text(path, "规则库"), str(path))
    try:
        rulebook = Rulebook.model_validate(located.data)
    except ValidationError as error:
        raise InputError(pydantic_problems(error, located)) from None
    source_text = None
    source_path = path.parent / rulebook.document.source
    problems: list[Problem] = []
    if source_path.is_file():
        source_text = source_path.read_text(encoding="utf-8")
    else:
        problems.append(located.problem(("document", "source"), f"找不到文件原文 {rulebook.document.source}",
                                        "原文应放在 rulebooks/sources/ 下"))
    problems += check_rulebook(rulebook, located)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems)
    return LoadedRulebook(rulebook, path, located, source_text)


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
    if city:
        chosen = [b for b in books if city in (b.slug, b.rulebook.city.zh, b.rulebook.city.en)]
        if not chosen:
            known = "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in books)
            raise InputError([Problem("--city", None, None, f"没有城市 {city!r} 的规则库", f"可选: {known}")])
        books = chosen
    return books


# ------------------------------------------------------------------ pydantic errors → located problems



def pydantic_problems(error: ValidationError, located: Located) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path = _yaml_path(item["loc"], located)
        message = MESSAGES_ZH.get(item["type"], "")
        detail = item["msg"].removeprefix("Value error, ")
        dotted = ".".join(str(p) for p in path) or "(root)"
        if item["type"] == "extra_forbidden":
            hint = "请检查拼写，或删除该键"
        elif item["type"] == "missing":
            hint = f"需要键 {item['loc'][-1]}"
        else:
            hint = None
        text = f"{dotted}: {message + '：' if message else ''}{detail}"
        problems.append(located.problem(path, text, hint))
    return problems


def _yaml_path(loc: tuple, located: Located) -> tuple:
    """Follow a Pydantic error location through the YAML, skipping union tags that are not keys."""
    path: tuple = ()
    node = located.data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path += (part,)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path += (part,)
            node = node[part]
        elif isinstance(node, dict) and part not in node and loc[-1] == part:
            path += (part,)  # the missing or extra key itself: where() falls back to the parent
    return path


# ------------------------------------------------------------------ checks beyond the schema


def check_rulebook(book: Rulebook, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    cat = catalog()
    kinds = cat.vocabularies["applicant_kind"]
    ids: dict[str, int] = {}
    doc = book.document
    if doc.in_force_to and doc.in_force_to < doc.in_force_from:
        problems.append(located.problem(("document", "in_force_to"), "有效期截止早于生效日期"))
    for i, benefit in enumerate(book.benefits):
        base = ("benefits", i)
        if benefit.id in ids:
            problems.append(located.problem(base + ("id",), f"重复的待遇标识 {benefit.id}（另见第 {ids[benefit.id] + 1} 项）"))
        ids.setdefault(benefit.id, i)
        for k, kind in enumerate(benefit.applicant_kinds):
            code = kinds.normalise(kind)
            if code is None:
                problems.append(located.problem(base + ("applicant_kinds", k), f"未知的申请人类型 {kind!r}",
                                                "可选: " + "、".join(f"{c}（{z}）" for c, z in kinds.labels.items())))
            else:
                benefit.applicant_kinds[k] = code
        if benefit.conditions is not None:
            problems += _check_condition(benefit.conditions, base + ("conditions",), located)
        problems += _check_amount(benefit.amount, base + ("amount",), book, located)
        problems += _check_validity(benefit, base, doc.in_force_from, doc.in_force_to, located)
    for i, benefit in enumerate(book.benefits):
        for k, other in enumerate(benefit.exclusive_with):
            if other not in ids:
                problems.append(located.problem(("benefits", i, "exclusive_with", k), f"互斥的待遇 {other!r} 不存在"))
            elif other == benefit.id:
                problems.append(located.problem(("benefits", i, "exclusive_with", k), "待遇不能与自身互斥"))
    return problems


def _check_validity(benefit: Benefit, base, start: dt.date, end: dt.date | None, located: Located) -> list[Problem]:
    problems = []
    if benefit.valid_from and benefit.valid_to and benefit.valid_to < benefit.valid_from:
        problems.append(located.problem(base + ("valid_to",), "有效期截止早于生效日期"))
    if benefit.valid_from and benefit.valid_from < start:
        problems.append(located.problem(base + ("valid_from",), f"早于文件生效日期 {start}"))
    return problems


def _field_problem(name: str, path: tuple, located: Located) -> Problem | None:
    cat = catalog()
    if name in cat.fields:
        return None
    suggestion = cat.resolve(name) or cat.suggest(name)
    hint = f"是否想写 {suggestion}？" if suggestion else "字段须在 fields.yaml 中定义"
    return located.problem(path, f"申请人信息中没有字段 {name!r}", hint)


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
    bad = lambda msg, hint=None: [located.problem(at, msg, hint)]  # noqa: E731
    if op in ("contains", "contains_any", "contains_all"):
        if spec.type != "set_of":
            return bad(f"{op} 只能用于多选字段，{cond.field} 的类型是 {spec.type}", "单值字段请用 eq 或 in")
        return _normalise_values(cond, op, spec.vocabulary, at, located)
    if op in ("within_last", "at_least_ago", "same_year_as_evaluation", "within_after"):
        if spec.type != "date":
            return bad(f"{op} 只能用于日期字段，{cond.field} 的类型是 {spec.type}")
        if op == "within_after":
            other = _field_problem(operand.field, at + ("field",), located)
            if other:
                return [other]
            if catalog().fields[operand.field].type != "date":
                return bad(f"within_after 的参照字段 {operand.field} 不是日期")
        return []
    values = operand if op in ("in", "not_in") else [operand]
    if spec.type in ("one_of",):
        return _normalise_values(cond, op, spec.vocabulary, at, located)
    if spec.type == "set_of":
        return bad(f"{cond.field} 是多选字段，请用 contains / contains_any / contains_all")
    for value in values:
        if not _value_fits(spec.type, value):
            return bad(f"{cond.field}（{spec.type}）不能与 {value!r}（{type(value).__name__}）比较",
                       "日期写作 2023-01-01，数字不加引号，布尔值写 true/false")
    if spec.type == "bool" and op not in ("eq", "ne"):
        return bad(f"布尔字段 {cond.field} 只能用 eq 或 ne")
    return []


def _value_fits(field_type: str, value) -> bool:
    if field_type == "bool":
        return isinstance(value, bool)
    if field_type in NUMERIC_TYPES:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if field_type == "date":
        return isinstance(value, dt.date)
    return isinstance(value, str)


def _normalise_values(cond: Compare, op: str, vocab_name: str, at: tuple, located: Located) -> list[Problem]:
    vocab = catalog().vocabularies[vocab_name]
    operand = cond.operand
    values = operand if isinstance(operand, list) else [operand]
    problems, codes = [], []
    for value in values:
        code = vocab.normalise(value) if isinstance(value, str) else None
        if code is None:
            problems.append(located.problem(at, f"{value!r} 不在 {vocab_name} 的取值中",
                                            "可选: " + "、".join(f"{c}（{z}）" for c, z in vocab.labels.items())))
        codes.append(code)
    if not problems:
        setattr(cond, "in_" if op == "in" else op, codes if isinstance(operand, list) else codes[0])
    return problems


def _check_amount(amount, path: tuple, book: Rulebook, located: Located) -> list[Problem]:
    problems = []

    def numeric_field(name: str | None, key: str):
        if name is None:
            return
        missing = _field_problem(name, path + (key,), located)
        if missing:
            problems.append(missing)
        elif catalog().fields[name].type not in NUMERIC_TYPES:
            problems.append(located.problem(path + (key,), f"{name} 不是数值字段，不能用于计算金额"))

    if isinstance(amount, PerUnitAmount):
        numeric_field(amount.unit_field, "unit_field")
    elif isinstance(amount, PercentageAmount):
        numeric_field(amount.of_field, "of_field")
    elif isinstance(amount, TiersAmount):
        numeric_field(amount.field, "field")
    elif isinstance(amount, (UpToAmount, RangeAmount)):
        numeric_field(amount.received_field, "received_field")
        if (amount.cumulative_cap is None) != (amount.received_field is None):
            problems.append(located.problem(path, "cumulative_cap 与 received_field 须同时给出"))
    elif isinstance(amount, GradesAmount):
        missing = _field_problem(amount.field, path + ("field",), located)
        if missing:
            problems.append(missing)
    elif isinstance(amount, FormulaAmount):
        for i, factor in enumerate(amount.factors):
            if factor.parameter is not None and factor.parameter not in book.parameters:
                problems.append(located.problem(path + ("factors", i, "parameter"),
                                                f"参数 {factor.parameter!r} 未在 parameters 中定义"))
            if factor.field is not None:
                numeric_field(factor.field, "factors")
    elif isinstance(amount, PartsAmount):
        for i, part in enumerate(amount.parts):
            problems += _check_amount(part.amount, path + ("parts", i, "amount"), book, located)
    return problems
