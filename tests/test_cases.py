"""The rulebooks' YAML case files (tests/cases/*.yaml), one pytest item per case."""

from pathlib import Path

import pytest

from chuangye_rules.authoring.casefiles import case_files, load_cases, run_case

CASES_DIR = Path(__file__).parent / "cases"
CASES = [case for file in case_files([CASES_DIR]) for case in load_cases(file)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rulebook}:{c.name}" for c in CASES])
def test_case(case, books):
    failures = run_case(case, books)
    assert not failures, "\n".join(f.format() for f in failures)


def test_every_bundled_rulebook_has_cases(books):
    covered = {c.rulebook for c in CASES}
    assert {b.slug for b in books} <= covered


def test_every_benefit_with_conditions_has_a_qualifying_case_and_a_near_miss(books):
    """The standard for a rulebook test: each conditional benefit is shown granted and shown refused."""
    seen: dict[tuple[str, str], set[str]] = {}
    for case in CASES:
        for benefit_id, want in case.expect.items():
            seen.setdefault((case.rulebook, benefit_id), set()).add(want["status"])
    gaps = []
    for book in books:
        for benefit in book.rulebook.benefits:
            if benefit.conditions is None:
                continue
            statuses = seen.get((book.slug, benefit.id), set())
            if "eligible" not in statuses or "not_eligible" not in statuses:
                gaps.append(f"{book.slug}.{benefit.id}: {sorted(statuses)}")
    assert not gaps, "benefits without both a qualifying case and a near miss:\n" + "\n".join(gaps)
