"""The rulebook format: Pydantic models for a city's rulebook (unknown keys are rejected everywhere).

This module only says what a rulebook may contain. Cross-checks that need the profile catalog (does a
condition's field exist, does its value have the right type) live in loading.py.

Every field has a description "中文 / English": the JSON Schema generated from these models
(`chuangye schema rulebook`) shows them in the editor on hover.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


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


# ---------------------------------------------------------------- conditions

COMPARE_OPS = (
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in",
    "contains", "contains_any", "contains_all",
    "within_last", "at_least_ago", "same_year_as_evaluation", "within_after", "no_later_than", "same_year_as",
)
# the operators that compare a date with another date field of the same profile (a window between two events)
RELATIVE_OPS = ("within_after", "no_later_than", "same_year_as")


class Compare(Strict):
    """一个比较：对申请人信息中一个字段的判断，只能有一个运算符，如 `{field: employees, gte: 50, label: 吸纳就业50人以上}` /
    One test on one profile field, with exactly one operator, e.g. `{field: employees, gte: 50}`."""

    field: str = Field(description="申请人信息中的字段（英文名，`chuangye fields` 列出全部），如 `employees` / "
                                   "the profile field tested (English name; see `chuangye fields`), e.g. `employees`")
    label: str | None = Field(None, description="这条条件在结果“原因”中的中文读法，照原文写，如 `吸纳就业50人以上` / "
                                                "how the test reads in Chinese, shown in the reasons")
    eq: Any = Field(None, description="等于；是/否字段写 `eq: true` 或 `eq: false`，如 `eq: true` / "
                                      "equals; for a yes/no field `eq: true` or `eq: false`")
    ne: Any = Field(None, description="不等于，如 `ne: school` / not equal to, e.g. `ne: school`")
    gt: Any = Field(None, description="大于（原文“超过”），如 `gt: 10` / greater than (超过), e.g. `gt: 10`")
    gte: Any = Field(None, description="不小于（原文“以上”，含本数），如 `gte: 50` / "
                                       "at least (以上, the number included), e.g. `gte: 50`")
    lt: Any = Field(None, description="小于（原文“不足”），如 `lt: 10` / less than (不足), e.g. `lt: 10`")
    lte: Any = Field(None, description="不大于（原文“以下”“以内”，含本数），如 `lte: 100000` / "
                                       "at most (以下, 以内, the number included), e.g. `lte: 100000`")
    in_: list[Any] | None = Field(None, alias="in", description="是列表中的某一个，如 `in: [市南区, 李沧区]` / "
                                                                "is one of the listed values")
    not_in: list[Any] | None = Field(None, description="不是列表中的任何一个，如 `not_in: [school, organization]` / "
                                                       "is none of the listed values")
    contains: str | None = Field(None, description="多选字段（身份 identities、认定 recognitions）含有这一项，"
                                                   "如 `contains: veteran` / a multi-choice field includes this value")
    contains_any: list[str] | None = Field(None, description="含有其中任一项，如 `contains_any: [college_graduate, student]` / "
                                                             "includes at least one of these values")
    contains_all: list[str] | None = Field(None, description="全部各项都含有，如 `contains_all: [migrant_worker, returnee]` / "
                                                             "includes every one of these values")
    within_last: Duration | None = Field(None, description="日期在评估日之前的这段时间内（“5年内”），如 `{years: 5}` / "
                                                           "the date lies in the period ending on the evaluation date")
    at_least_ago: Duration | None = Field(None, description="日期在评估日之前至少这么久（“满1年”），如 `{years: 1}` / "
                                                            "the date is at least this long before the evaluation date")
    same_year_as_evaluation: Literal[True] | None = Field(
        None, description="日期与评估日在同一年（“毕业年度内”），写 `true` / "
                          "the date is in the same calendar year as the evaluation date; write `true`")
    within_after: RelativeDuration | None = Field(
        None, description="日期在另一个日期当天或之后、且不超过这么久，如 `{field: traineeship_end_date, months: 6}` / "
                          "the date lies within this long after another date")
    no_later_than: RelativeDuration | None = Field(
        None, description="日期不晚于另一个日期加这么久（之前也算），如“离校两年内（含在校期间）创业”："
                          "`{field: graduation_date, years: 2}` / "
                          "the date is on or before another date plus this long (earlier dates included)")
    same_year_as: str | None = Field(
        None, description="日期与另一个日期字段在同一年（“毕业年度内从事个体经营”），如 `same_year_as: graduation_date` / "
                          "the date is in the same calendar year as another date field")

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
            if data[ops[0]] is None:  # `contains:` with nothing after it: the operator is there, its value not
                raise ValueError(f"the operator {ops[0]} has no value")
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

    @property
    def other_field(self) -> str | None:
        """The second date field a relative window reads (`within_after`, `no_later_than`, `same_year_as`)."""
        if self.op == "same_year_as":
            return self.same_year_as
        if self.op in ("within_after", "no_later_than"):
            return self.operand.field
        return None


_GROUP_LABEL = "这组条件在结果中的中文读法，照原文写，如 `离校两年内未就业高校毕业生` / how the group reads in Chinese"


class AllOf(Strict):
    """并且：各项条件都满足 / all: every condition holds."""

    all: list["Condition"] = Field(min_length=1, description="并且：下列条件都要满足（有一项“否”即为“否”） / "
                                                              "all of these conditions hold (one 'no' makes it no)")
    label: str | None = Field(None, description=_GROUP_LABEL)


class AnyOf(Strict):
    """或者：至少一项条件满足 / any: at least one condition holds."""

    any: list["Condition"] = Field(min_length=1, description="或者：下列条件至少一项满足（有一项“是”即为“是”） / "
                                                              "at least one of these conditions holds")
    label: str | None = Field(None, description=_GROUP_LABEL)


class NotOf(Strict):
    """不是：条件不成立 / not: the condition does not hold."""

    not_: "Condition" = Field(alias="not", description="不是：这个条件不成立（“不知道”仍是“不知道”），"
                                                       "如 `not: {field: in_park_or_incubator, eq: true}` / "
                                                       "the condition does not hold (unknown stays unknown)")
    label: str | None = Field(None, description=_GROUP_LABEL)


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

# ---------------------------------------------------------------- rulebook


class Departments(Strict):
    """办理部门，照原文抄写 / The departments, as the document names them."""

    lead: list[str] = Field(default_factory=list, description="牵头/责任单位，申请人去这里办，如 `[市人社局, 市财政局]` / "
                                                              "lead departments: where the applicant applies")
    cooperating: list[str] = Field(default_factory=list, description="配合单位，如 `[各县区人民政府]` / "
                                                                     "cooperating departments")


Quote = Union[str, list[str]]


class Benefit(Strict):
    """一项待遇：申请人可以得到的补贴、奖励、贷款、税收优惠、场地、服务或荣誉 / One benefit an applicant can get."""

    id: Identifier = Field(description="待遇标识，文件中唯一，写好后不要改（测试用例用它），如 `one_time_startup_subsidy` / "
                                       "the benefit's identifier, unique in the file (lower_snake_case)")
    name: str = Field(description="中文名称，显示给申请人，如 `一次性创业补贴` / Chinese name, shown to applicants")
    name_en: str = Field(description="英文名称（--lang en），如 `One-time startup subsidy` / the name in English")
    clause: str = Field(description="在原文中的位置，如 `二(一)2`、`淮创22条 第8条` / where in the document")
    category: Category = Field(description="类别：cash_subsidy 补贴、award 奖励、loan_interest_subsidy 贷款贴息（计入现金合计）、"
                                           "loan 贷款、tax_treatment 税收优惠、free_space 免费场地、premises 场地支持、"
                                           "social_insurance 社会保险、personnel_entitlement 人事待遇、investment 投资、"
                                           "service 服务、honour 荣誉 / the kind of benefit; "
                                           "only the first three are added into cash totals")
    applicant_kinds: list[str] = Field(
        min_length=1,
        description="谁可以申请（至少一种）：individual 个人、individual_business 个体工商户、enterprise 企业、school 学校、"
                    "incubator 孵化载体、investment_institution 投资机构、organization 其他单位；也可写中文名，"
                    "如 `[individual, 企业]` / who may apply: codes or Chinese names")
    conditions: Condition | None = Field(
        None, description="申请条件：一个比较，或 all、any、not 的组合；不写表示只看申请人类型 / "
                          "eligibility conditions; omit when only the applicant kind matters")
    amount: Amount = Field(description="金额或内容，由 kind 决定写法，如 `{kind: fixed, value: 5000}` / "
                                       "the amount or what is given, by kind (yuan)")
    period: Period = Field(Period.once, description="发放方式：once 一次性（默认）、yearly 每年、monthly 每月、"
                                                    "per_project 每个项目、in_stages 分阶段、ongoing 持续 / "
                                                    "how it is paid (default once)")
    period_note: str | None = Field(None, description="对期限、发放方式的文字说明，如 `生活补贴100万元在3年内给予` / "
                                                      "a note on the period or payment schedule")
    exclusive_with: list[str] = Field(
        default_factory=list,
        description="不得重复享受：不能同时享受的其他待遇的 id，两项互相写上，如 `[incubation_subsidy]` / "
                    "benefits that cannot be combined with this one")
    departments: Departments = Field(description="办理部门：lead 牵头/责任单位、cooperating 配合单位 / "
                                                 "the departments: lead and cooperating")
    valid_from: dt.date | None = Field(
        None, description="待遇自己的生效日期，只在与文件不同时写，如 `2024-01-01` / "
                          "the benefit's own start date, when it differs from the document's")
    valid_to: dt.date | None = Field(
        None, description="待遇自己的截止日期，只在与文件不同时写，如 `2025-12-31` / "
                          "the benefit's own end date, when it differs from the document's")
    quote: Quote = Field(description="原文中授予这项待遇的句子，从原文逐字复制；一句或几句（列表） / "
                                     "the passage of the official text granting it, copied verbatim; text or a list")
    notes: str | None = Field(None, description="读法、疑问、留给经办人判断的事项 / "
                                                "how the text was read, open questions, matters for the caseworker")


class ParameterValue(Strict):
    """参数的一个已核实数值，如 `{from: 2021-12-01, value: 1980}` / One verified value of a parameter."""

    from_: dt.date = Field(alias="from", description="自这一日期起适用，如 `2021-12-01` / "
                                                     "the value applies from this date, e.g. `2021-12-01`")
    value: Decimal = Field(description="数值，单位见参数的 unit，如 `1980` / the value, in the parameter's unit, e.g. `1980`")


class Parameter(Strict):
    """文件引用而未写数值的标准（如最低工资标准），在 formula 中引用 /
    A standard the document refers to without a figure (e.g. the minimum wage), used in formulas."""

    description: str = Field(description="这个标准是什么，如 `内蒙古自治区一类地区月最低工资标准` / what the standard is")
    unit: str = Field("元", description="单位，默认 元，如 `元/月` / the unit, default 元 (yuan), e.g. `元/月`")
    source: str = Field(description="规定数值的文件 / the document that sets the value")
    values: list[ParameterValue] = Field(
        default_factory=list,
        description="已核实的数值，如 `[{from: 2021-12-01, value: 1980}]`；未核实时留空 / "
                    "verified values, each from a date; empty when no value has been verified")


class Target(Strict):
    """文件的一个目标（不是对申请人的待遇） / One target of the document (not a benefit to applicants)."""

    id: Identifier = Field(description="目标标识，如 `supported_founders` / the target's identifier (lower_snake_case)")
    description: str = Field(description="目标的中文说明，如 `2022—2025年全市扶持创业人数` / what the target is, in Chinese")
    value: Decimal | None = Field(None, description="数量，如 `3000`；定性目标不写 / the number; omit for a qualitative target")
    unit: str | None = Field(None, description="单位，如 `人`、`个` / the unit, e.g. `人`")
    period: Literal["yearly", "total"] = Field("total", description="total 整个期间（默认）或 yearly 每年 / "
                                                                    "over the whole period (default) or each year")
    quote: Quote = Field(description="原文中写这个目标的句子，逐字复制 / the passage stating the target, copied verbatim")
    counts: list[Identifier] = Field(
        default_factory=list,
        description="这个目标计数的待遇 id：预算报告把名单中符合其中任一项的人数放在目标旁；不写则不计数，如 "
                    "`[one_time_startup_subsidy]` / the benefits this target counts: the budget report sets the number "
                    "of applicants eligible for any of them beside the target; none, no count")


class NotEncoded(Strict):
    """有意不编码的一句原文及理由 / A passage deliberately not encoded, and why."""

    quote: Quote = Field(description="原文中的句子，逐字复制 / the passage, copied verbatim from the official text")
    reason: str = Field(description="不编码的理由，如 `部门职责，不是对申请人的待遇` / "
                                    "why it is not encoded, e.g. a department's duty, not a benefit")


class City(Strict):
    """城市，如 `{slug: ordos, zh: 鄂尔多斯, en: Ordos}` / The city."""

    slug: Identifier = Field(description="城市标识：小写英文（通常是拼音），与文件名相同，如 `ordos` / "
                                         "the city's identifier, same as the file name")
    zh: str = Field(description="中文名，如 `鄂尔多斯` / the name in Chinese")
    en: str = Field(description="英文名，如 `Ordos` / the name in English")


class Document(Strict):
    """所编码的政策文件 / The policy document encoded. 日期写作 YYYY-MM-DD / dates as YYYY-MM-DD."""

    title: str = Field(description="文件标题 / the document's title")
    number: str | None = Field(None, description="文号，如 `鄂府办发〔2022〕151号`；没有文号时不写 / "
                                                 "the document number (文号); omit when there is none")
    issuer: str = Field(description="发文单位，如 `鄂尔多斯市人民政府办公室` / the issuing authority")
    issued: dt.date | None = Field(None, description="印发（成文）日期，如 `2022-10-24` / the date issued")
    in_force_from: dt.date = Field(description="生效日期，此前评估显示“尚未生效”，如 `2022-10-24` / "
                                               "in force from this date")
    in_force_to: dt.date | None = Field(None, description="截止日期，此后评估显示“已过期”；文件没写时不写，如 `2025-12-31` / "
                                                          "in force until this date; omit when the document has none")
    implements: list[str] = Field(default_factory=list, description="本文件落实的上级文件（列表） / "
                                                                    "the higher-level plans it implements")
    source: str = Field(description="原文文件的路径，相对于规则库文件，如 `sources/ordos.txt` / "
                                    "path of the official text, relative to the rulebook folder")
    draft: bool = Field(False, description="征求意见稿写 `true`，每条结果都注明“征求意见稿” / "
                                           "a draft for comments (征求意见稿): results are provisional")
    notes: str | None = Field(None, description="对日期、部门等的读法和依据 / how dates, departments etc. were read")


class Rulebook(Strict):
    """一份政策文件的规则库：城市、文件、参数、目标、待遇和不编码的句子（见 docs/rulebook-format.md） /
    The rulebook of one policy document (see docs/rulebook-format.md)."""

    city: City = Field(description="城市，如 `{slug: ordos, zh: 鄂尔多斯, en: Ordos}` / the city")
    document: Document = Field(description="所编码的政策文件 / the policy document encoded")
    parameters: dict[Identifier, Parameter] = Field(
        default_factory=dict,
        description="文件引用而未写数值的标准，键为参数名，在 formula 中引用 / "
                    "standards the document cites without a figure, by name; used in formulas")
    targets: list[Target] = Field(default_factory=list, description="文件的主要目标，不是对申请人的待遇 / "
                                                                    "the document's targets, not benefits")
    benefits: list[Benefit] = Field(min_length=1, description="申请人可以得到的待遇，至少一项 / "
                                                              "the benefits an applicant can get (at least one)")
    not_encoded: list[NotEncoded] = Field(
        default_factory=list,
        description="带金额、期限或待遇却有意不编码的句子，各写理由 / passages deliberately not encoded, with reasons")

    def benefit(self, benefit_id: str) -> Benefit | None:
        return next((b for b in self.benefits if b.id == benefit_id), None)


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Part.model_rebuild()
PartsAmount.model_rebuild()
Benefit.model_rebuild()
Rulebook.model_rebuild()
