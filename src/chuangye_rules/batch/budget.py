"""The budget a plan implies for a population: per benefit, per lead department and against the plan's
targets, how many applicants qualify and the exact and "up to" totals — gathered from the batch's wide
results, then written as Markdown (report.md), charts (report_html.py) and a short summary on screen.

Shared leads: a benefit led by several departments together is counted once, in the row of those departments
together (共同牵头), never once per department — so the rows of 按牵头单位 add up to the city's total. Each
department's own list (各单位经办的待遇) then shows every benefit it leads, co-leads or supports once, with
its role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from ..base.money import yuan
from ..render.departments import department_name, departments_text
from ..render.reportwords import TARGET_UNITS_EN, head, report_word, role
from .compile import CompiledRulebook, result_columns
from .plan import WIDE

PEOPLE_UNITS = ("人", "名", "人次", "户")


@dataclass
class Line:
    city: str
    id: str
    name: str
    eligible: int = 0
    needs_info: int = 0
    exact_fen: int = 0
    up_to_fen: int = 0
    cash: bool = False
    lead: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    name_en: str = ""

    @property
    def reached(self) -> bool:
        return bool(self.eligible or self.needs_info)

    def named(self, lang: str = "zh") -> str:
        """The benefit's name in `lang` (the Chinese one where no English name was given)."""
        return self.name if lang == "zh" else (self.name_en or self.name)


