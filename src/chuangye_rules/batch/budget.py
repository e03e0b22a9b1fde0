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
from .compile import CompiledRulebook, result_columns

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

    @property
    def reached(self) -> bool:
        return bool(self.eligible or self.needs_info)


@dataclass
class Budget:
    benefits: dict[tuple[str, str], Line] = field(default_factory=dict)
    # (city, the lead departments of a benefit together) -> [people eligible for one of its benefits, needing info]
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)  # city -> applicants eligible for at least one benefit
    targets: dict[str, list] = field(default_factory=dict)
    target_people: dict[tuple[str, str], int] = field(default_factory=dict)  # (city, target) -> people it counts
    city_names: dict[str, str] = field(default_factory=dict)

    def add(self, book: CompiledRulebook, wide: pl.DataFrame) -> None:
        slug = book.slug
        self.city_names[slug] = book.rulebook.city.zh
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
                      pl.when(ok & (kind == "exact")).then(pl.col(c["value"])).otherwise(0).sum().alias(f"{b.id}|x"),
                      pl.when(ok).then(upper).otherwise(0).fill_null(0).sum().alias(f"{b.id}|u")]
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
                                                                cooperating=list(b.departments.cooperating)))
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

    def benefit_rows(self) -> list[list[str]]:
        rows = []
        for slug in self.city_names:
            for line in self.lines(slug):
                rows.append([self.city_names[slug], line.name, str(line.eligible), str(line.needs_info),
                             fen_yuan(line.exact_fen) if line.cash else "—", fen_yuan(line.up_to_fen) if line.cash else "—",
                             "、".join(line.lead)])
        return rows

    def department_rows(self) -> list[list[str]]:
        """按牵头单位: one row per set of lead departments (每项待遇只计一次), then the city's total."""
        rows = []
        for slug, city in self.city_names.items():
            for key, members, (eligible, needs) in self.group_lines(slug):
                reached = [x for x in members if x.reached]
                if not reached:
                    continue
                cash = [x for x in members if x.cash]
                how = "单独牵头" if len(key) == 1 else f"{len(key)}家共同牵头"
                rows.append([city, "、".join(members[0].lead), how, str(len(reached)), str(eligible), str(needs),
                             fen_yuan(sum(x.exact_fen for x in cash)), fen_yuan(sum(x.up_to_fen for x in cash))])
            exact, up_to = self.city_total(slug)
            rows.append([city, "全市合计", "—", str(len(self.lines(slug))), str(self.people.get(slug, 0)), "—",
                         fen_yuan(exact), fen_yuan(up_to)])
        return rows

    def role_rows(self) -> list[list[str]]:
        """各单位经办的待遇: each department's benefits, each once, with its role."""
        rows = []
        for slug, city in self.city_names.items():
            roles: dict[str, list[tuple[str, Line]]] = {}
            for line in self.lines(slug):
                for d in line.lead:
                    roles.setdefault(d, []).append(("牵头" if len(line.lead) == 1 else "共同牵头", line))
                for d in line.cooperating:
                    if d not in line.lead:
                        roles.setdefault(d, []).append(("配合", line))
            for d in sorted(roles, key=lambda d: -len(roles[d])):
                for role, line in roles[d]:
                    rows.append([city, d, line.name, role, str(line.eligible), str(line.needs_info),
                                 fen_yuan(line.exact_fen) if line.cash else "—", fen_yuan(line.up_to_fen) if line.cash else "—"])
        return rows

    def target_rows(self) -> list[list[str]]:
        """The plan's people targets; beside each, the people on the list who qualify for a benefit it counts
        (a target that names no benefits gets no count: who it counts is not written)."""
        rows = []
        for slug, targets in self.targets.items():
            names = {line.id: line.name for (s, _), line in self.benefits.items() if s == slug}
            for t in targets:
                if t.value is None or (t.unit or "") not in PEOPLE_UNITS:
                    continue
                counted = "、".join(names.get(i, i) for i in t.counts) if t.counts else "未关联待遇"
                people = str(self.target_people.get((slug, t.id), 0)) if t.counts else "—"
                rows.append([self.city_names.get(slug, slug), t.description, f"{t.value.normalize():f}{t.unit or ''}",
                             "每年" if t.period == "yearly" else "期内合计", counted, people])
        return rows

    def summary_rows(self) -> list[list[str]]:
        rows = []
        for slug, city in self.city_names.items():
            exact, up_to = self.city_total(slug)
            rows.append([city, str(self.people.get(slug, 0)), str(len(self.lines(slug))), fen_yuan(exact), fen_yuan(up_to)])
        return rows

    def markdown(self, title: str) -> str:
        out = [f"# {title}", "", "金额单位：元。“确定金额”只计确定数额的现金类待遇；“最高可得”另计“最高/区间”待遇的上限。"
               "贷款额度、投资、场地和服务不计入金额。", "", "## 概要", ""]
        out += _md_table(["城市", "符合至少一项待遇的人数", "涉及待遇项数", "确定金额合计", "最高可得合计"], self.summary_rows())
        out += ["", "## 按待遇", ""]
        out += _md_table(["城市", "待遇", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计", "牵头单位"],
                         self.benefit_rows())
        out += ["", "## 按牵头单位", "",
                "每项待遇只计一次：由几个单位共同牵头的待遇，计入这几个单位共同的一行，不在每个单位下重复计算；"
                "各行金额相加等于“全市合计”。人数为符合该行至少一项待遇的人数（一人可出现在多行）。", ""]
        out += _md_table(["城市", "牵头单位", "方式", "待遇项数", "符合条件人数", "需补充信息人数", "确定金额合计",
                          "最高可得合计"], self.department_rows())
        out += ["", "## 各单位经办的待遇", "", "每个单位经办的每项待遇列一次，注明角色（牵头、共同牵头、配合）；"
                "金额是该项待遇的全额，共同牵头的不按单位拆分。", ""]
        out += _md_table(["城市", "单位", "待遇", "角色", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计"],
                         self.role_rows())
        out += ["", "## 与规划目标对照", "", "只对写明计数待遇的目标给出人数（名单中符合其中任一项待遇的人数）；"
                "其他目标文件没有说明按哪项待遇计，不计数。", ""]
        out += _md_table(["城市", "规划目标", "目标值", "期间", "计数的待遇", "本名单中的人数"], self.target_rows())
        return "\n".join(out) + "\n"


def lead_key(lead: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(lead)))


def fen_yuan(fen: int) -> str:
    """Integer fen as a person reads the amount (5300元, 30.45万元)."""
    return yuan(Decimal(int(fen)) / 100)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines if rows else lines + ["| " + " | ".join(["—"] * len(head)) + " |"]
