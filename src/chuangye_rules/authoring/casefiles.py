"""Rulebook tests as data: YAML case files (profile + date → expected statuses and amounts).

Used by `chuangye test` and collected by pytest (tests/test_cases.py), so CI runs every case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..base.problems import InputError, Problem
from ..engine.amounts import checked_parameters
from ..engine.evaluation import evaluate
from ..engine.results import Status
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
    messages: list[str]

    def format(self) -> str:
        lines = [f"{self.case.where}: [{self.case.name}] {self.benefit}"]
        lines += [f"    {m}" for m in self.messages]
        return "\n".join(lines)


def load_cases(path: Path) -> list[Case]:
    located: Located = load_located(read_text(Path(path), "测试用例"), str(path))
    data = located.data
    if not isinstance(data, dict) or "cases" not in data or "rulebook" not in data:
        raise InputError([Problem(str(path), 1, 1, "测试用例文件需要 rulebook: 与 cases: 两个键")])
    if not isinstance(data["rulebook"], str):
        raise InputError([located.problem(("rulebook",), "rulebook 应为规则库的城市标识，如 ordos")])
    if not isinstance(data["cases"], list):
        raise InputError([located.problem(("cases",), "cases 应为用例的列表（每个用例以“- name: …”开头）")])
    cases = []
    for i, raw in enumerate(data["cases"]):
        where = ("cases", i)
        line = located.where(where)[0]
        if not isinstance(raw, dict) or not {"name", "as_of", "profile", "expect"} <= set(raw):
            raise InputError([located.problem(where, "每个用例需要 name、as_of、profile、expect")])
        unknown = set(raw) - {"name", "as_of", "profile", "expect", "parameters", "notes"}
        if unknown:
            raise InputError([located.problem(where, f"不认识的键: {', '.join(sorted(unknown))}")])
        if not isinstance(raw["as_of"], dt.date):
            raise InputError([located.problem(where + ("as_of",), "as_of 应为日期 YYYY-MM-DD")])
        for key in ("profile", "expect"):
            if not isinstance(raw[key], dict):
                raise InputError([located.problem(where + (key,), f"{key} 应为“键: 值”的映射")])
        expect = {}
        for benefit_id, want in raw["expect"].items():
            at = where + ("expect", benefit_id)
            if not isinstance(want, (str, dict)):
                raise InputError([located.problem(at, "期望应为状态（如 eligible），或含 status、amount、missing 的映射")])
            want = {"status": want} if isinstance(want, str) else dict(want)
            if want.get("status") not in {s.value for s in Status}:
                raise InputError([located.problem(at, f"未知的状态 {want.get('status')!r}")])
            if not isinstance(want.get("amount", {}), dict):
                raise InputError([located.problem(at + ("amount",), "amount 应为映射，如 {kind: exact, value: 5000}")])
            if not isinstance(want.get("missing", []), list):
                raise InputError([located.problem(at + ("missing",), "missing 应为字段名的列表")])
            expect[benefit_id] = want
        parameters = raw.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise InputError([located.problem(where + ("parameters",), "parameters 应为“参数名: 数值”的映射")])
        try:
            parameters = checked_parameters(parameters)
        except InputError:
            raise InputError([located.problem(where + ("parameters",), "parameters 的值应为不小于 0 的数字")]) from None
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


def run_case(case: Case, books: list[LoadedRulebook]) -> list[Failure]:
    chosen = [b for b in books if b.slug == case.rulebook]
    if not chosen:
        return [Failure(case, "-", [f"没有规则库 {case.rulebook}"])]
    profile = parse_profile(case.profile, case.where)
    result = evaluate(profile, chosen, as_of=case.as_of, city=case.rulebook, parameters=case.parameters)
    failures = []
    for benefit_id, want in case.expect.items():
        got = result.benefit(benefit_id)
        if got is None:
            failures.append(Failure(case, benefit_id, ["规则库中没有这项待遇"]))
            continue
        messages = []
        if got.status.value != want["status"]:
            why = [f"{r.text} → {r.result}" for r in got.reasons if r.result is not True]
            messages.append(f"状态: 期望 {want['status']}，实际 {got.status.value}" + (f"（{'；'.join(why[:4])}）" if why else ""))
        if "missing" in want and not _same(want["missing"], got.missing_facts):
            messages.append(f"需补充: 期望 {want['missing']}，实际 {got.missing_facts}")
        for key, expected in (want.get("amount") or {}).items():
            if key not in AMOUNT_KEYS:
                messages.append(f"amount 中不认识的键 {key}")
                continue
            actual = getattr(got.amount, key)
            if not _same(expected, actual):
                messages.append(f"金额 {key}: 期望 {expected}，实际 {actual}（{got.amount.description}）")
        if messages:
            failures.append(Failure(case, benefit_id, messages))
    return failures


def case_files(paths: list[Path] | None = None) -> list[Path]:
    roots = paths or [Path("tests/cases")]
    files: list[Path] = []
    for root in roots:
        root = Path(root)
        files += sorted(root.glob("*.yaml")) if root.is_dir() else [root]
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
