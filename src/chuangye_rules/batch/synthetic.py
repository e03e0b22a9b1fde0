"""Seeded synthetic applicants whose facts sit on and around every threshold the rulebooks test.

Used by the check-vs-batch equivalence test and by the benchmark (bench/), so both exercise the edges
(a date one day inside or outside 毕业5年内, 49 or 50 employees) and not only typical values.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..base.dates import shift
from ..rules.catalog import catalog
from ..rules.facts import paid_once, pays_tiers_once
from ..rules.history import HISTORY
from ..rules.schema import (
    COMPARE_OPS,
    AllOf,
    AnyOf,
    Compare,
    GradesAmount,
    NotOf,
    PercentageAmount,
    PerUnitAmount,
    Rulebook,
    TiersAmount,
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
                elif op in ("gt", "gte", "lt", "lte", "eq", "ne") and spec.type == "date":
                    values[node.field] += [x - one_day, x, x + one_day]
                elif op in ("in", "not_in") and spec.type not in ("one_of",):
                    values[node.field] += list(x)
            amount = benefit.amount
            if isinstance(amount, TiersAmount):
                for t in amount.tiers:
                    values[amount.field] += [t.at_least - 1, t.at_least]
            if isinstance(amount, GradesAmount):
                values[amount.field] += [g.grade for g in amount.grades]
            if isinstance(amount, PerUnitAmount) and amount.cap is not None:
                for rate in (amount.rate, amount.rate_min, amount.rate_max):
                    if rate:  # (a rate of 0 never reaches the cap)
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


# ------------------------------------------------------------------------------------------- generated rulebooks
#
# Random rulebooks for the differential test (tests/test_batch_equivalence.py): every operator on every field
# type it applies to, nested all / any / not, every amount kind with its options, exclusions and validity
# dates — written as YAML and read back through `chuangye validate`'s own checks, so each one is a rulebook an
# author could have written. The literals are few per field and sit on awkward values (2.5 people, 0.005 yuan,
# 7-decimal numbers, month ends), and generated_facts puts the applicants on and around them.

SKIPPED = {"applicant_id", "city", HISTORY}
MONTH_ENDS = [dt.date(2024, 1, 31), dt.date(2023, 1, 31), dt.date(2024, 2, 29), dt.date(2023, 2, 28),
              dt.date(2023, 12, 31), dt.date(2024, 8, 31), dt.date(2022, 3, 31), dt.date(2024, 4, 30)]
DURATIONS = [{"years": 1}, {"years": 2}, {"months": 1}, {"months": 6}, {"days": 30}, {"years": 1, "months": 1},
             {"months": 13, "days": 1}, {"years": 4}, {"days": 1}]
# the literals a numeric field is compared with: whole, halves, fractions of a fen, more decimals than a cell has
NUMBERS = {"int": [0, 1, 2, 3, 2.5, 10, 12, 0.5],
           "money": [0, 1, 0.01, 0.005, 4500, 5000.5, 10000, 12345.67, 1e6],
           "number": [0, 0.5, 12.5, 60, -1.25, 0.1234567, 33.333333, 100]}


def _fields_by_type() -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = {}
    for name, spec in catalog().fields.items():
        if not spec.personal and name not in SKIPPED:
            by_type.setdefault(spec.type, []).append(name)
    return by_type


def _codes(rng: random.Random, field: str, k: int) -> list[str]:
    """k codes of a field's vocabulary, some written as their Chinese label (validation turns them into codes)."""
    vocab = catalog().vocabulary_of(field)
    codes = rng.sample(list(vocab.labels)[:8], k)
    return [vocab.labels[c] if rng.random() < 0.25 else c for c in codes]


def _date_literal(rng: random.Random, as_of: dt.date) -> dt.date:
    return rng.choice(MONTH_ENDS + [as_of, dt.date(as_of.year, 1, 1), shift(as_of, years=1, sign=-1)])


