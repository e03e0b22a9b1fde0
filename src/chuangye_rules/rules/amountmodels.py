"""The rulebook format's amounts, one model a kind (fixed, up to, range, per unit, percentage, tiers, grades,
formula, not stated, in kind, parts), as a tagged union on `kind`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .modelbase import Money, Strict

# ---------------------------------------------------------------- amounts

_CAP = "总额上限（元），可选，如 `1000000` / a cap on the amount, in yuan (optional), e.g. `1000000`"
_CUMULATIVE_CAP = ("累计上限（元）：历年合计最多这么多，已领取的计入，如 `2000000` / "
                  "a total over all years, in yuan; what was received counts against it")
_RECEIVED_FIELD = ("申请人信息中“已累计领取多少”的字段，与 cumulative_cap 一起用，如 `carrier_awards_received` / "
                  "profile field with what was already received")


class FixedAmount(Strict):
    """确定金额（“给予5000元”），如 `{kind: fixed, value: 5000}` / A fixed sum."""

    kind: Literal["fixed"] = Field(description="金额类型：确定金额 / amount kind: a fixed sum")
    value: Money = Field(description="金额（元），如 `5000` / the sum in yuan, e.g. `5000`")


class UpToAmount(Strict):
    """最高金额（“最高1万元”“不超过”），如 `{kind: up_to, max: 10000}` / Up to a maximum."""

    kind: Literal["up_to"] = Field(description="金额类型：最高（不超过）/ amount kind: up to a maximum")
    max: Money = Field(description="最高金额（元），如 `10000` / the maximum in yuan, e.g. `10000`")
    cumulative_cap: Money | None = Field(None, description=_CUMULATIVE_CAP)
    received_field: str | None = Field(None, description=_RECEIVED_FIELD)


class RangeAmount(Strict):
    """区间（“10万-200万元”），如 `{kind: range, min: 100000, max: 2000000}` / A range of sums."""

    kind: Literal["range"] = Field(description="金额类型：区间 / amount kind: a range")
    min: Money = Field(description="区间下限（元），如 `100000` / the lower end in yuan, e.g. `100000`")
    max: Money = Field(description="区间上限（元），如 `2000000` / the upper end in yuan, e.g. `2000000`")
    cumulative_cap: Money | None = Field(None, description=_CUMULATIVE_CAP)
    received_field: str | None = Field(None, description=_RECEIVED_FIELD)

    @model_validator(mode="after")
    def _ordered(self) -> "RangeAmount":
        if self.min > self.max:
            raise ValueError(f"range min {self.min} is above max {self.max}")
        return self


class PerUnitAmount(Strict):
    """按人、按户（“每户5000元”），如 `{kind: per_unit, rate: 5000, unit_field: incubated_graduated, unit_zh: 户}` /
    A sum per person, household or enterprise."""

    kind: Literal["per_unit"] = Field(description="金额类型：按人、按户 / amount kind: per unit")
    rate: Money | None = Field(None, description="每个单位（每人、每户）的金额（元），如 `5000` / yuan per unit, e.g. `5000`")
    rate_min: Money | None = Field(None, description="原文给每单位金额区间时的下限（元），“600-2000元/人”写 `600` / "
                                                     "lowest rate, when the document gives a range per unit")
    rate_max: Money | None = Field(None, description="每单位金额区间的上限（元），如 `2000`，与 rate_min 一起写 / "
                                                     "highest rate, with rate_min")
    unit_field: str = Field(description="人数、户数所在的申请人信息字段，如 `graduates_retained` / "
                                        "profile field with the number of units (people, students, enterprises)")
    unit_zh: str = Field("人", description="单位的中文，如 `人`、`户`、`个`（默认 人） / the unit, in Chinese (人, 户, 个)")
    cap: Money | None = Field(None, description=_CAP)

    @model_validator(mode="after")
    def _one_rate(self) -> "PerUnitAmount":
        ranged = self.rate_min is not None or self.rate_max is not None
        if (self.rate is None) == (not ranged) or (ranged and (self.rate_min is None or self.rate_max is None)):
            raise ValueError("give either rate, or both rate_min and rate_max")
        if ranged and self.rate_min > self.rate_max:
            raise ValueError("rate_min is above rate_max")
        return self


class PercentageAmount(Strict):
    """按比例（“按实际支付额的10%”），如 `{kind: percentage, percent: 10, of_field: rd_investment}` /
    A percentage of an amount in the profile."""

    kind: Literal["percentage"] = Field(description="金额类型：按比例 / amount kind: a percentage")
    percent: Annotated[Decimal, Field(gt=0, le=100)] = Field(description="百分数：10% 写 `10`（大于0，最大100） / "
                                                                         "the percentage: 10% is written `10`")
    of_field: str = Field(description="作为基数的金额字段（元），如 `technology_purchase_amount` / "
                                      "profile field with the base amount (yuan)")
    cap: Money | None = Field(None, description=_CAP)
    up_to: bool = Field(False, description="原文写“不高于”该比例时写 `true`，结果是上限 / "
                                           "the document says 'not more than' the percentage (不高于)")


class Tier(Strict):
    """一档：达到门槛给的金额，如 `{at_least: 1000000, value: 20000}` / One tier: the sum for reaching a threshold."""

    at_least: Money = Field(description="门槛：字段值达到（不小于）即算，如 `1000000` / "
                                        "the threshold, reached when the field is at least this, e.g. `1000000`")
    value: Money = Field(description="达到这一档给的金额（元），如 `20000` / the sum for this tier in yuan, e.g. `20000`")


class TiersAmount(Strict):
    """分档（“纳税突破100万、300万……分别奖励”） / Tiers by thresholds of a profile field."""

    kind: Literal["tiers"] = Field(description="金额类型：分档 / amount kind: tiers")
    field: str = Field(description="用来分档的金额或数量字段，如 `referred_business_tax_paid` / "
                                   "profile field the tiers are measured on")
    tiers: list[Tier] = Field(min_length=1, description="各档，按 at_least 从低到高排列 / the tiers, by ascending at_least")
    cumulative: bool = Field(False, description="`true`：达到的每一档都给、逐档累计；不写只给最高一档 / "
                                                "each tier reached is paid once, so the amounts add up")

    @model_validator(mode="after")
    def _ascending(self) -> "TiersAmount":
        thresholds = [t.at_least for t in self.tiers]
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            raise ValueError("tiers must be listed with strictly ascending at_least thresholds")
        return self


class Grade(Strict):
    """一个评定等级及其金额，如 `{grade: 一等, value: 50000}` / One assessed grade and its sum."""

    grade: str = Field(description="等级名称，如 `一等`、`1万元` / the grade's name, e.g. `一等`")
    value: Money = Field(description="该等级的金额（元），如 `10000` / the sum for this grade in yuan, e.g. `10000`")


class GradesAmount(Strict):
    """按评定等级（“按等级给予1万、2万……”） / A sum by assessed grade."""

    kind: Literal["grades"] = Field(description="金额类型：按评定等级 / amount kind: by grade")
    field: str = Field(description="存放评定等级的申请人信息字段，如 `project_grade` / "
                                   "profile field holding the assessed grade")
    grades: list[Grade] = Field(min_length=2, description="各等级和金额，至少两级 / the grades and their sums, at least two")


class Factor(Strict):
    """公式的一个因子：parameter、field、number 只写一种，如 `{number: 0.6}` /
    One factor of a formula: exactly one of parameter, field, number."""

    parameter: str | None = Field(None, description="parameters 中定义的参数，如 `nm_min_wage_class1_monthly` / "
                                                    "a parameter defined under parameters")
    field: str | None = Field(None, description="申请人信息字段，如 `traineeship_months` / "
                                                "a profile field, e.g. `traineeship_months`")
    number: Decimal | None = Field(None, description="固定的数，60% 写 `0.6` / a fixed number, e.g. `0.6` for 60%")
    max: Decimal | None = Field(None, description="字段值的封顶，如“最长12个月”写 `12` / "
                                                  "a field's value is capped at this (e.g. at most 12 months)")

    @model_validator(mode="after")
    def _one_source(self) -> "Factor":
        if sum(x is not None for x in (self.parameter, self.field, self.number)) != 1:
            raise ValueError("a factor is exactly one of: parameter, field, number")
        return self


class FormulaAmount(Strict):
    """公式（“最低工资标准的60% × 月数”），金额是各因子的乘积 / A formula: the product of its factors."""

    kind: Literal["formula"] = Field(description="金额类型：公式 / amount kind: a formula")
    description: str = Field(description="公式的中文说明，如 `月最低工资标准 × 60% × 见习月数` / "
                                         "the formula in words, in Chinese")
    factors: list[Factor] = Field(min_length=1, description="因子，金额是各因子的乘积，如 `- {number: 0.6}` / "
                                                             "the amount is the product of the factors")
    cap: Money | None = Field(None, description=_CAP)


class NotStatedAmount(Strict):
    """文件没写数额（“按规定给予”），如 `{kind: not_stated, set_by: 鄂财社发〔2022〕79号}` /
    The document gives no figure."""

    kind: Literal["not_stated"] = Field(description="金额类型：文件没写数额 / amount kind: no figure stated")
    set_by: str = Field(description="规定数额的文件或机关，如 `鄂财社发〔2022〕79号` / "
                                    "the document or authority that sets the figure")
    set_by_en: str | None = Field(None, description="set_by 的英文（可选），如 `the province's rules` / "
                                                    "the same in English (optional; --lang en shows it)")


class InKindAmount(Strict):
    """非现金：场地、权利、服务、称号，如 `{kind: in_kind, description: 免费提供创业场地}` /
    In kind: space, a right, a service, a title."""

    kind: Literal["in_kind"] = Field(description="金额类型：非现金 / amount kind: in kind")
    description: str = Field(description="内容（中文），如 `原则上取消反担保` / "
                                         "what the applicant gets, in Chinese (space, a right, a service, a title)")
    description_en: str | None = Field(None, description="内容的英文（可选），如 `counter-guarantee waived` / "
                                                         "the same in English (optional)")


class Part(Strict):
    """一部分，如 `{label: 生活补贴（3年内）, amount: {kind: fixed, value: 1000000}}` / One part of a benefit's amount."""

    label: str = Field(description="这一部分的名称，如 `启动资金（一次性）` / the part's name, in Chinese")
    label_en: str | None = Field(None, description="名称的英文（可选），如 `start-up funds (once)` / "
                                                   "the part's name in English (optional; --lang en shows it)")
    amount: "Amount" = Field(description="这一部分的金额（任何一种 kind），如 `{kind: fixed, value: 2000000}` / "
                                         "the part's amount, of any kind")


class PartsAmount(Strict):
    """几部分（“生活补贴100万元、启动资金200万元”） / An amount in several parts."""

    kind: Literal["parts"] = Field(description="金额类型：几部分 / amount kind: several parts")
    parts: list[Part] = Field(min_length=2, description="各部分，至少两部分 / the parts, at least two")


Amount = Annotated[
    Union[
        FixedAmount, UpToAmount, RangeAmount, PerUnitAmount, PercentageAmount, TiersAmount,
        GradesAmount, FormulaAmount, NotStatedAmount, InKindAmount, PartsAmount,
    ],
    Field(discriminator="kind"),
]

