"""The two engines agree on generated rulebooks, not only on the bundled ones: seeded random rulebooks use every
condition operator on every field type it applies to, nested all / any / not, every amount kind with its options
(rate ranges and caps, percentages up to, cumulative tiers, formulas with fields, numbers and parameters with and
without a verified value, factor maxima, cumulative caps), exclusions and validity dates. Each is written as YAML
and must pass `chuangye validate`'s checks — so this also proves that what validate accepts, batch runs — and
then random applicants, on and around the rulebooks' boundaries, are evaluated both ways and compared."""

import datetime as dt
import random
from decimal import Decimal

import pytest
import yaml
from test_batch_equivalence import assert_engines_agree

from chuangye_rules import parse_profile
from chuangye_rules.authoring.lint import lint
from chuangye_rules.batch.compile import compile_rulebook
from chuangye_rules.batch.synthetic import (
    AMOUNT_KINDS_ALL,
    generated_facts,
    interesting_values,
    random_rulebook,
    relative_pairs,
)
from chuangye_rules.rules.loading import inspect_rulebook
from chuangye_rules.rules.schema import COMPARE_OPS, AllOf, AnyOf, Compare, NotOf, PartsAmount

BOOKS = 10  # per evaluation date
PROFILES = 250
AS_OF = [dt.date(2024, 2, 29), dt.date(2025, 1, 31), dt.date(2024, 12, 31)]
# --param values on one date: a verified value overridden, an open one given (with more decimals than a fen)
PARAMETERS = {dt.date(2024, 12, 31): {"wage_known": Decimal("1234.5"), "wage_open": Decimal("0.3333")}}


def validated(folder, rng, slug, as_of):
    """A generated rulebook that `chuangye validate` accepts, loaded as the commands load it. A draw whose
    comparisons contradict each other (lint: never_true — validate refuses it) is drawn again."""
    for attempt in range(20):
        data, source = random_rulebook(rng, slug, as_of)
        path = folder / f"{slug}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        (folder / "source.txt").write_text(source, encoding="utf-8")
        book, problems = inspect_rulebook(path)  # what `chuangye validate` runs on each file (validation.py)
        problems = problems + (lint(book) if book is not None else [])
        errors = [p for p in problems if p.severity == "error"]
        if [p.code for p in errors] and {p.code for p in errors} <= {"never_true"}:
            continue
        assert not errors, "\n".join(p.format() for p in errors)
        return book
    raise AssertionError("no valid draw")


def _nodes(node):
    yield node
    children = [node.not_] if isinstance(node, NotOf) else node.all if isinstance(node, AllOf) else \
        node.any if isinstance(node, AnyOf) else []
    for child in children:
        yield from _nodes(child)


def _amounts(amount):
    yield amount
    for part in amount.parts if isinstance(amount, PartsAmount) else []:
        yield from _amounts(part.amount)


def generated_books(tmp_path_factory, count: int = BOOKS) -> dict:
    """Per evaluation date, `count` seeded generated rulebooks that passed what `validate` runs (also test_sql.py)."""
    out = {}
    for as_of in AS_OF:
        rng = random.Random(f"rulebooks {as_of}")
        folder = tmp_path_factory.mktemp(f"generated-{as_of}")
        out[as_of] = [validated(folder, rng, f"gen{i}", as_of) for i in range(count)]
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generated_books(tmp_path_factory)


def test_the_generated_rulebooks_cover_every_operator_and_amount_kind(generated):
    books = [b.rulebook for books in generated.values() for b in books]
    nodes = [n for book in books for b in book.benefits if b.conditions for n in _nodes(b.conditions)]
    ops = {n.op for n in nodes if isinstance(n, Compare)}
    assert ops == set(COMPARE_OPS)
    assert {AllOf, AnyOf, NotOf} <= {type(n) for n in nodes}
    assert {n.op for n in nodes if isinstance(n, Compare) and n.operand == []} >= {"contains_any", "contains_all"}
    kinds = {a.kind for book in books for b in book.benefits for a in _amounts(b.amount)}
    assert kinds == set(AMOUNT_KINDS_ALL)
    amounts = [a for book in books for b in book.benefits for a in _amounts(b.amount)]
    options = {
        "rate range": any(a.kind == "per_unit" and a.rate_min is not None for a in amounts),
        "per unit cap": any(a.kind == "per_unit" and a.cap is not None for a in amounts),
        "percentage up_to": any(a.kind == "percentage" and a.up_to for a in amounts),
        "percentage cap": any(a.kind == "percentage" and a.cap is not None for a in amounts),
        "cumulative tiers": any(a.kind == "tiers" and a.cumulative for a in amounts),
        "tiers": any(a.kind == "tiers" and not a.cumulative for a in amounts),
        "cumulative cap": any(a.kind in ("up_to", "range") and a.cumulative_cap is not None for a in amounts),
        "decimal number factor": any(a.kind == "formula" and any(f.field in ("graduate_retention_rate", "student_founded_share")
                                                                 for f in a.factors) for a in amounts),
        "factor max": any(a.kind == "formula" and any(f.max is not None for f in a.factors) for a in amounts),
        "formula cap": any(a.kind == "formula" and a.cap is not None for a in amounts),
        "parameter with a value": any(f.parameter == "wage_known" for a in amounts if a.kind == "formula" for f in a.factors),
        "parameter without": any(f.parameter == "wage_open" for a in amounts if a.kind == "formula" for f in a.factors),
    }
    assert all(options.values()), options
    benefits = [b for book in books for b in book.benefits]
    assert any(b.exclusive_with for b in benefits)
    assert any(b.valid_from for b in benefits) and any(b.valid_to for b in benefits)


@pytest.mark.parametrize("as_of", AS_OF)
def test_batch_equals_check_on_generated_rulebooks(generated, as_of):
    books = generated[as_of]
    for book in books:  # validate accepts ⇒ the batch compiles
        compile_rulebook(book.rulebook, as_of)
    rng = random.Random(f"profiles {as_of}")
    rulebooks = [b.rulebook for b in books]
    interesting = interesting_values(rulebooks, as_of)
    pairs = [p for book in rulebooks for p in relative_pairs(book)]
    profiles = [parse_profile(generated_facts(rng, as_of, interesting, pairs)) for _ in range(PROFILES)]
    compared = assert_engines_agree(books, profiles, as_of, PARAMETERS.get(as_of))
    assert compared >= PROFILES * BOOKS * 12


def test_sets_held_as_text_on_generated_rulebooks(generated, monkeypatch):
    """The same with every multiple-choice column held as "|code|code|" text (a vocabulary of more than 64 codes)."""
    from chuangye_rules.batch import columnar

    monkeypatch.setattr(columnar, "SET_BITS", 4)
    test_batch_equals_check_on_generated_rulebooks(generated, AS_OF[0])