def _compare(rng: random.Random, as_of: dt.date, by_type: dict[str, list[str]], op: str | None = None) -> dict:
    """One comparison; `op` chooses the operator (else a random one), on a field of a type it applies to."""
    numeric = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in")
    op = op or rng.choice(COMPARE_OPS)
    if op in ("contains", "contains_any", "contains_all"):
        field = rng.choice(by_type["set_of"])
        value: object = _codes(rng, field, 1)[0] if op == "contains" else _codes(rng, field, rng.choice([0, 1, 2, 2, 3]))
    elif op in ("within_last", "at_least_ago", "same_year_as_evaluation", "within_after", "no_later_than", "same_year_as"):
        field, other = rng.sample(by_type["date"], 2)
        duration = dict(rng.choice(DURATIONS))
        value = {"within_last": duration, "at_least_ago": duration, "same_year_as_evaluation": True,
                 "within_after": {"field": other, **duration}, "no_later_than": {"field": other, **duration},
                 "same_year_as": other}[op]
    else:
        kinds = ["int", "money", "number", "date", "text", "one_of"] + (["bool"] if op in ("eq", "ne") else [])
        kind = rng.choice(kinds)
        field = rng.choice(by_type[kind])

        def one():
            if kind in NUMBERS:
                return rng.choice(NUMBERS[kind])
            if kind == "date":
                return _date_literal(rng, as_of)
            if kind == "bool":
                return rng.random() < 0.5
            if kind == "one_of":
                return _codes(rng, field, 1)[0]
            return rng.choice(["A", "B", "一等", "二等"])

        value = [one() for _ in range(rng.choice([0, 1, 2, 2, 3]))] if op in ("in", "not_in") else one()
        assert op in numeric
    return {"field": field, op: value}


def _condition(rng: random.Random, as_of: dt.date, by_type, depth: int, ops: list[str]) -> dict:
    """A condition tree; `ops` is a queue of operators still to be used (each generated book uses them all)."""
    if depth > 0 and rng.random() < 0.55:
        group = rng.choice(["all", "any", "not", "all"])
        if group == "not":
            return {"not": _condition(rng, as_of, by_type, depth - 1, ops)}
        return {group: [_condition(rng, as_of, by_type, depth - 1, ops) for _ in range(rng.choice([1, 2, 3]))]}
    return _compare(rng, as_of, by_type, ops.pop() if ops else None)


def _yuan(rng: random.Random, high: int = 20000) -> object:
    """A sum in yuan: whole, or with fen (as text, so YAML keeps it exact)."""
    value = rng.choice([0, 500, 1000, 5000, 20000, rng.randint(1, high)])
    return f"{value}.{rng.randint(1, 99):02d}" if rng.random() < 0.2 else value


