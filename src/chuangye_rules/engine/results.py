"""What an evaluation returns: Pydantic models whose JSON form is the documented `--format json` schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from ..base.money import plain

# Money in the JSON: a decimal string in yuan, always written the same way — no exponent, no trailing zeros
# ("4500", "5000000", "0.5"), whether it was computed ("4500.00") or read from a rulebook ("5000000").
Yuan = Annotated[Decimal, PlainSerializer(plain, return_type=str, when_used="json")]

SCHEMA_ID = "chuangye.evaluation/1"


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


class AmountResult(BaseModel):
    """A computed amount in yuan. `exact` has value; `up_to` has max; `range` has min and max; `formula`
    still needs facts or parameters (`missing`) and may have a max; `not_stated` names `set_by`."""

    model_config = ConfigDict(ser_json_inf_nan="strings")

    kind: AmountKind
    value: Yuan | None = None
    min: Yuan | None = None
    max: Yuan | None = None
    description: str = Field(description="the amount rule in Chinese, e.g. 最高1万元")
    formula: str | None = None
    missing: list[str] = Field(default_factory=list, description="facts or parameters the figure still needs")
    parameter_labels: dict[str, str] = Field(default_factory=dict,
                                             description="what each missing parameter is, and who sets it")
    set_by: str | None = None
    parts: list[AmountPart] = Field(default_factory=list)
    options: list[AmountOption] = Field(default_factory=list)

    @property
    def upper(self) -> Decimal | None:
        """The most the applicant can get, when known (for totals and for choosing between exclusions)."""
        return self.value if self.kind == "exact" else self.max

    @property
    def is_zero(self) -> bool:
        return self.kind == "exact" and self.value == 0


class Reason(BaseModel):
    text: str = Field(description="the test, in the chosen language")
    result: bool | None = Field(description="true, false, or null when a fact is missing")
    field: str | None = None
    value: str | None = Field(None, description="the applicant's value, as shown (personal numbers masked)")
    depth: int = 0


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
    reasons: list[Reason] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    lead_departments: list[str]
    cooperating_departments: list[str] = Field(default_factory=list)
    quote: list[str]
    notes: str | None = None
    excluded_by: str | None = None
    exclusion_note: str | None = None
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
