"""The budget a plan implies for a population: per benefit and per lead department, how many applicants
qualify and the exact and "up to" totals — as a rich table and a Markdown file a department head can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from ..money import yuan
from .compile import CompiledRulebook, result_columns


PEOPLE_UNITS = ("人", "名", "人次", "户")


@dataclass
class Line:
    city: str
    name: str
    eligible: int = 0
    needs_info: int = 0
    exact_fen: int = 0
    up_to_fen: int = 0
    cash: bool = False
    departments: list[str] = field(default_factory=list)


@dataclass
class Budget:
    benefits: dict[tuple[str, str], Line] = field(default_factory=dict)
    departments: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # -> [people eligible, needing info]
    people: dict[str, int] = field(default_factory=dict)  # city -> applicants eligible for at least one benefit
    targets: dict[str, list] = field(default_factory=dict)
    city_names: dict[str, str] = field(default_factory=dict)

    def add(self, book: CompiledRulebook, wide: pl.DataFrame) -> None:
        slug = book.slug
        self.city_names[slug] = book.book.city.zh
        self.targets[slug] = book.book.targets
        cash = set(book.cash_ids())
        exprs, led = [], {}
        for cb in book.benefits:
            b, c = cb.benefit, result_columns(cb.benefit.id)
            ok = pl.col(c["status"]) == "eligible"
            kind = pl.col(c["kind"])
            upper = pl.when(kind == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))
            exprs += [ok.sum().alias(f"{b.id}|e"), (pl.col(c["status"]) == "needs_info").sum().alias(f"{b.id}|n"),
                      pl.when(ok & (kind == "exact")).then(pl.col(c["value"])).otherwise(0).sum().alias(f"{b.id}|x"),
                      pl.when(ok).then(upper).otherwise(0).fill_null(0).sum().alias(f"{b.id}|u")]
            for d in b.departments.lead:
                led.setdefault(d, []).append(b.id)
        statuses = [pl.col(result_columns(cb.benefit.id)["status"]) for cb in book.benefits]
        exprs.append(pl.any_horizontal([s == "eligible" for s in statuses]).sum().alias("|people"))
        for d, ids in led.items():
            st = [pl.col(result_columns(i)["status"]) for i in ids]
            exprs.append(pl.any_horizontal([s == "eligible" for s in st]).sum().alias(f"{d}|de"))
            exprs.append(pl.any_horizontal([s == "needs_info" for s in st]).sum().alias(f"{d}|dn"))
        row = wide.select(exprs).row(0, named=True)
        for cb in book.benefits:
            b = cb.benefit
            line = self.benefits.setdefault((slug, b.id), Line(slug, b.name, cash=b.id in cash,
                                                                departments=list(b.departments.lead)))
            line.eligible += row[f"{b.id}|e"]
            line.needs_info += row[f"{b.id}|n"]
            if line.cash:
                line.exact_fen += row[f"{b.id}|x"] or 0
                line.up_to_fen += row[f"{b.id}|u"] or 0
        self.people[slug] = self.people.get(slug, 0) + row["|people"]
        for d in led:
            counts = self.departments.setdefault((slug, d), [0, 0])
            counts[0] += row[f"{d}|de"]
            counts[1] += row[f"{d}|dn"]

    # ------------------------------------------------------------------ rendering

    def benefit_rows(self) -> list[list[str]]:
        rows = []
        for (slug, _), line in sorted(self.benefits.items(), key=lambda kv: (kv[0][0], -kv[1].up_to_fen, -kv[1].eligible)):
            if not (line.eligible or line.needs_info):
                continue
            rows.append([self.city_names.get(slug, slug), line.name, str(line.eligible), str(line.needs_info),
                         _yuan(line.exact_fen) if line.cash else "—", _yuan(line.up_to_fen) if line.cash else "—",
                         "、".join(line.departments)])
        return rows

    def department_rows(self) -> list[list[str]]:
        rows = []
        for (slug, d), (eligible, needs) in sorted(self.departments.items(), key=lambda kv: (kv[0][0], -kv[1][0])):
            lines = [line for (s, _), line in self.benefits.items() if s == slug and d in line.departments and line.cash]
            rows.append([self.city_names.get(slug, slug), d, str(eligible), str(needs),
                         _yuan(sum(x.exact_fen for x in lines)), _yuan(sum(x.up_to_fen for x in lines))])
        return rows

    def target_rows(self) -> list[list[str]]:
        """Targets counted in people, beside how many in this list qualify for something in that city."""
        rows = []
        for slug, targets in self.targets.items():
            for t in targets:
                if t.value is None or (t.unit or "") not in PEOPLE_UNITS:
                    continue
                value = f"{t.value.normalize():f}{t.unit or ''}" if t.value is not None else "—"
                rows.append([self.city_names.get(slug, slug), t.description, value,
                             "每年" if t.period == "yearly" else "期内合计", str(self.people.get(slug, 0))])
        return rows

    def markdown(self, title: str) -> str:
        out = [f"# {title}", "", "金额单位：元。“确定金额”只计确定数额的现金类待遇；“最高可得”另计“最高/区间”待遇的上限。"
               "贷款额度、投资、场地和服务不计入金额。", "", "## 按待遇", ""]
        out += _md_table(["城市", "待遇", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计", "牵头单位"],
                         self.benefit_rows())
        out += ["", "## 按牵头单位", "", "一项待遇有多个牵头单位时，在每个单位下都计入。", ""]
        out += _md_table(["城市", "牵头单位", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计"],
                         self.department_rows())
        out += ["", "## 与规划目标对照", ""]
        out += _md_table(["城市", "规划目标", "目标值", "期间", "本名单中符合至少一项待遇的人数"], self.target_rows())
        return "\n".join(out) + "\n"


def _yuan(fen: int) -> str:
    return yuan(Decimal(fen) / 100)


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines if rows else lines + ["| " + " | ".join(["—"] * len(head)) + " |"]