def _amount(rng: random.Random, by_type, parameters: dict, kind: str | None = None, depth: int = 1) -> dict:
    kinds = ["fixed", "up_to", "range", "per_unit", "percentage", "tiers", "grades", "formula", "not_stated",
             "in_kind"] + (["parts"] if depth > 0 else [])
    kind = kind or rng.choice(kinds)
    numeric = by_type["int"] + by_type["money"] + by_type["number"]
    if kind == "fixed":
        return {"kind": "fixed", "value": _yuan(rng)}
    if kind in ("up_to", "range"):
        low, high = sorted([rng.choice([0, 1000, 5000, 20000]), rng.choice([0, 1000, 5000, 20000, 50000])])
        out = {"kind": kind, "max": high, **({"min": low} if kind == "range" else {})}
        if rng.random() < 0.5:
            out.update(cumulative_cap=rng.choice([5000, 20000, 30000]), received_field=rng.choice(by_type["money"]))
        return out
    if kind == "per_unit":
        out = {"kind": "per_unit", "unit_field": rng.choice(by_type["int"])}
        if rng.random() < 0.5:
            out["rate"] = _yuan(rng, 5000)
        else:
            a, b = sorted([rng.choice([0, 600, 1000, 2000]), rng.choice([600, 2000, 3000])])
            out.update(rate_min=a, rate_max=b)
        if rng.random() < 0.5:
            out["cap"] = rng.choice([5000, 20000, 100000])
        return out
    if kind == "percentage":
        out = {"kind": "percentage", "percent": rng.choice([10, 50, 100, 0.5, 33.333, 12.5]),
               "of_field": rng.choice(by_type["money"] * 3 + by_type["int"] + by_type["number"])}
        if rng.random() < 0.5:
            out["up_to"] = True
        if rng.random() < 0.5:
            out["cap"] = rng.choice([1000, 50000])
        return out
    if kind == "tiers":
        field = rng.choice(numeric)
        spec = catalog().fields[field]
        pool = sorted({Decimal(str(x)) for x in NUMBERS[spec.type] if x >= 0} | {Decimal(5), Decimal(100)})
        at_least = sorted(rng.sample(pool, rng.choice([1, 2, 3])))
        return {"kind": "tiers", "field": field, "cumulative": rng.random() < 0.5,
                "tiers": [{"at_least": float(a) if a != a.to_integral() else int(a), "value": _yuan(rng)} for a in at_least]}
    if kind == "grades":
        field = rng.choice(["project_grade", "district", "kind", "employees"])
        names = {"kind": ["enterprise", "individual", "incubator"], "employees": ["1", "2", "10"]}.get(field, ["一等", "二等", "A"])
        return {"kind": "grades", "field": field,
                "grades": [{"grade": g, "value": _yuan(rng)} for g in names[:rng.choice([2, 3])]]}
    if kind == "formula":
        factors = []
        for _ in range(rng.choice([1, 2, 3])):
            source = rng.choice(["field", "field", "number", "parameter"])
            if source == "field":
                field = rng.choice(numeric)
                factor = {"field": field}
                if rng.random() < 0.4:
                    factor["max"] = rng.choice({"int": [12, 2.5], "money": [10000, 0.005, 99.99],
                                                "number": [12.5, 0.1234567, 60]}[catalog().fields[field].type])
            elif source == "number":
                factor = {"number": rng.choice([0.6, 2, 0.333, 1.5, 0.01])}
            else:
                factor = {"parameter": rng.choice(sorted(parameters))}
            factors.append(factor)
        out = {"kind": "formula", "description": "公式", "factors": factors}
        if rng.random() < 0.5:
            out["cap"] = rng.choice([3000, 50000])
        return out
    if kind == "not_stated":
        return {"kind": "not_stated", "set_by": "另行规定"}
    if kind == "in_kind":
        return {"kind": "in_kind", "description": "免费场地"}
    return {"kind": "parts", "parts": [{"label": f"第{i + 1}部分", "amount": _amount(rng, by_type, parameters, depth=depth - 1)}
                                       for i in range(rng.choice([2, 3]))]}


AMOUNT_KINDS_ALL = ("fixed", "up_to", "range", "per_unit", "percentage", "tiers", "grades", "formula", "not_stated",
                    "in_kind", "parts")


