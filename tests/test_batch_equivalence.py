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
from chuangye_rules.batch.engine import evaluate_chunk, totals
from chuangye_rules.batch.frames import frame_from_profiles
from chuangye_rules.batch.synthetic import interesting_values, random_facts

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
        sums = totals(wide, compiled).to_dicts()
        rows = wide.to_dicts()
        for i, profile in enumerate(profiles):
            expected = evaluate(profile, books, as_of=as_of, city=book.slug, parameters=given).cities[0]
            for r in expected.benefits:
                c = result_columns(r.id)
                got = rows[i]
                want = (r.status.value, r.amount.kind, fen(r.amount.value), fen(r.amount.min), fen(r.amount.max),
                        r.missing_facts, r.excluded_by)
                have = (got[c["status"]], got[c["kind"]], got[c["value"]], got[c["min"]], got[c["max"]],
                        missing_names(book_benefits[r.id], got[c["missing"]]), got[f"{r.id}::excluded_by"])
                assert have == want, f"{book.slug}.{r.id} row {i}: batch {have} != check {want}\n{profile.known()}"
                compared += 1
            assert (sums[i]["exact_fen"], sums[i]["up_to_fen"], sums[i]["unquantified"]) == (
                fen(expected.totals.exact), fen(expected.totals.up_to), expected.totals.unquantified)
    return compared


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 1), dt.date(2025, 2, 28), dt.date(2019, 6, 1)])
def test_batch_equals_check_for_random_profiles(all_books, as_of):
    books = all_books
    rng = random.Random(as_of.toordinal())
    interesting = interesting_values([b.rulebook for b in books], as_of)
    profiles = [parse_profile(random_facts(rng, as_of, interesting)) for _ in range(N)]
    assert assert_engines_agree(books, profiles, as_of) > N * 100


def test_sets_held_as_text_give_the_same_answers(all_books, monkeypatch):
    """A multiple-choice column is a UInt64 of bits when its vocabulary has at most 64 codes, "|code|code|"
    text beyond that: with every vocabulary made too big for bits, batch must still give check's answers."""
    from chuangye_rules.batch import columnar

    monkeypatch.setattr(columnar, "SET_BITS", 4)
    assert frame_from_profiles([parse_profile({"identities": ["veteran"]})])["identities"].dtype == pl.String
    test_batch_equals_check_for_random_profiles(all_books, dt.date(2024, 6, 1))


def test_the_synthetic_profiles_reach_every_status(all_books):
    books = all_books
    """Guard against a vacuous comparison: the random profiles must produce each status in quantity."""
    as_of = dt.date(2024, 6, 1)
    rng = random.Random(1)
    interesting = interesting_values([b.rulebook for b in books], as_of)
    seen = {}
    for _ in range(300):
        profile = parse_profile(random_facts(rng, as_of, interesting))
        for book in books:
            for r in evaluate(profile, books, as_of=as_of, city=book.slug).cities[0].benefits:
                seen[r.status.value] = seen.get(r.status.value, 0) + 1
    for status in ("eligible", "needs_info", "not_eligible", "excluded", "already_received"):
        assert seen.get(status, 0) >= 3, seen
