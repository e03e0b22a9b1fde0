"""The rulebook format: Pydantic models for a city's rulebook (unknown keys are rejected everywhere).

This module only says what a rulebook may contain. Cross-checks that need the profile catalog (does a
condition's field exist, does its value have the right type) live in loading.py.

Every field has a description "中文 / English": the JSON Schema generated from these models
(`chuangye schema rulebook`) shows them in the editor on hover.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, Union

from pydantic import Field

from .amountmodels import (  # noqa: F401
    Amount,
    Factor,
    FixedAmount,
    FormulaAmount,
    Grade,
    GradesAmount,
    InKindAmount,
    NotStatedAmount,
    Part,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
    RangeAmount,
    Tier,
    TiersAmount,
    UpToAmount,
)
from .conditionmodels import COMPARE_OPS, RELATIVE_OPS, AllOf, AnyOf, Compare, Condition, NotOf  # noqa: F401
from .core import RulebookBehaviour

# the whole format, importable from here as before it was split by part
from .modelbase import CASH_CATEGORIES, Category, Duration, Identifier, Money, Period, RelativeDuration, Strict  # noqa: F401

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
    description_en: str | None = Field(None, description="说明的英文（可选），如 `Inner Mongolia's monthly minimum wage, "
                                                         "class I areas` / the same in English (optional)")
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
    description_en: str | None = Field(None, description="说明的英文（可选，--lang en 的预算报告显示它），如 `people supported "
                                                         "to start a business in the city, 2022-2025` / the same in English "
                                                         "(optional; the budget report shows it with --lang en)")
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


class Rulebook(RulebookBehaviour, Strict):
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


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Part.model_rebuild()
PartsAmount.model_rebuild()
Benefit.model_rebuild()
Rulebook.model_rebuild()