@dataclass
class Budget:
    benefits: dict[tuple[str, str], Line] = field(default_factory=dict)
    # (city, the lead departments of a benefit together) -> [people eligible for one of its benefits, needing info]
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)  # city -> applicants eligible for at least one benefit
    targets: dict[str, list] = field(default_factory=dict)
    target_people: dict[tuple[str, str], int] = field(default_factory=dict)  # (city, target) -> people it counts
    city_names: dict[str, str] = field(default_factory=dict)
    city_names_en: dict[str, str] = field(default_factory=dict)

    def city(self, slug: str, lang: str = "zh") -> str:
        """A city's name in `lang`."""
        return self.city_names.get(slug, slug) if lang == "zh" else self.city_names_en.get(slug, slug)

    def add(self, book: CompiledRulebook, wide: pl.DataFrame) -> None:
        slug = book.slug
        self.city_names[slug] = book.rulebook.city.zh
        self.city_names_en[slug] = book.rulebook.city.en
        self.targets[slug] = book.rulebook.targets
        cash = set(book.cash_ids())
        exprs, groups = [], {}
        eligible = {cb.benefit.id: pl.col(result_columns(cb.benefit.id)["status"]) == "eligible" for cb in book.benefits}
        needing = {cb.benefit.id: pl.col(result_columns(cb.benefit.id)["status"]) == "needs_info" for cb in book.benefits}
        for cb in book.benefits:
            b, c = cb.benefit, result_columns(cb.benefit.id)
            ok, kind = eligible[b.id], pl.col(c["kind"])
            upper = pl.when(kind == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))
            exprs += [ok.sum().alias(f"{b.id}|e"), needing[b.id].sum().alias(f"{b.id}|n"),
                      # in WIDE integers: a 64-bit sum wraps past 9.2 × 10^18 fen (tests/test_budget.py)
                      pl.when(ok & (kind == "exact")).then(pl.col(c["value"])).otherwise(0).cast(WIDE).sum()
                      .alias(f"{b.id}|x"),
                      pl.when(ok).then(upper).otherwise(0).fill_null(0).cast(WIDE).sum().alias(f"{b.id}|u")]
            groups.setdefault(lead_key(b.departments.lead), []).append(b.id)
        exprs.append(pl.any_horizontal(list(eligible.values())).sum().alias("|people"))
        for g, (key, ids) in enumerate(groups.items()):
            exprs.append(pl.any_horizontal([eligible[i] for i in ids]).sum().alias(f"{g}|ge"))
            exprs.append(pl.any_horizontal([needing[i] for i in ids]).sum().alias(f"{g}|gn"))
        for t in book.rulebook.targets:
            if t.counts:
                exprs.append(pl.any_horizontal([eligible[i] for i in t.counts]).sum().alias(f"{t.id}|t"))
        row = wide.select(exprs).row(0, named=True)
        for cb in book.benefits:
            b = cb.benefit
            line = self.benefits.setdefault((slug, b.id), Line(slug, b.id, b.name, cash=b.id in cash,
                                                                lead=list(b.departments.lead),
                                                                cooperating=list(b.departments.cooperating),
                                                                name_en=b.name_en))
            line.eligible += row[f"{b.id}|e"]
            line.needs_info += row[f"{b.id}|n"]
            if line.cash:
                line.exact_fen += row[f"{b.id}|x"] or 0
                line.up_to_fen += row[f"{b.id}|u"] or 0
        self.people[slug] = self.people.get(slug, 0) + row["|people"]
        for g, key in enumerate(groups):
            counts = self.groups.setdefault((slug, key), [0, 0])
            counts[0] += row[f"{g}|ge"]
            counts[1] += row[f"{g}|gn"]
        for t in book.rulebook.targets:
            if t.counts:
                self.target_people[(slug, t.id)] = self.target_people.get((slug, t.id), 0) + row[f"{t.id}|t"]

    # ------------------------------------------------------------------ the figures

    def lines(self, slug: str) -> list[Line]:
        """The city's benefits that anyone on the list qualifies for or may qualify for, largest budget first."""
        found = [line for (s, _), line in self.benefits.items() if s == slug and line.reached]
        return sorted(found, key=lambda line: (-line.up_to_fen, -line.exact_fen, -line.eligible))

    def city_total(self, slug: str) -> tuple[int, int]:
        """(exact, up to) in fen: the sum over the city's cash benefits — and over the rows of 按牵头单位."""
        cash = [line for (s, _), line in self.benefits.items() if s == slug and line.cash]
        return sum(x.exact_fen for x in cash), sum(x.up_to_fen for x in cash)

    def group_lines(self, slug: str) -> list[tuple[tuple[str, ...], list[Line], list[int]]]:
        """Each set of lead departments of the city, its benefits (each benefit in exactly one) and its people."""
        out = []
        for (s, key), counts in self.groups.items():
            if s != slug:
                continue
            members = [line for (t, _), line in self.benefits.items() if t == slug and lead_key(line.lead) == key]
            out.append((key, members, counts))
        return sorted(out, key=lambda g: (-sum(x.up_to_fen for x in g[1] if x.cash), -g[2][0]))

    # ------------------------------------------------------------------ rows, as written in report.md

    def benefit_rows(self, lang: str = "zh") -> list[list[str]]:
        rows = []
        for slug in self.city_names:
            for line in self.lines(slug):
                rows.append([self.city(slug, lang), line.named(lang), str(line.eligible), str(line.needs_info),
                             fen_yuan(line.exact_fen, lang) if line.cash else "—",
                             fen_yuan(line.up_to_fen, lang) if line.cash else "—", departments_text(line.lead, lang)])
        return rows

    def department_rows(self, lang: str = "zh") -> list[list[str]]:
        """按牵头单位: one row per set of lead departments (每项待遇只计一次), then the city's total."""
        rows = []
        for slug in self.city_names:
            city = self.city(slug, lang)
            for key, members, (eligible, needs) in self.group_lines(slug):
                reached = [x for x in members if x.reached]
                if not reached:
                    continue
                cash = [x for x in members if x.cash]
                how = report_word("sole_lead", lang) if len(key) == 1 else report_word("co_leads", lang, n=len(key))
                rows.append([city, departments_text(members[0].lead, lang), how, str(len(reached)), str(eligible),
                             str(needs), fen_yuan(sum(x.exact_fen for x in cash), lang),
                             fen_yuan(sum(x.up_to_fen for x in cash), lang)])
            exact, up_to = self.city_total(slug)
            rows.append([city, report_word("city_total", lang), "—", str(len(self.lines(slug))),
                         str(self.people.get(slug, 0)), "—", fen_yuan(exact, lang), fen_yuan(up_to, lang)])
        return rows

    def role_rows(self, lang: str = "zh") -> list[list[str]]:
        """各单位经办的待遇: each department's benefits, each once, with its role."""
        rows = []
        for slug in self.city_names:
            roles: dict[str, list[tuple[str, Line]]] = {}
            for line in self.lines(slug):
                for d in line.lead:
                    roles.setdefault(d, []).append(("lead" if len(line.lead) == 1 else "co_lead", line))
                for d in line.cooperating:
                    if d not in line.lead:
                        roles.setdefault(d, []).append(("cooperating", line))
            for d in sorted(roles, key=lambda d: -len(roles[d])):
                for part, line in roles[d]:
                    rows.append([self.city(slug, lang), department_name(d, lang), line.named(lang), role(part, lang),
                                 str(line.eligible), str(line.needs_info),
                                 fen_yuan(line.exact_fen, lang) if line.cash else "—",
                                 fen_yuan(line.up_to_fen, lang) if line.cash else "—"])
        return rows

    def target_rows(self, lang: str = "zh") -> list[list[str]]:
        """The plan's people targets; beside each, the people on the list who qualify for a benefit it counts
        (a target that names no benefits gets no count: who it counts is not written)."""
        rows = []
        for slug, targets in self.targets.items():
            names = {line.id: line.named(lang) for (s, _), line in self.benefits.items() if s == slug}
            for t in targets:
                if t.value is None or (t.unit or "") not in PEOPLE_UNITS:
                    continue
                counted = (("、" if lang == "zh" else "; ").join(names.get(i, i) for i in t.counts) if t.counts
                           else report_word("no_benefit_named", lang))
                people = str(self.target_people.get((slug, t.id), 0)) if t.counts else "—"
                rows.append([self.city(slug, lang), _target_description(t, lang), _target_value(t, lang),
                             report_word("yearly" if t.period == "yearly" else "total", lang), counted, people])
        return rows

    def summary_rows(self, lang: str = "zh") -> list[list[str]]:
        rows = []
        for slug in self.city_names:
            exact, up_to = self.city_total(slug)
            rows.append([self.city(slug, lang), str(self.people.get(slug, 0)), str(len(self.lines(slug))),
                         fen_yuan(exact, lang), fen_yuan(up_to, lang)])
        return rows

    def markdown(self, title: str, lang: str = "zh") -> str:
        out = [f"# {title}", "", report_word("note", lang), "", f"## {report_word('summary', lang)}", ""]
        out += _md_table(head("summary", lang), self.summary_rows(lang))
        out += ["", f"## {report_word('by_benefit', lang)}", ""]
        out += _md_table(head("benefits", lang), self.benefit_rows(lang))
        out += ["", f"## {report_word('by_department', lang)}", "", report_word("by_department_note", lang), ""]
        out += _md_table(head("departments", lang), self.department_rows(lang))
        out += ["", f"## {report_word('roles', lang)}", "", report_word("roles_note", lang), ""]
        out += _md_table(head("roles", lang), self.role_rows(lang))
        out += ["", f"## {report_word('targets', lang)}", "", report_word("targets_note", lang), ""]
        out += _md_table(head("targets", lang), self.target_rows(lang))
        return "\n".join(out) + "\n"


def _target_description(target, lang: str) -> str:
    # without an English description the document's Chinese one is shown: there is nothing else to say what it is
    return target.description if lang == "zh" else (target.description_en or target.description)


def _target_value(target, lang: str) -> str:
    """3000人 / 3,000 people: the number and its unit (a unit with no English word shown as written)."""
    unit = target.unit or ""
    if lang == "zh":
        return f"{target.value.normalize():f}{unit}"
    return f"{target.value.normalize():,f} {TARGET_UNITS_EN.get(unit, unit)}".rstrip()


def lead_key(lead: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(lead)))


def fen_yuan(fen: int, lang: str = "zh") -> str:
    """Integer fen as a person reads the amount (5300元, 30.45万元; ¥5,300, ¥304,500 in English)."""
    return yuan(Decimal(int(fen)) / 100, lang)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines if rows else lines + ["| " + " | ".join(["—"] * len(head)) + " |"]
