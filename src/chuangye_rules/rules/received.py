"""An entry of an applicant's history (已享受待遇) and how a profile or a list cell writes the history: see history.py
for what it is and what it changes. The entry is a Pydantic model: the profile model validates it as a field."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..base.messages import Invalid

SEPARATORS = re.compile(r"[、，,；;|\r\n]+")
NONE_WORDS = ("无", "没有", "none", "None")
_AMOUNT = re.compile(r"^(?P<ref>.+?)\s*[=＝:：]\s*(?P<amount>[0-9][0-9,，]*(?:\.[0-9]{1,2})?)\s*元?$")


class Received(BaseModel):
    """已享受的一项待遇 / One benefit already received: which, when and how much, each as far as known."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    benefit: str = Field(description="待遇标识（或 城市.标识、中文名称），如 `one_time_startup_subsidy` / "
                                     "the benefit's id (or city.id, or its Chinese name)")
    date: dt.date | None = Field(None, description="发放日期，如 `2023-10-01` / the date it was paid")
    amount: Decimal | None = Field(None, description="已发放金额（元），如 `20000` / the amount paid, in yuan")


def parse_received(value: Any) -> tuple[Received, ...]:
    """A profile's or a cell's history as entries; raises ValueError (Invalid: Chinese, with English) naming the bad part."""
    if value is None:
        return ()
    if isinstance(value, str):
        if value.strip() in NONE_WORDS:
            return ()
        return tuple(_token(part.strip()) for part in SEPARATORS.split(value) if part.strip())
    if isinstance(value, (list, tuple)):
        entries = []
        for item in value:
            if isinstance(item, Received):
                entries.append(item)
            elif isinstance(item, str):
                entries.append(_token(item.strip()))
            elif isinstance(item, dict):
                unknown = set(item) - {"benefit", "date", "amount", "待遇", "日期", "金额"}
                if unknown:
                    raise Invalid(f"已享受待遇的一项只能写 benefit（待遇）、date（日期）、amount（金额），"
                                  f"不认识 {'、'.join(map(str, sorted(unknown)))}",
                                  "an entry of the benefits received takes benefit, date and amount only, not "
                                  + ", ".join(map(str, sorted(unknown))))
                item = {{"待遇": "benefit", "日期": "date", "金额": "amount"}.get(k, k): v for k, v in item.items()}
                if not item.get("benefit"):
                    raise Invalid("已享受待遇的一项缺少 benefit（待遇标识或名称）",
                                  "an entry of the benefits received has no benefit (the benefit's id or name)")
                entries.append(Received(benefit=str(item["benefit"]).strip(), date=item.get("date"),
                                        amount=_amount(item.get("amount"))))
            else:
                raise Invalid(f"已享受待遇的一项应为待遇标识或“benefit: …”映射，而不是 {type(item).__name__}",
                              f"an entry of the benefits received should be a benefit's id or a 'benefit: …' mapping, "
                              f"not a {type(item).__name__}")
        return tuple(entries)
    raise Invalid("已享受待遇应为待遇标识的列表，如 [one_time_startup_subsidy]，"
                  "或用、分隔的文字，如 one_time_startup_subsidy、startup_talent_referral_reward=20000",
                  "the benefits received should be a list of benefit ids, e.g. [one_time_startup_subsidy], or text "
                  "separated by 、 or commas, e.g. one_time_startup_subsidy, startup_talent_referral_reward=20000")


def _token(text: str) -> Received:
    match = _AMOUNT.match(text)
    if match:
        return Received(benefit=match["ref"].strip(), amount=_amount(match["amount"]))
    return Received(benefit=text)


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid("已享受待遇的金额应为数字（元），不是 true/false",
                      "the amount of a benefit received should be a number (yuan), not true/false")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise Invalid(f"已享受待遇的金额 {value!r} 不是数字（元）",
                      f"the amount of a benefit received, {value!r}, is not a number (yuan)") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("1e13") or amount != amount.quantize(Decimal("0.01")):
        raise Invalid(f"已享受待遇的金额 {value!r} 应为不小于0、最多两位小数的元数",
                      f"the amount of a benefit received, {value!r}, should be yuan, not negative, "
                      "with at most two decimal places")
    return amount


