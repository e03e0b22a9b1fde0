"""The rulebook format: Pydantic models for a city's rulebook (unknown keys are rejected everywhere).

This module only says what a rulebook may contain. Cross-checks that need the profile catalog (does a
condition's field exist, does its value have the right type) live in loading.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Money = Annotated[Decimal, Field(ge=0, description="yuan (元), exact decimal")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="lower_snake_case identifier")]


class Category(str, Enum):
    cash_subsidy = "cash_subsidy"
    award = "award"
    loan = "loan"
    loan_interest_subsidy = "loan_interest_subsidy"
    tax_treatment = "tax_treatment"
    free_space = "free_space"
    premises = "premises"
    personnel_entitlement = "personnel_entitlement"
    investment = "investment"
    service = "service"
    social_insurance = "social_insurance"
    honour = "honour"


# Money in these categories is paid to the applicant; the others (a loan limit, an investment, space) are
# reported but never added into the totals.
CASH_CATEGORIES = {Category.cash_subsidy, Category.award, Category.loan_interest_subsidy}


class Period(str, Enum):
    once = "once"
    yearly = "yearly"
    monthly = "monthly"
    per_project = "per_project"
    in_stages = "in_stages"
    ongoing = "ongoing"


class Duration(Strict):
    years: int = Field(0, ge=0)
    months: int = Field(0, ge=0)
    days: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _not_empty(self) -> "Duration":
        if not (self.years or self.months or self.days):
            raise ValueError("a duration needs years, months or days")
        return self


class RelativeDuration(Duration):
    field: str = Field(description="the other date field the duration counts from")


# ---------------------------------------------------------------- conditions

COMPARE_OPS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in",
    "contains", "contains_any", "contains_all",
    "within_last", "at_least_ago", "same_year_as_evaluation", "within_after",
)


class Compare(Strict):
    """One test on one profile field, e.g. `{field: employees, gte: 50}`."""

    field: str
    label: str | None = Field(None, description="how the test reads in Chinese, shown in the reasons")
    eq: Any = None
    ne: Any = None
    gt: Any = None
    gte: Any = None
    lt: Any = None
    lte: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    not_in: list[Any] | None = None
    contains: str | None = None
    contains_any: list[str] | None = None
    contains_all: list[str] | None = None
    within_last: Duration | None = Field(None, description="the date lies in the period ending on the evaluation date")
    at_least_ago: Duration | None = Field(None, description="the date is at least this long before the evaluation date")
    same_year_as_evaluation: Literal[True] | None = None
    within_after: RelativeDuration | None = Field(None, description="the date lies within this long after another date")

    @model_validator(mode="before")
    @classmethod
    def _one_operator(cls, data: Any) -> Any:
        if isinstance(data, dict):
            ops = [k for k in data if k in COMPARE_OPS]
            if len(ops) != 1:
                found = "、".join(ops) if ops else "none"
                raise ValueError(
                    f"a comparison needs exactly one operator ({', '.join(COMPARE_OPS)}); found: {found}"
                )
        return data

    @property
    def op(self) -> str:
        for op in COMPARE_OPS:
            if getattr(self, "in_" if op == "in" else op) is not None:
                return op
        raise AssertionError("validated to have one operator")

    @property
    def operand(self) -> Any:
        return getattr(self, "in_" if self.op == "in" else self.op)


class AllOf(Strict):
    all: list["Condition"] = Field(min_length=1)
    label: str | None = None


class AnyOf(Strict):
    any: list["Condition"] = Field(min_length=1)
    label: str | None = None


class NotOf(Strict):
    not_: "Condition" = Field(alias="not")
    label: str | None = None


def _condition_tag(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key
        return "compare"
    if isinstance(value, AllOf):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    if isinstance(value, NotOf):
        return "not"
    return "compare"


Condition = Annotated[
    Union[
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[NotOf, Tag("not")],
        Annotated[Compare, Tag("compare")],
    ],
    Discriminator(_condition_tag),
]

# ---------------------------------------------------------------- amounts


class FixedAmount(Strict):
    kind: Literal["fixed"]
    value: Money


class UpToAmount(Strict):
    kind: Literal["up_to"]
    max: Money
    cumulative_cap: Money | None = Field(None, description="a total over all years; what was received counts against it")
    received_field: str | None = Field(None, description="profile field with what was already received")


class RangeAmount(Strict):
    kind: Literal["range"]
    min: Money
    max: Money
    cumulative_cap: Money | None = None
    received_field: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "RangeAmount":
        if self.min > self.max:
            raise ValueError(f"range min {self.min} is above max {self.max}")
        return self


class PerUnitAmount(Strict):
    kind: Literal["per_unit"]
    rate: Money | None = Field(None, description="yuan per unit")
    rate_min: Money | None = Field(None, description="lowest rate, when the document gives a range per unit")
    rate_max: Money | None = None
    unit_field: str = Field(description="profile field with the number of units (people, students, enterprises)")
    unit_zh: str = Field("人", description="the unit, in Chinese (人, 户, 个)")
    cap: Money | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> "PerUnitAmount":
        ranged = self.rate_min is not None or self.rate_max is not None
        if (self.rate is None) == (not ranged) or (ranged and (self.rate_min is None or self.rate_max is None)):
            raise ValueError("give either rate, or both rate_min and rate_max")
        if ranged and self.rate_min > self.rate_max:
            raise ValueError("rate_min is above rate_max")
        return self


class PercentageAmount(Strict):
    kind: Literal["percentage"]
    percent: Annotated[Decimal, Field(gt=0, le=100)]
    of_field: str = Field(description="profile field with the base amount (yuan)")
    cap: Money | None = None
    up_to: bool = Field(False, description="the document says 'not more than' the percentage (不高于)")


class Tier(Strict):
    at_least: Money
    value: Money


class TiersAmount(Strict):
    kind: Literal["tiers"]
    field: str
    tiers: list[Tier] = Field(min_length=1)
    cumulative: bool = Field(False, description="each tier reached is paid once, so the amounts add up")

    @model_validator(mode="after")
    def _ascending(self) -> "TiersAmount":
        thresholds = [t.at_least for t in self.tiers]
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            raise ValueError("tiers must be listed with strictly ascending at_least thresholds")
        return self


class Grade(Strict):
    grade: str
    value: Money


class GradesAmount(Strict):
    kind: Literal["grades"]
    field: str = Field(description="profile field holding the assessed grade")
    grades: list[Grade] = Field(min_length=2)


class Factor(Strict):
    parameter: str | None = None
    field: str | None = None
    number: Decimal | None = None
    max: Decimal | None = Field(None, description="a field's value is capped at this (e.g. at most 12 months)")

    @model_validator(mode="after")
    def _one_source(self) -> "Factor":
        if sum(x is not None for x in (self.parameter, self.field, self.number)) != 1:
            raise ValueError("a factor is exactly one of: parameter, field, number")
        return self


class FormulaAmount(Strict):
    kind: Literal["formula"]
    description: str = Field(description="the formula in words, in Chinese")
    factors: list[Factor] = Field(min_length=1, description="the amount is the product of the factors")
    cap: Money | None = None


class NotStatedAmount(Strict):
    kind: Literal["not_stated"]
    set_by: str = Field(description="the document or authority that sets the figure")


class InKindAmount(Strict):
    kind: Literal["in_kind"]
    description: str = Field(description="what the applicant gets, in Chinese (space, a right, a service, a title)")
    description_en: str | None = None


class Part(Strict):
    label: str
    amount: "Amount"


class PartsAmount(Strict):
    kind: Literal["parts"]
    parts: list[Part] = Field(min_length=2)


Amount = Annotated[
    Union[
        FixedAmount, UpToAmount, RangeAmount, PerUnitAmount, PercentageAmount, TiersAmount,
        GradesAmount, FormulaAmount, NotStatedAmount, InKindAmount, PartsAmount,
    ],
    Field(discriminator="kind"),
]

# ---------------------------------------------------------------- rulebook


class Departments(Strict):
    lead: list[str] = Field(default_factory=list, description="牵头/责任单位: where the applicant applies")
    cooperating: list[str] = Field(default_factory=list, description="配合单位")


Quote = Union[str, list[str]]


class Benefit(Strict):
    id: Identifier
    name: str = Field(description="Chinese name")
    name_en: str
    clause: str = Field(description="where in the document, e.g. 淮创22条 第8条")
    category: Category
    applicant_kinds: list[str] = Field(min_length=1)
    conditions: Condition | None = None
    amount: Amount
    period: Period = Period.once
    period_note: str | None = None
    exclusive_with: list[str] = Field(default_factory=list, description="不得重复享受: benefits that cannot be combined with this one")
    departments: Departments
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    quote: Quote
    notes: str | None = None


class ParameterValue(Strict):
    from_: dt.date = Field(alias="from")
    value: Decimal


class Parameter(Strict):
    description: str
    unit: str = "元"
    source: str = Field(description="the document that sets the value")
    values: list[ParameterValue] = Field(default_factory=list, description="empty when no value has been verified")


class Target(Strict):
    id: Identifier
    description: str
    value: Decimal | None = None
    unit: str | None = None
    period: Literal["yearly", "total"] = "total"
    quote: Quote


class NotEncoded(Strict):
    quote: Quote
    reason: str


class City(Strict):
    slug: Identifier
    zh: str
    en: str


class Document(Strict):
    title: str
    number: str | None = Field(None, description="文号")
    issuer: str
    issued: dt.date | None = None
    in_force_from: dt.date
    in_force_to: dt.date | None = None
    implements: list[str] = Field(default_factory=list, description="the higher-level plans it implements")
    source: str = Field(description="path of the official text, relative to the rulebook folder")
    draft: bool = Field(False, description="a draft for comments (征求意见稿): results are provisional")
    notes: str | None = None


class Rulebook(Strict):
    city: City
    document: Document
    parameters: dict[Identifier, Parameter] = Field(default_factory=dict)
    targets: list[Target] = Field(default_factory=list)
    benefits: list[Benefit] = Field(min_length=1)
    not_encoded: list[NotEncoded] = Field(default_factory=list)

    def benefit(self, benefit_id: str) -> Benefit | None:
        return next((b for b in self.benefits if b.id == benefit_id), None)


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Part.model_rebuild()
PartsAmount.model_rebuild()
Benefit.model_rebuild()
Rulebook.model_rebuild()
