"""Loading rulebooks: safe YAML → Pydantic model → checks against the profile field catalog → the vocabulary's
labels turned into its codes.

Every problem found is collected (not only the first) and reported with the file, line and column: Pydantic's
errors worded by authormessages.py, the checks beyond the schema by crosscheck.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

from pydantic import ValidationError

from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem
from . import rulecache
from .authormessages import pydantic_problems
from .books import (  # noqa: F401  (importable from here)
    LoadedRulebook,
    bundled_rulebook_dir,
    choose_city,
    city_names,
    default_rulebook_dir,
    inside,
    is_file,
    official_text,
    raw_bytes,
    rulebook_files,
)
from .catalog import catalog
from .checkconditions import vocabulary_of
from .crosscheck import check_rulebook
from .runtime import runtime_tree
from .schema import AllOf, AnyOf, Benefit, City, Compare, Document, NotEncoded, NotOf, Parameter, Rulebook, Target
from .visit import ConditionVisitor
from .yamlsource import Located, load_located, read_text


def load_rulebook(path: Path) -> LoadedRulebook:
    """Load and check one rulebook file; raises InputError listing every problem found. A file that passed every
    check before, unchanged, comes from the cache (rulecache.py)."""
    path = Path(path)
    raw = raw_bytes(path)
    if raw is not None:
        hit = rulecache.get(raw, lambda relative: official_text(path, relative))
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
        tree = runtime_tree(book.rulebook)
        if tree is not None and Rulebook.model_validate(dumped) == book.rulebook:  # only what reads back the same
            rulecache.put(raw, dumped, tree, book.rulebook.document.source, book.source_text)
    return book


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
    if doc is not None and not inside(doc.source):
        problems.append(located.problem(
            ("document", "source"),
            Text(f"原文路径 {doc.source[:80]} 不在规则库所在的目录中", f"the official text {doc.source[:80]} is outside the "
                 "rulebook's folder"),
            Text("source 写相对于规则库文件的路径，不以 / 开头、不含 ..，如 sources/ordos.txt",
                 "give a path relative to the rulebook, without a leading / or .., e.g. sources/ordos.txt"),
            code="source_outside"))
    elif doc is not None:
        source_path = path.parent / doc.source
        if is_file(source_path):
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
    normalise_codes(rulebook)
    return LoadedRulebook(rulebook, path, located, source_text, partial), problems


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
    if not files:  # a wrong --rulebooks: every command says so (a batch rejected every row as of no city, exit 0)
        raise InputError([make_problem(", ".join(str(p) for p in paths or []) or "rulebooks", None, None,
                                       Text("没有找到规则库（所指的目录中没有任何规则库 *.yaml 文件）",
                                            "no rulebook found (the folder given holds no rulebook *.yaml file)"),
                                       Text("--rulebooks 指定规则库所在的目录或文件", "give the rulebooks' folder or files with "
                                            "--rulebooks"), code="unreadable")])
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
        raise InputError([make_problem(str(files[0].parent), None, None, Text(
            f"多个规则库使用同一城市标识: {', '.join(dup)}", f"several rulebooks use the same city id: {', '.join(dup)}"))])
    return choose_city(books, city) if city else books


def normalise_codes(book: Rulebook) -> None:
    """Write the vocabulary's codes where the author wrote its labels or other accepted spellings (applicant kinds,
    the values compared with a choice field), so every engine compares codes only. In place, on the rulebook just
    built by loading; a value that is no known spelling is left as written (check_rulebook reported it), and a
    comparison is rewritten only when all its values are known."""
    kinds = catalog().vocabularies["applicant_kind"]
    for benefit in book.benefits:
        for k, kind in enumerate(benefit.applicant_kinds):
            code = kinds.normalise(kind)
            if code is not None:
                benefit.applicant_kinds[k] = code
        if benefit.conditions is not None:
            _NORMALISE.visit(benefit.conditions)


class _NormaliseComparisons(ConditionVisitor[None]):
    def all_of(self, node: AllOf) -> None:
        for child in node.all:
            self.visit(child)

    def any_of(self, node: AnyOf) -> None:
        for child in node.any:
            self.visit(child)

    def not_of(self, node: NotOf) -> None:
        self.visit(node.not_)

    def compare(self, node: Compare) -> None:
        vocabulary = vocabulary_of(node)
        if vocabulary is None:
            return
        vocab = catalog().vocabularies[vocabulary]
        operand = node.operand
        values = operand if isinstance(operand, list) else [operand]
        codes = [vocab.normalise(value) if isinstance(value, str) else None for value in values]
        if None not in codes:
            setattr(node, "in_" if node.op == "in" else node.op, codes if isinstance(operand, list) else codes[0])


_NORMALISE = _NormaliseComparisons()
