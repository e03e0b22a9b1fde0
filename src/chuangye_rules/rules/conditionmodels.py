"""The rulebook format's conditions: a field compared with a value, a date or another field, and the groups
all_of / any_of / not that combine them (a tagged union, so a mistake is reported for the form meant)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator

from .core import COMPARE_OPS, RELATIVE_OPS, CompareBehaviour  # noqa: F401  (RELATIVE_OPS: importable from here)
from .modelbase import Duration, RelativeDuration, Strict

# ---------------------------------------------------------------- conditions

class Compare(CompareBehaviour, Strict):
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

