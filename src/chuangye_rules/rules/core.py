"""The rule model as the engines read it, with no Pydantic: the codes of a benefit's category and period, the comparison
operators, and the behaviour a comparison and a rulebook have. The Pydantic models of the format (schema.py: what a
rulebook may contain, validated) take their behaviour from here, and so do the plain objects `chuangye check` builds
from the cache (runtime.py): the evaluator sees one model, whichever objects hold it."""

from __future__ import annotations

from enum import Enum
from functools import cached_property
from typing import Any


class Category(str, Enum):
    """待遇类别 / Category of a benefit: cash_subsidy 补贴、award 奖励、loan_interest_subsidy 贷款贴息（计入现金合计 /
    added into cash totals）；loan 贷款、tax_treatment 税收优惠、free_space 免费场地、premises 场地支持、
    personnel_entitlement 人事待遇、investment 投资、service 服务、social_insurance 社会保险、honour 荣誉称号。"""

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
    """发放方式 / How a benefit is paid: once 一次性、yearly 每年、monthly 每月、per_project 每个项目、
    in_stages 分阶段、ongoing 持续（服务、权利 / services, rights）。"""

    once = "once"
    yearly = "yearly"
    monthly = "monthly"
    per_project = "per_project"
    in_stages = "in_stages"
    ongoing = "ongoing"


COMPARE_OPS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in",
    "contains", "contains_any", "contains_all",
    "within_last", "at_least_ago", "same_year_as_evaluation", "within_after", "no_later_than", "same_year_as",
)
# the operators that compare a date with another date field of the same profile (a window between two events)
RELATIVE_OPS = ("within_after", "no_later_than", "same_year_as")


class CompareBehaviour:
    """A comparison's operator, operand and second field, read from whichever one of its operator fields is set."""

    @cached_property  # asked for at every evaluation of every applicant: found once (nothing changes a node's operator)
    def op(self) -> str:
        for op in COMPARE_OPS:
            if getattr(self, "in_" if op == "in" else op) is not None:
                return op
        raise AssertionError("validated to have one operator")

    @property
    def operand(self) -> Any:
        return getattr(self, "in_" if self.op == "in" else self.op)

    @property
    def other_field(self) -> str | None:
        """The second date field a relative window reads (`within_after`, `no_later_than`, `same_year_as`)."""
        if self.op == "same_year_as":
            return self.same_year_as
        if self.op in ("within_after", "no_later_than"):
            return self.operand.field
        return None


class RulebookBehaviour:
    def benefit(self, benefit_id: str) -> Any:
        return next((b for b in self.benefits if b.id == benefit_id), None)