def random_rulebook(rng: random.Random, slug: str, as_of: dt.date, benefits: int = 12) -> tuple[dict, str]:
    """(the rulebook as YAML data, the official text its quotes come from). Every operator of COMPARE_OPS
    and every amount kind appears in each rulebook of at least len(COMPARE_OPS) benefits."""
    by_type = _fields_by_type()
    start = dt.date(as_of.year - 3, 1, 1)
    end = rng.choice([None, dt.date(as_of.year + 2, 12, 31)])
    parameters = {
        "wage_known": {"description": "月最低工资标准", "unit": "元/月", "source": "通知",
                       "values": [{"from": start, "value": 1980}, {"from": as_of, "value": "2100.5"},
                                  {"from": shift(as_of, days=1), "value": 3000}]},
        "wage_open": {"description": "尚未核实的标准", "source": "通知", "values": []},
        "later": {"description": "以后才有的标准", "source": "通知", "values": [{"from": shift(as_of, months=1), "value": 7}]},
    }
    ops = list(COMPARE_OPS)
    rng.shuffle(ops)
    kinds = list(AMOUNT_KINDS_ALL)
    rng.shuffle(kinds)
    items = []
    cash = ("cash_subsidy", "award", "loan_interest_subsidy")
    for i in range(benefits):
        conditions = _condition(rng, as_of, by_type, 2, ops) if (ops or rng.random() < 0.9) else None
        benefit = {
            "id": f"b{i}", "name": f"待遇{i}", "name_en": f"Benefit {i}", "clause": str(i),
            "category": rng.choice(cash * 3 + ("loan", "service", "honour")),
            "applicant_kinds": rng.sample(["individual", "enterprise", "individual_business", "企业"], rng.choice([1, 2])),
            "amount": _amount(rng, by_type, parameters, kinds.pop() if kinds else None),
            "period": rng.choice(["once", "once", "yearly"]),
            "departments": {"lead": ["人社局"]},
            "quote": f"给予待遇{i}。",
        }
        if len(set(benefit["applicant_kinds"])) < len(benefit["applicant_kinds"]) or \
                {"enterprise", "企业"} <= set(benefit["applicant_kinds"]):
            benefit["applicant_kinds"] = ["enterprise"]
        if conditions is not None:
            benefit["conditions"] = conditions
        dates = rng.random()
        if dates < 0.12:
            benefit["valid_from"] = rng.choice([as_of, shift(as_of, days=1)])
        elif dates < 0.24:
            benefit["valid_to"] = rng.choice([as_of, shift(as_of, days=-1)])
        items.append(benefit)
    for _ in range(rng.choice([1, 2, 3])):
        a, b = rng.sample(items, 2)
        for x, y in ((a, b), (b, a)) if rng.random() < 0.8 else ((a, b),):
            if y["id"] not in x.setdefault("exclusive_with", []):
                x["exclusive_with"].append(y["id"])
    used = {f["parameter"] for b in items for f in _factors(b["amount"]) if "parameter" in f}
    data = {
        "city": {"slug": slug, "zh": f"生成{slug}", "en": slug},
        "document": {"title": "生成的文件", "issuer": "市政府", "in_force_from": start, "source": "source.txt",
                     **({"in_force_to": end} if end else {})},
        "parameters": {k: v for k, v in parameters.items() if k in used},
        "benefits": items,
    }
    return data, "".join(b["quote"] for b in items)


def _factors(amount: dict):
    if amount["kind"] == "formula":
        yield from amount["factors"]
    for part in amount.get("parts", []):
        yield from _factors(part["amount"])


def relative_pairs(book: Rulebook) -> list[tuple[str, str, object]]:
    """(field, other field, duration or None) of every comparison between two date fields of one profile."""
    pairs = []
    for benefit in book.benefits:
        for node in (_compares(benefit.conditions) if benefit.conditions else ()):
            if node.op in ("within_after", "no_later_than"):
                pairs.append((node.field, node.operand.field, node.operand))
            elif node.op == "same_year_as":
                pairs.append((node.field, node.operand, None))
    return pairs


def generated_facts(rng: random.Random, as_of: dt.date, interesting: dict[str, list],
                    pairs: list[tuple[str, str, object]]) -> dict:
    """random_facts, with decimal numbers of at most 6 decimals (as a list cell holds them), and date pairs on and
    around each window between two fields: exactly the duration apart, a day either side, the same day, a month
    end plus a month, the last and first day of a year."""
    facts = random_facts(rng, as_of, interesting, present=0.8)
    for name, spec in catalog().fields.items():
        if spec.type == "number" and name in facts:
            facts[name] = Decimal(facts[name]).quantize(Decimal("0.000001"))
    for field, other, duration in rng.sample(pairs, min(len(pairs), 3)):
        if rng.random() < 0.15:
            continue  # leave one of them as random_facts drew it (or absent)
        anchor = rng.choice(MONTH_ENDS + [as_of, dt.date(as_of.year, 1, 1)])
        if duration is None:
            value = rng.choice([dt.date(anchor.year, 12, 31), dt.date(anchor.year, 1, 1), dt.date(anchor.year - 1, 12, 31),
                                dt.date(anchor.year + 1, 1, 1)])
        else:
            edge = shift(anchor, duration.years, duration.months, duration.days)
            value = rng.choice([edge, edge + dt.timedelta(days=1), edge - dt.timedelta(days=1), anchor,
                                anchor - dt.timedelta(days=1), anchor + dt.timedelta(days=1)])
        facts[other], facts[field] = anchor, value
    return facts
