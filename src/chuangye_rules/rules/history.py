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

from typing import TYPE_CHECKING, Any, Iterable

from ..base.memo import by_identity

if TYPE_CHECKING:
    from .received import Received

HISTORY = "received"  # the catalog field that holds the history (its entries: received.py)


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
