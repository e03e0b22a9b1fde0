"""Random amount rules of every kind, as YAML data, for the generated rulebooks of synthetic.py."""

from __future__ import annotations

import random
from decimal import Decimal

from ..rules.catalog import catalog
from ..rules.visit import AmountVisitor

# the literals a numeric field is compared with: whole, halves, fractions of a fen, more decimals than a cell has
NUMBERS = {"int": [0, 1, 2, 3, 2.5, 10, 12, 0.5],
           "money": [0, 1, 0.01, 0.005, 4500, 5000.5, 10000, 12345.67, 1e6],
           "number": [0, 0.5, 12.5, 60, -1.25, 0.1234567, 33.333333, 100]}


def _yuan(rng: random.Random, high: int = 20000) -> object:
    """A sum in yuan: whole, or with fen (as text, so YAML keeps it exact)."""
    value = rng.choice([0, 500, 1000, 5000, 20000, rng.randint(1, high)])
    return f"{value}.{rng.randint(1, 99):02d}" if rng.random() < 0.2 else value


def random_amount(rng: random.Random, by_type, parameters: dict, kind: str | None = None, depth: int = 1) -> dict:
    kinds = ["fixed", "up_to", "range", "per_unit", "percentage", "tiers", "grades", "formula", "not_stated",
             "in_kind"] + (["parts"] if depth > 0 else [])
    kind = kind or rng.choice(kinds)
    return _RandomAmount(rng, by_type, parameters, depth).generate(kind)


class _RandomAmount(AmountVisitor[dict]):
    """A random amount rule of each kind, as YAML data. A visitor, so a new amount kind cannot be left out of the
    generated rulebooks; called by the kind's name (`generate`), as it writes a rule rather than reading one."""

    def __init__(self, rng: random.Random, by_type, parameters: dict, depth: int):
        self.rng, self.by_type, self.parameters, self.depth = rng, by_type, parameters, depth
        self.numeric = by_type["int"] + by_type["money"] + by_type["number"]

    def generate(self, kind: str) -> dict:
        return getattr(self, kind)(kind)

    def fixed(self, kind: str) -> dict:
        return {"kind": "fixed", "value": _yuan(self.rng)}

    def up_to(self, kind: str) -> dict:
        rng = self.rng
        low, high = sorted([rng.choice([0, 1000, 5000, 20000]), rng.choice([0, 1000, 5000, 20000, 50000])])
        out = {"kind": kind, "max": high, **({"min": low} if kind == "range" else {})}
        if rng.random() < 0.5:
            out.update(cumulative_cap=rng.choice([5000, 20000, 30000]), received_field=rng.choice(self.by_type["money"]))
        return out

    range = up_to

    def per_unit(self, kind: str) -> dict:
        rng = self.rng
        out = {"kind": "per_unit", "unit_field": rng.choice(self.by_type["int"])}
        if rng.random() < 0.5:
            out["rate"] = _yuan(rng, 5000)
        else:
            a, b = sorted([rng.choice([0, 600, 1000, 2000]), rng.choice([600, 2000, 3000])])
            out.update(rate_min=a, rate_max=b)
        if rng.random() < 0.5:
            out["cap"] = rng.choice([5000, 20000, 100000])
        return out

    def percentage(self, kind: str) -> dict:
        rng, by_type = self.rng, self.by_type
        out = {"kind": "percentage", "percent": rng.choice([10, 50, 100, 0.5, 33.333, 12.5]),
               "of_field": rng.choice(by_type["money"] * 3 + by_type["int"] + by_type["number"])}
        if rng.random() < 0.5:
            out["up_to"] = True
        if rng.random() < 0.5:
            out["cap"] = rng.choice([1000, 50000])
        return out

    def tiers(self, kind: str) -> dict:
        rng = self.rng
        field = rng.choice(self.numeric)
        spec = catalog().fields[field]
        pool = sorted({Decimal(str(x)) for x in NUMBERS[spec.type] if x >= 0} | {Decimal(5), Decimal(100)})
        at_least = sorted(rng.sample(pool, rng.choice([1, 2, 3])))
        return {"kind": "tiers", "field": field, "cumulative": rng.random() < 0.5,
                "tiers": [{"at_least": float(a) if a != a.to_integral() else int(a), "value": _yuan(rng)} for a in at_least]}

    def grades(self, kind: str) -> dict:
        rng = self.rng
        field = rng.choice(["project_grade", "district", "kind", "employees"])
        names = {"kind": ["enterprise", "individual", "incubator"], "employees": ["1", "2", "10"]}.get(field, ["一等", "二等", "A"])
        return {"kind": "grades", "field": field,
                "grades": [{"grade": g, "value": _yuan(rng)} for g in names[:rng.choice([2, 3])]]}

    def formula(self, kind: str) -> dict:
        rng = self.rng
        factors = [self._factor() for _ in range(rng.choice([1, 2, 3]))]
        out = {"kind": "formula", "description": "公式", "factors": factors}
        if rng.random() < 0.5:
            out["cap"] = rng.choice([3000, 50000])
        return _within_bounds(out)

    def _factor(self) -> dict:
        rng = self.rng
        source = rng.choice(["field", "field", "number", "parameter"])
        if source == "number":
            return {"number": rng.choice([0.6, 2, 0.333, 1.5, 0.01])}
        if source == "parameter":
            return {"parameter": rng.choice(sorted(self.parameters))}
        field = rng.choice(self.numeric)
        factor = {"field": field}
        if rng.random() < 0.4:
            factor["max"] = rng.choice({"int": [12, 2.5], "money": [10000, 0.005, 99.99],
                                        "number": [12.5, 0.1234567, 60]}[catalog().fields[field].type])
        return factor

    def not_stated(self, kind: str) -> dict:
        return {"kind": "not_stated", "set_by": "另行规定"}

    def in_kind(self, kind: str) -> dict:
        return {"kind": "in_kind", "description": "免费场地"}

    def parts(self, kind: str) -> dict:
        rng = self.rng
        return {"kind": "parts", "parts": [{"label": f"第{i + 1}部分",
                                            "amount": random_amount(rng, self.by_type, self.parameters, depth=self.depth - 1)}
                                           for i in range(rng.choice([2, 3]))]}


# what a factor without a max is given when a random formula is beyond what validation accepts (amountbounds)
_FITTING_MAX = {"int": 12, "money": 10000, "number": 60}


def _within_bounds(formula: dict) -> dict:
    """The random formula made one `chuangye validate` accepts, without drawing more random numbers (so the rest
    of a generated rulebook stays as it was): factors capped with a max, then dropped from the end, then a cap."""
    from ..rules.amountbounds import MAX_AMOUNT, WIDE_MAX, amount_bound
    from ..rules.schema import FormulaAmount

    def bound():
        return amount_bound(FormulaAmount.model_validate(formula))

    for factor in formula["factors"]:
        if bound().wide <= WIDE_MAX:
            break
        if "field" in factor and "max" not in factor:
            factor["max"] = _FITTING_MAX[catalog().fields[factor["field"]].type]
    while bound().wide > WIDE_MAX and len(formula["factors"]) > 1:
        formula["factors"].pop()
    if bound().largest > MAX_AMOUNT / 4:  # a part of a parts amount too, and a rulebook's sum within 64 bits
        formula["cap"] = 50000
    while bound().largest > MAX_AMOUNT / 4 and len(formula["factors"]) > 1:  # a negative product: a cap is no bound
        formula["factors"].pop()
    return formula
