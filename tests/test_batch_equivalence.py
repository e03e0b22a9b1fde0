"""`batch` and `check` can never disagree: random profiles (facts on and around every threshold) are
evaluated both ways — the columnar engine and the reference evaluator — and every result compared."""

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from chuangye_rules import evaluate, load_rulebooks, parse_profile
from chuangye_rules.batch.compile import compile_rulebook, missing_names, result_columns
from chuangye_rules.batch.engine import evaluate_chunk, row_totals
from chuangye_rules.batch.frames import frame_from_profiles
from chuangye_rules.batch.synthetic import interesting_values, random_facts

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

N = 400  # per evaluation date; the generated rulebooks (test_generated_rulebooks.py) cover every operator
MINI = Path(__file__).parent / "fixtures" / "rulebooks"  # has an exclusion two applicants can both reach


@pytest.fixture(scope="module")
def all_books(books):
    return list(books) + load_rulebooks([MINI])


def fen(value):
    if value is None:
        return None
    assert Decimal(value) * 100 == int(Decimal(value) * 100), f"{value} is not a whole number of fen"
    return int(Decimal(value) * 100)


_REFERENCE: dict = {}  # (profile, date, parameters, city, books) -> the reference evaluator's answers for that city
_KEPT: list = []  # the books of every key, kept alive so that their ids are never reused


def reference(profile, books, as_of, given, slug):
    """The reference evaluator's answers for one profile and city, as compared: {benefit id: (status, amount
    kind, value / min / max in fen, missing facts, excluded_by)} and the totals in fen. Computed once per test
    session and worker: the sets-as-text tests compare the batch again on the very profiles and dates of the plain
    ones, and evaluate() is deterministic (test_results_are_deterministic_and_independent_of_rulebook_order). Only
    the answers are kept, not the results: holding some 10⁵ result models made Python's garbage collector walk
    them again and again, which doubled the evaluator's time."""
    key = (profile.model_dump_json(), as_of, tuple(sorted(given.items())), slug, tuple(id(b) for b in books))
    if key not in _REFERENCE:
        _KEPT.append(books)
        city = evaluate(profile, books, as_of=as_of, city=slug, parameters=given).cities[0]
        _REFERENCE[key] = (
            {r.id: (r.status.value, r.amount.kind, fen(r.amount.value), fen(r.amount.min), fen(r.amount.max),
                    r.missing_facts, r.excluded_by) for r in city.benefits},
            (fen(city.totals.exact), fen(city.totals.up_to), city.totals.unquantified))
    return _REFERENCE[key]


def assert_engines_agree(books, profiles, as_of, parameters=None) -> int:
    """Every benefit of every book for every profile, both ways: status, amount kind, value / min / max (fen),
    missing facts and exclusion, and the totals. `parameters`: values given for parameters (--param), each
    passed to the books that define it. Returns the number of results compared."""
    frame = frame_from_profiles(profiles, [b.rulebook for b in books])
    compared = 0
    for book in books:
        given = {k: v for k, v in (parameters or {}).items() if k in book.rulebook.parameters}
        compiled = compile_rulebook(book.rulebook, as_of, given)
        book_benefits = {b.id: b for b in book.rulebook.benefits}
        wide = evaluate_chunk(frame, compiled)
        sums = row_totals(wide, compiled).to_dicts()
        rows = wide.to_dicts()
        for i, profile in enumerate(profiles):
            expected, expected_totals = reference(profile, books, as_of, given, book.slug)
            assert list(expected) == list(book_benefits)
            for benefit_id, want in expected.items():
                c = result_columns(benefit_id)
                got = rows[i]
                have = (got[c["status"]], got[c["kind"]], got[c["value"]], got[c["min"]], got[c["max"]],
                        missing_names(book_benefits[benefit_id], got[c["missing"]]), got[f"{benefit_id}::excluded_by"])
                assert have == want, f"{book.slug}.{benefit_id} row {i}: batch {have} != check {want}\n{profile.known()}"
                compared += 1
            assert (sums[i]["exact_fen"], sums[i]["up_to_fen"], sums[i]["unquantified"]) == expected_totals
    return compared


_PROFILES: dict = {}


def random_profiles(books, as_of) -> list:
    """The N random profiles of a date, generated once per worker and shared by the tests of this file."""
    key = (as_of, tuple(id(b) for b in books))
    if key not in _PROFILES:
        _KEPT.append(books)
        rng = random.Random(as_of.toordinal())
        interesting = interesting_values([b.rulebook for b in books], as_of)
        _PROFILES[key] = [parse_profile(random_facts(rng, as_of, interesting)) for _ in range(N)]
    return _PROFILES[key]


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 1), dt.date(2025, 2, 28), dt.date(2019, 6, 1)])
def test_batch_equals_check_for_random_profiles(all_books, as_of):
    assert assert_engines_agree(all_books, random_profiles(all_books, as_of), as_of) > N * 100


def test_sets_held_as_text_give_the_same_answers(all_books, monkeypatch):
    """A multiple-choice column is a UInt64 of bits when its vocabulary has at most 64 codes, "|code|code|"
    text beyond that: with every vocabulary made too big for bits, batch must still give check's answers."""
    from chuangye_rules.batch import columnar

    monkeypatch.setattr(columnar, "SET_BITS", 4)
    assert frame_from_profiles([parse_profile({"identities": ["veteran"]})])["identities"].dtype == pl.String
    test_batch_equals_check_for_random_profiles(all_books, dt.date(2024, 6, 1))


def test_the_synthetic_profiles_reach_every_status(all_books):
    books = all_books
    """Guard against a vacuous comparison: the random profiles compared above must produce each status in
    quantity (the very profiles of 2024-06-01, and the reference results computed for them, when that test ran
    first in this worker)."""
    as_of = dt.date(2024, 6, 1)
    seen = {}
    for profile in random_profiles(books, as_of):
        for book in books:
            for want in reference(profile, books, as_of, {}, book.slug)[0].values():
                seen[want[0]] = seen.get(want[0], 0) + 1
    for status in ("eligible", "needs_info", "not_eligible", "excluded", "already_received"):
        assert seen.get(status, 0) >= 3, seen
