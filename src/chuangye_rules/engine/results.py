"""What an evaluation returns, in no language: statuses, a tree of the conditions tested with the rule's operands and
the applicant's values, amounts as numbers with the rule they come from, exclusions and history as codes. The render
layer words it (`render.evaluation_json` adds the texts of the documented `--format json` schema).

Plain dataclasses, not Pydantic models: the engine builds them from values it has already checked, so there is nothing
to validate, and `chuangye check` starts without importing Pydantic at all (bench/README.md). `to_dict` writes the JSON
data (money as decimal strings in yuan, dates as ISO strings); `Evaluation.from_json` reads a document back, validated
by Pydantic (imported only then)."""

from __future__ import annotations

import dataclasses as dc
import datetime as dt
import json
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from ..base.money import plain
from ..rules.runtime import node_data

if TYPE_CHECKING:
    from ..rules.schema import Amount

SCHEMA_ID = "chuangye.evaluation/2"


class Status(str, Enum):
    eligible = "eligible"
    needs_info = "needs_info"
    not_eligible = "not_eligible"
    excluded = "excluded"
    expired = "expired"
    not_yet_in_force = "not_yet_in_force"
    already_received = "already_received"  # a one-off benefit the applicant's history says was received


AmountKind = Literal["exact", "up_to", "range", "formula", "not_stated", "in_kind"]


def _data(value: Any) -> Any:
    """A result's value as JSON data. Money: a decimal string in yuan, always written the same way — no exponent, no
    trailing zeros ("4500", "5000000", "0.5"), whether it was computed ("4500.00") or read from a rulebook."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_data(v) for v in value]
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    return node_data(value)  # a rule of the rulebook (AmountResult.rule)


class Result:
    """What every result shares: its JSON data, field by field in declaration order (`schema_` written `schema`)."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name.removesuffix("_"): _data(getattr(self, f.name)) for f in dc.fields(self)}  # type: ignore[arg-type]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


@dc.dataclass(kw_only=True)
class AmountPart(Result):
    label: str
    amount: AmountResult


@dc.dataclass(kw_only=True)
class AmountOption(Result):
    grade: str
    value: Decimal


@dc.dataclass(kw_only=True)
class ParameterNote(Result):
    """A parameter the figure still needs, as its rulebook describes it (the rulebook's own words)."""

    description: str
    description_en: str | None = None
    source: str
    unit: str | None = None


@dc.dataclass(kw_only=True)
class AmountResult(Result):
    """A computed amount in yuan. `exact` has value; `up_to` has max; `range` has min and max; `formula`
    still needs facts or parameters (`missing`) and may have a max; `not_stated` names `set_by`. `rule` is the
    amount rule it was computed from: what the render layer words. `parameter_notes`: what each missing parameter
    is, and its source; `cap_reached`: a cumulative cap already reached by what was received."""

    kind: AmountKind
    value: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    missing: list[str] = dc.field(default_factory=list)
    parameter_notes: dict[str, ParameterNote] = dc.field(default_factory=dict)
    set_by: str | None = None
    parts: list[AmountPart] = dc.field(default_factory=list)
    options: list[AmountOption] = dc.field(default_factory=list)
    cap_reached: bool = False
    rule: Amount | None = None

    @property
    def upper(self) -> Decimal | None:
        """The most the applicant can get, when known (for totals and for choosing between exclusions)."""
        return self.value if self.kind == "exact" else self.max

    @property
    def is_zero(self) -> bool:
        return self.kind == "exact" and self.value == 0


@dc.dataclass(kw_only=True)
class Condition(Result):
    """One node of the reason tree: a test of the rulebook with the rule's operand and the applicant's value as data
    (dates as ISO strings, decimals as strings, sets as sorted lists, personal numbers masked). `test`: applicant_kind,
    all, any, not, or a comparison's operator (eq, gte, within_last, …); `operand`: the rule's value(s) — a value, a
    list, or a duration {years, months, days[, field]}; `value`: the applicant's (None when not given); `result`:
    True, False, or None when a fact is missing; `label`: the rule author's Chinese reading of this condition."""

    test: str
    field: str | None = None
    operand: Any = None
    value: Any = None
    result: bool | None = None
    label: str | None = None
    children: list[Condition] = dc.field(default_factory=list)


FindingCode = Literal["amount_zero", "received_once", "received_tiers", "received_all_tiers", "received_amount_unknown"]


@dc.dataclass(kw_only=True)
class Finding(Result):
    """What decided a benefit beyond its conditions: a figure of 0, or the applicant's history (已享受待遇).
    `paid`: what the history says was paid; `due`: what is still due (None when not known yet)."""

    code: FindingCode
    result: bool | None
    field: str | None = None
    paid: Decimal | None = None
    due: Decimal | None = None


@dc.dataclass(kw_only=True)
class BenefitResult(Result):
    """`conditions`: the applicant kind, then the rule's conditions (a tree). `exclusion`: by_value, the more valuable
    of two was kept; by_history, the other was already received."""

    id: str
    name: str
    name_en: str
    city: str
    clause: str
    category: str
    status: Status
    amount: AmountResult
    period: str
    period_note: str | None = None
    conditions: list[Condition] = dc.field(default_factory=list)
    findings: list[Finding] = dc.field(default_factory=list)
    missing_facts: list[str] = dc.field(default_factory=list)
    lead_departments: list[str]
    cooperating_departments: list[str] = dc.field(default_factory=list)
    quote: list[str]
    notes: str | None = None
    excluded_by: str | None = None
    exclusion: Literal["by_value", "by_history"] | None = None
    valid_to: dt.date | None = None
    draft: bool = False


@dc.dataclass(kw_only=True)
class Totals(Result):
    """`exact`: the sum of exact cash amounts of eligible benefits; `up_to`: of the most each eligible cash benefit can
    pay (exact ones included); `unquantified`: eligible cash benefits whose figure is not stated or still open."""

    exact: Decimal
    up_to: Decimal
    unquantified: int


@dc.dataclass(kw_only=True)
class DocumentInfo(Result):
    title: str
    number: str | None
    in_force_from: dt.date
    in_force_to: dt.date | None
    draft: bool


@dc.dataclass(kw_only=True)
class CityResult(Result):
    city: str
    city_zh: str
    city_en: str
    document: DocumentInfo
    benefits: list[BenefitResult]
    totals: Totals


@dc.dataclass(kw_only=True)
class Evaluation(Result):
    """`parameters`: the parameter values supplied by the caller."""

    schema_: str = SCHEMA_ID
    applicant_id: str | None
    as_of: dt.date
    parameters: dict[str, Decimal] = dc.field(default_factory=dict)
    cities: list[CityResult]

    def benefit(self, benefit_id: str, city: str | None = None) -> BenefitResult | None:
        for c in self.cities:
            if city and c.city != city:
                continue
            for b in c.benefits:
                if b.id == benefit_id:
                    return b
        return None

    @classmethod
    def from_json(cls, document: str | bytes) -> Evaluation:
        """An evaluation read back from its JSON document (the texts the renderer added are left out), validated."""
        from pydantic import TypeAdapter

        from ..rules.schema import Amount

        globals()["Amount"] = Amount  # the one annotation this module leaves unimported (Pydantic resolves it here)
        return TypeAdapter(cls).validate_json(document)
