"""What an evaluation returns, in no language: statuses, a tree of the conditions tested with the rule's operands and
the applicant's values, amounts as numbers with the rule they come from, exclusions and history as codes. The render
layer words it (`render.evaluation_json` adds the texts of the documented `--format json` schema)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from ..base.money import plain
from ..rules.schema import Amount

# Money in the JSON: a decimal string in yuan, always written the same way — no exponent, no trailing zeros
# ("4500", "5000000", "0.5"), whether it was computed ("4500.00") or read from a rulebook ("5000000").
Yuan = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]

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


class AmountPart(BaseModel):
    label: str
    amount: "AmountResult"


class AmountOption(BaseModel):
    grade: str
    value: Yuan


class ParameterNote(BaseModel):
    """A parameter the figure still needs, as its rulebook describes it (the rulebook's own words)."""

    description: str
    description_en: str | None = None
    source: str
    unit: str | None = None


class AmountResult(BaseModel):
    """A computed amount in yuan. `exact` has value; `up_to` has max; `range` has min and max; `formula`
    still needs facts or parameters (`missing`) and may have a max; `not_stated` names `set_by`. `rule` is the
    amount rule it was computed from: what the render layer words."""

    model_config = ConfigDict(ser_json_inf_nan="strings")

    kind: AmountKind
    value: Yuan | None = None
    min: Yuan | None = None
    max: Yuan | None = None
    missing: list[str] = Field(default_factory=list, description="facts or parameters the figure still needs")
    parameter_notes: dict[str, ParameterNote] = Field(default_factory=dict,
                                                      description="what each missing parameter is, and its source")
    set_by: str | None = None
    parts: list[AmountPart] = Field(default_factory=list)
    options: list[AmountOption] = Field(default_factory=list)
    cap_reached: bool = Field(False, description="a cumulative cap already reached by what was received")
    rule: Amount | None = Field(None, description="the amount rule of the rulebook")

    @property
    def upper(self) -> Decimal | None:
        """The most the applicant can get, when known (for totals and for choosing between exclusions)."""
        return self.value if self.kind == "exact" else self.max

    @property
    def is_zero(self) -> bool:
        return self.kind == "exact" and self.value == 0


class Condition(BaseModel):
    """One node of the reason tree: a test of the rulebook with the rule's operand and the applicant's value as data
    (dates as ISO strings, decimals as strings, sets as sorted lists, personal numbers masked)."""

    test: str = Field(description="applicant_kind, all, any, not, or a comparison's operator (eq, gte, within_last, …)")
    field: str | None = None
    operand: Any = Field(None, description="the rule's value(s): a value, a list, or a duration {years, months, "
                                           "days[, field]}")
    value: Any = Field(None, description="the applicant's value (null when not given)")
    result: bool | None = Field(description="true, false, or null when a fact is missing")
    label: str | None = Field(None, description="the rule author's Chinese reading of this condition")
    children: list["Condition"] = Field(default_factory=list)


FindingCode = Literal["amount_zero", "received_once", "received_tiers", "received_all_tiers", "received_amount_unknown"]


class Finding(BaseModel):
    """What decided a benefit beyond its conditions: a figure of 0, or the applicant's history (已享受待遇)."""

    code: FindingCode
    result: bool | None
    field: str | None = None
    paid: Yuan | None = Field(None, description="what the history says was paid")
    due: Yuan | None = Field(None, description="what is still due (null when not known yet)")


class BenefitResult(BaseModel):
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
    conditions: list[Condition] = Field(default_factory=list,
                                        description="the applicant kind, then the rule's conditions (a tree)")
    findings: list[Finding] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    lead_departments: list[str]
    cooperating_departments: list[str] = Field(default_factory=list)
    quote: list[str]
    notes: str | None = None
    excluded_by: str | None = None
    exclusion: Literal["by_value", "by_history"] | None = Field(
        None, description="by_value: the more valuable of two was kept; by_history: the other was already received")
    valid_to: dt.date | None = None
    draft: bool = False


class Totals(BaseModel):
    exact: Yuan = Field(description="sum of exact cash amounts of eligible benefits")
    up_to: Yuan = Field(description="sum of the most each eligible cash benefit can pay (exact ones included)")
    unquantified: int = Field(description="eligible cash benefits whose figure is not stated or still open")


class DocumentInfo(BaseModel):
    title: str
    number: str | None
    in_force_from: dt.date
    in_force_to: dt.date | None
    draft: bool


class CityResult(BaseModel):
    city: str
    city_zh: str
    city_en: str
    document: DocumentInfo
    benefits: list[BenefitResult]
    totals: Totals


class Evaluation(BaseModel):
    schema_: str = Field(SCHEMA_ID, alias="schema")
    applicant_id: str | None
    as_of: dt.date
    parameters: dict[str, Yuan] = Field(default_factory=dict, description="parameter values supplied by the caller")
    cities: list[CityResult]

    model_config = ConfigDict(populate_by_name=True)

    def benefit(self, benefit_id: str, city: str | None = None) -> BenefitResult | None:
        for c in self.cities:
            if city and c.city != city:
                continue
            for b in c.benefits:
                if b.id == benefit_id:
                    return b
        return None

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


AmountPart.model_rebuild()
Condition.model_rebuild()
