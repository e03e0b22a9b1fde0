"""An applicant's history: the benefits already received (已享受待遇), as a profile or a list cell states them.

A profile writes `received:` as a list — a benefit id (or `city.id`, or the benefit's Chinese name), or a
mapping `{benefit: …, date: …, amount: …}`; a list cell (and the shorthand in a profile) writes the same
separated by 、 with an optional amount after =, e.g. `one_time_startup_subsidy、startup_talent_referral_reward=20000`.
An empty history means none recorded: every benefit is judged as not yet received.

What the history changes is decided in evaluation.py (and compiled alike for the batch): a one-off benefit
already received is reported as such; a one-off reward in cumulative tiers pays only the tiers not yet paid;
and a benefit that may not be combined with one already received is excluded.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field

from ..base.memo import by_identity
from ..base.messages import Invalid

HISTORY = "received"  # the catalog field that holds the history
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


def references(slug: str, city_zh: str, benefits: Iterable[Any]) -> dict[str, str]:
    """Every way an entry may name a benefit of one rulebook → its id: the id, `city.id`, the Chinese name
    (alone or after the city's name)."""
    return dict(_references(slug, city_zh, benefits))


@by_identity
def _references(slug: str, city_zh: str, benefits: Iterable[Any]) -> dict[str, str]:
    names: dict[str, str] = {}
    for b in benefits:
        for ref in (b.id, f"{slug}.{b.id}", b.name, f"{city_zh}{b.name}", f"{city_zh}.{b.id}"):
            names.setdefault(ref, b.id)
    return names


def benefit_keys(rulebooks: Iterable[Any]) -> dict[str, list[str]]:
    """Every way of naming a benefit of these rulebooks → the "city.id" of each benefit so named (a bare id may
    name benefits of several cities)."""
    keys: dict[str, list[str]] = {}
    for book in rulebooks:
        for ref, benefit_id in references(book.city.slug, book.city.zh, book.benefits).items():
            keys.setdefault(ref, []).append(f"{book.city.slug}.{benefit_id}")
    return keys


def received_by_benefit(entries: Iterable[Received], refs: dict[str, str]) -> dict[str, list[Received]]:
    """The entries naming benefits of one rulebook, by benefit id (entries naming other rulebooks' benefits
    are left out: unknown_entries finds those that name none)."""
    found: dict[str, list[Received]] = {}
    for entry in entries:
        benefit_id = refs.get(entry.benefit)
        if benefit_id is not None:
            found.setdefault(benefit_id, []).append(entry)
    return found


def cell_codes(entries: Iterable[Received], refs: dict[str, list[str]]) -> str | None:
    """A list cell's history as the batch column holds it: "|city.id|city.id=fen|" (each benefit an entry names,
    in every rulebook that has it); None if an entry names no benefit at all. `refs`: every way of naming a
    benefit → its "city.id" keys."""
    tokens = []
    cities = {key.split(".")[0] for keys in refs.values() for key in keys}
    for entry in entries:
        keys = refs.get(entry.benefit)
        if not keys and _other_city(entry, cities):
            continue
        if not keys:
            return None
        amount = "" if entry.amount is None else f"={int(entry.amount * 100)}"
        tokens += [key + amount for key in keys]
    return "|" + "|".join(tokens) + "|" if tokens else "|"


def unknown_entries(entries: Iterable[Received], all_refs: Iterable[dict[str, str]]) -> list[Received]:
    """Entries naming no benefit of these rulebooks (an entry `city.id` for a city not among them names another
    city's benefit: history, not a typo)."""
    refs = list(all_refs)
    cities = {key.split(".")[0] for r in refs for key in r if "." in key}
    return [e for e in entries if not any(e.benefit in r for r in refs) and not _other_city(e, cities)]


def _other_city(entry: Received, cities: set[str]) -> bool:
    head, dot, _ = entry.benefit.partition(".")
    return bool(dot) and head.isascii() and head.isidentifier() and head not in cities
