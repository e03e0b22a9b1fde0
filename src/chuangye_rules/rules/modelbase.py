"""What every part of the rulebook format shares: the strict base model (unknown keys rejected), money and
identifiers, the categories and periods of benefits, durations."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Money = Annotated[Decimal, Field(ge=0, description="金额（元），写阿拉伯数字，如 `10000` / yuan (元), exact decimal, e.g. `10000`")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$",
                                  description="标识：小写英文字母、数字和下划线，以字母开头 / lower_snake_case identifier")]


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


class Duration(Strict):
    """期限：整数的年、月、日，可以组合，如 `{years: 1, months: 6}` / A length of time in whole years, months, days."""

    years: int = Field(0, ge=0, description="年数（整数），如 `{years: 5}` / whole years, e.g. `{years: 5}`")
    months: int = Field(0, ge=0, description="月数（整数），如 `{months: 6}` / whole months, e.g. `{months: 6}`")
    days: int = Field(0, ge=0, description="天数（整数），如 `{days: 30}` / whole days, e.g. `{days: 30}`")

    @model_validator(mode="after")
    def _not_empty(self) -> "Duration":
        if not (self.years or self.months or self.days):
            raise ValueError("a duration needs years, months or days")
        return self


class RelativeDuration(Duration):
    """从另一个日期字段起算的期限，如 `{field: traineeship_end_date, months: 6}` /
    A length of time counted from another date field of the profile."""

    field: str = Field(description="起算的另一个日期字段，如 `traineeship_end_date` / "
                                   "the other date field the duration counts from")


