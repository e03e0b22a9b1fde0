"""What every part of the rulebook format shares: the strict base model (unknown keys rejected), money and
identifiers, the categories and periods of benefits, durations."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .core import CASH_CATEGORIES, Category, Period  # noqa: F401  (part of the format, importable from here)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Money = Annotated[Decimal, Field(ge=0, description="金额（元），写阿拉伯数字，如 `10000` / yuan (元), exact decimal, e.g. `10000`")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$",
                                  description="标识：小写英文字母、数字和下划线，以字母开头 / lower_snake_case identifier")]


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


