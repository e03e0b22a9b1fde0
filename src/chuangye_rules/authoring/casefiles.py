"""Rulebook tests as data: YAML case files (profile + date → expected statuses and amounts).

Used by `chuangye test` and collected by pytest (tests/test_cases.py), so CI runs every case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..base.messages import Text, as_text
from ..base.problems import InputError, make_problem
from ..engine.amounts import checked_parameters
from ..engine.evaluation import evaluate
from ..engine.results import Condition, Status
from ..rules.loading import LoadedRulebook, load_rulebooks
from ..rules.profile import parse_profile
from ..rules.yamlsource import Located, load_located, read_text

AMOUNT_KEYS = ("kind", "value", "min", "max", "missing", "set_by")


@dataclass
class Case:
    file: str
    line: int | None
    rulebook: str
    name: str
    as_of: dt.date
    profile: dict
    expect: dict[str, dict]
    parameters: dict[str, Decimal] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Failure:
    case: Case
    benefit: str
    messages: list[Text]

    def format(self, lang: str = "zh") -> str:
        lines = [f"{self.case.where}: [{self.case.name}] {self.benefit}"]
        lines += [f"    {as_text(m).get(lang)}" for m in self.messages]
        return "\n".join(lines)


# The case files last read, by path, with their text: validating a rulebook runs the coverage check, which reads
# every case file, and an author's loop (or a test) validates again and again while the cases stay as they were.
# The text is read each time, so an edited file is parsed afresh; the cases are never changed once read.
_READ: dict[str, tuple[str, list[Case]]] = {}


def load_cases(path: Path) -> list[Case]:
    text = read_text(Path(path), "测试用例")
    known = _READ.get(str(path))
    if known is not None and known[0] == text:
        return list(known[1])
    cases = _parse_cases(text, path)
    if len(_READ) > 256:
        _READ.clear()
    _READ[str(path)] = (text, cases)
    return list(cases)


def _parse_cases(text: str, path: Path) -> list[Case]:
    located: Located = load_located(text, str(path))
    data = located.data
    if not isinstance(data, dict) or "cases" not in data or "rulebook" not in data:
        raise InputError([make_problem(str(path), 1, 1, Text("测试用例文件需要 rulebook: 与 cases: 两个键",
                                                            "a case file needs the two keys rulebook: and cases:"))])
    if not isinstance(data["rulebook"], str):
        raise InputError([located.problem(("rulebook",), Text("rulebook 应为规则库的城市标识，如 ordos",
                                                                "rulebook should be the rulebook's city id, e.g. ordos"))])
    if not isinstance(data["cases"], list):
        raise InputError([located.problem(("cases",), Text("cases 应为用例的列表（每个用例以“- name: …”开头）",
                                                             "cases should be a list of cases (each starting “- name: …”)"))])
    cases = []
    for i, raw in enumerate(data["cases"]):
        where = ("cases", i)
        line = located.where(where)[0]
        if not isinstance(raw, dict) or not {"name", "as_of", "profile", "expect"} <= set(raw):
            raise InputError([located.problem(where, Text("每个用例需要 name、as_of、profile、expect",
                                                            "each case needs name, as_of, profile and expect"))])
        unknown = set(raw) - {"name", "as_of", "profile", "expect", "parameters", "notes"}
        if unknown:
            raise InputError([located.problem(where, Text(f"不认识的键: {', '.join(sorted(unknown))}",
                                                                 f"unknown keys: {', '.join(sorted(unknown))}"))])
        if not isinstance(raw["as_of"], dt.date):
            raise InputError([located.problem(where + ("as_of",), Text("as_of 应为日期 YYYY-MM-DD", "as_of should be a date YYYY-MM-DD"))])
        for key in ("profile", "expect"):
            if not isinstance(raw[key], dict):
                raise InputError([located.problem(where + (key,), Text(
                    f"{key} 应为“键: 值”的映射", f"{key} should be a mapping of “key: value”"))])
        expect = {}
        for benefit_id, want in raw["expect"].items():
            at = where + ("expect", benefit_id)
            if not isinstance(want, (str, dict)):
                raise InputError([located.problem(at, Text(
                    "期望应为状态（如 eligible），或含 status、amount、missing 的映射",
                    "an expectation should be a status (e.g. eligible), or a mapping with status, amount, missing"))])
            want = {"status": want} if isinstance(want, str) else dict(want)
            if want.get("status") not in {s.value for s in Status}:
                raise InputError([located.problem(at, Text(f"未知的状态 {want.get('status')!r}",
                                                                 f"unknown status {want.get('status')!r}"))])
            if not isinstance(want.get("amount", {}), dict):
                raise InputError([located.problem(at + ("amount",), Text(
                    "amount 应为映射，如 {kind: exact, value: 5000}", "amount should be a mapping, e.g. {kind: exact, value: 5000}"))])
            if not isinstance(want.get("missing", []), list):
                raise InputError([located.problem(at + ("missing",), Text("missing 应为字段名的列表",
                                                                                  "missing should be a list of field names"))])
            expect[benefit_id] = want
        parameters = raw.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise InputError([located.problem(where + ("parameters",), Text("parameters 应为“参数名: 数值”的映射",
                                                                                "parameters should be a mapping of “name: number”"))])
        try:
            parameters = checked_parameters(parameters)
        except InputError:
            raise InputError([located.problem(where + ("parameters",), Text(
                "parameters 的值应为不小于 0 的数字", "the values of parameters should be numbers not below 0"))]) from None
        cases.append(Case(str(path), line, data["rulebook"], str(raw["name"]), raw["as_of"], raw["profile"], expect,
                          parameters))
    return cases


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list):
        return sorted(map(str, expected)) == sorted(map(str, actual or []))
    if isinstance(expected, (int, float, Decimal)) and not isinstance(expected, bool):
        try:
            return actual is not None and Decimal(str(expected)) == Decimal(actual)
        except (InvalidOperation, TypeError, ValueError):  # the result is no number (e.g. a list of facts)
            return False
    return expected == actual


def _tested(conditions: list[Condition]) -> list[Condition]:
    """Every node of the reason tree, parents first."""
    return [n for c in conditions for n in [c, *_tested(c.children)]]


def _as_written(node: Condition | BaseModel | None) -> str:
    """A condition or an amount rule as its author wrote it in the rulebook (its label, else its YAML form): the
    case file speaks to the rulebook's author, in the rulebook's own terms."""
    if node is None:
        return "—"
    if isinstance(node, Condition):
        if node.label:
            return node.label
        if node.test == "applicant_kind":
            return f"applicant_kinds: {node.operand}（申请人：{node.value}）"
        if node.field is None:
            return f"{node.test}: …"
        return f"{{field: {node.field}, {node.test}: {node.operand}}}（申请人：{node.value}）"
    return str(node.model_dump(exclude_defaults=True, by_alias=True, mode="json"))


def run_case(case: Case, books: list[LoadedRulebook]) -> list[Failure]:
    chosen = [b for b in books if b.slug == case.rulebook]
    if not chosen:
        return [Failure(case, "-", [Text(f"没有规则库 {case.rulebook}", f"no rulebook {case.rulebook}")])]
    profile = parse_profile(case.profile, case.where)
    result = evaluate(profile, chosen, as_of=case.as_of, city=case.rulebook, parameters=case.parameters)
    failures = []
    for benefit_id, want in case.expect.items():
        got = result.benefit(benefit_id)
        if got is None:
            failures.append(Failure(case, benefit_id, [Text("规则库中没有这项待遇", "the rulebook has no such benefit")]))
            continue
        messages = []
        if got.status.value != want["status"]:
            why = [f"{_as_written(c)} → {c.result}" for c in _tested(got.conditions) if c.result is not True]
            why += [f"{f.code} → {f.result}" for f in got.findings if f.result is not True]
            messages.append(Text(f"状态: 期望 {want['status']}，实际 {got.status.value}" + (f"（{'；'.join(why[:4])}）" if why else ""),
                                 f"status: expected {want['status']}, got {got.status.value}"
                                 + (f" ({'; '.join(why[:4])})" if why else "")))
        if "missing" in want and not _same(want["missing"], got.missing_facts):
            messages.append(Text(f"需补充: 期望 {want['missing']}，实际 {got.missing_facts}",
                                 f"missing: expected {want['missing']}, got {got.missing_facts}"))
        for key, expected in (want.get("amount") or {}).items():
            if key not in AMOUNT_KEYS:
                messages.append(Text(f"amount 中不认识的键 {key}", f"unknown key {key} in amount"))
                continue
            actual = getattr(got.amount, key)
            if not _same(expected, actual):
                messages.append(Text(f"金额 {key}: 期望 {expected}，实际 {actual}（{_as_written(got.amount.rule)}）",
                                     f"amount {key}: expected {expected}, got {actual} ({_as_written(got.amount.rule)})"))
        if messages:
            failures.append(Failure(case, benefit_id, messages))
    return failures


def case_files(paths: list[Path] | None = None) -> list[Path]:
    roots = paths or [Path("tests/cases")]
    files: list[Path] = []
    for root in roots:
        root = Path(root)
        if root.exists() and not root.is_dir() and not root.is_file():  # a pipe would block the reading
            raise InputError([make_problem(str(root), None, None, Text("不是普通文件（是设备或管道）",
                                                                      "not a regular file (a device or a pipe)"),
                                           Text("给出用例 .yaml 文件或所在目录", "give a case .yaml file or its folder"))])
        files += sorted(p for p in root.glob("*.yaml") if p.is_file()) if root.is_dir() else [root]
    return files


def run_files(paths: list[Path] | None = None, rulebook_paths: list[Path] | None = None) -> tuple[int, list[Failure]]:
    books = load_rulebooks(rulebook_paths)
    count, failures = 0, []
    for file in case_files(paths):
        for case in load_cases(file):
            count += 1
            failures += run_case(case, books)
    return count, failures


def exercised(paths: list[Path] | None = None) -> dict[str, set[str]]:
    """Benefit ids that some case asserts, per rulebook (for `chuangye test --coverage`)."""
    seen: dict[str, set[str]] = {}
    for file in case_files(paths):
        for case in load_cases(file):
            seen.setdefault(case.rulebook, set()).update(case.expect)
    return seen
