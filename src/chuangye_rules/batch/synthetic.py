"""Seeded synthetic applicants whose facts sit on and around every threshold the rulebooks test.

Used by the check-vs-batch equivalence test and by the benchmark (bench/), so both exercise the edges
(a date one day inside or outside 毕业5年内, 49 or 50 employees) and not only typical values.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..catalog import catalog
from ..dates import shift
from ..evaluation import paid_once, pays_tiers_once
from ..history import HISTORY
from ..schema import (
    AllOf, AnyOf, Compare, GradesAmount, NotOf, PercentageAmount, PerUnitAmount, Rulebook, TiersAmount,
)


def _compares(node):
    if isinstance(node, Compare):
        yield node
    elif isinstance(node, NotOf):
        yield from _compares(node.not_)
    elif isinstance(node, (AllOf, AnyOf)):
        for child in (node.all if isinstance(node, AllOf) else node.any):
            yield from _compares(child)


def interesting_values(books: list[Rulebook], as_of: dt.date) -> dict[str, list]:
    """Per field, the literals and date boundaries the rulebooks compare against, and their neighbours."""
    cat = catalog()
    values: dict[str, list] = {name: [] for name in cat.fields}
    one_day = dt.timedelta(days=1)
    for book in books:
        paired = {i for b in book.benefits for i in (b.id, *b.exclusive_with) if b.exclusive_with}
        for benefit in book.benefits:
            # histories that matter: one-off money received (tiers with and without the amounts paid), and a
            # benefit whose partner is then excluded
            if paid_once(benefit) or benefit.id in paired:
                values[HISTORY].append(f"{book.city.slug}.{benefit.id}")
            if pays_tiers_once(benefit):
                values[HISTORY] += [f"{book.city.slug}.{benefit.id}={t.value}" for t in benefit.amount.tiers]
            for node in (_compares(benefit.conditions) if benefit.conditions else ()):
                spec = cat.fields[node.field]
                op, x = node.op, node.operand
                if op in ("within_last", "at_least_ago"):
                    edge = shift(as_of, x.years, x.months, x.days, sign=-1)
                    values[node.field] += [edge - one_day, edge, edge + one_day]
                elif op == "same_year_as_evaluation":
                    values[node.field] += [dt.date(as_of.year, 1, 1), dt.date(as_of.year - 1, 12, 31)]
                elif op in ("gt", "gte", "lt", "lte", "eq", "ne") and spec.type in ("int", "money", "number"):
                    base = Decimal(str(x))
                    values[node.field] += [base - 1, base, base + 1]
                elif op in ("in", "not_in") and spec.type not in ("one_of",):
                    values[node.field] += list(x)
            amount = benefit.amount
            if isinstance(amount, TiersAmount):
                for t in amount.tiers:
                    values[amount.field] += [t.at_least - 1, t.at_least]
            if isinstance(amount, GradesAmount):
                values[amount.field] += [g.grade for g in amount.grades]
            if isinstance(amount, PerUnitAmount) and amount.cap is not None:
                rate = amount.rate or amount.rate_max
                values[amount.unit_field] += [int(amount.cap // rate), int(amount.cap // rate) + 1]
            if isinstance(amount, PercentageAmount) and amount.cap is not None:
                values[amount.of_field] += [amount.cap * 100 / amount.percent, Decimal("12345.67")]
    return values


def random_facts(rng: random.Random, as_of: dt.date, interesting: dict[str, list], present: float = 0.75) -> dict:
    """One applicant's facts (Python values, as a profile holds them); absent facts are simply left out."""
    cat = catalog()
    facts: dict = {}
    for name, spec in cat.fields.items():
        if spec.personal or rng.random() > present:
            continue
        near = [v for v in interesting.get(name, []) if v is not None]
        if name == HISTORY:
            if not near or rng.random() < 0.5:
                continue
            value = "、".join(rng.sample(near, min(len(near), rng.choice([1, 1, 2, 3]))))
        elif spec.type == "bool":
            value = rng.random() < 0.6
        elif spec.type == "int":
            pool = [int(v) for v in near if Decimal(v) >= 0] + [0, 1, 2, 3, 10, 60]
            value = max(0, rng.choice(pool))
        elif spec.type == "money":
            pool = [Decimal(v) for v in near if Decimal(v) >= 0] + [Decimal(0), Decimal("4500"), Decimal("3000000")]
            value = max(Decimal(0), rng.choice(pool)).quantize(Decimal("0.01"))
        elif spec.type == "number":
            pool = [Decimal(v) for v in near] + [Decimal("5"), Decimal("12.5"), Decimal("60")]
            value = rng.choice(pool)
        elif spec.type == "date":
            pool = [v for v in near if isinstance(v, dt.date)]
            value = rng.choice(pool) if pool and rng.random() < 0.7 else as_of - dt.timedelta(days=rng.randint(0, 4000))
        elif spec.type == "one_of":
            value = rng.choice(list(cat.vocabularies[spec.vocabulary].labels))
        elif spec.type == "set_of":
            codes = list(cat.vocabularies[spec.vocabulary].labels)
            value = sorted(rng.sample(codes, rng.choice([0, 1, 1, 2, 3])))
        else:
            pool = [v for v in near if isinstance(v, str)] + ["1", "2", "3"]
            value = rng.choice(pool)
        facts[name] = value
    return facts
