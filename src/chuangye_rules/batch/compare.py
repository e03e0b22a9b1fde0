"""Reform costing: the same list under two versions of the rules (or two dates, or two parameter values), in one
pass over the list — per applicant and benefit what changes (gained, lost, amount changed, with the rule change
that causes it, in words), and per benefit, lead department and city the people and the budget before and after.

`compare()` is the library function (polars frames in, polars frames out, for a notebook); `run_compare()` reads
a list file as `chuangye batch` does and writes changes.csv, report.md, report.html and summary.json with the
same guarantees (nothing of the user's touched, every output only when the whole run succeeded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from ..engine.evaluation import checked_overrides
from ..render.departments import departments_text
from ..render.reportwords import colon, head, report_word
from ..render.rulediff import benefit_changes
from ..rules.catalog import catalog
from ..rules.loading import LoadedRulebook
from .budget import Budget, fen_yuan
from .columnar import ROW, set_bits
from .compile import CompiledRulebook, compile_rulebook, result_columns
from .engine import ensure_columns, evaluate_lazy, row_totals
from .plan import WIDE
from .reforms import with_settings  # noqa: F401  (imported from here by the tests)

CHANGES = ("gained", "lost", "amount_changed")


# ------------------------------------------------------------------------------------------- the comparison


@dataclass
class Comparison:
    """What a reform changes on one population (fen for money)."""

    changes: list[pl.DataFrame] = field(default_factory=list)
    base: Budget = field(default_factory=Budget)
    reform: Budget = field(default_factory=Budget)
    applicants: list[pl.DataFrame] = field(default_factory=list)  # row, city, kind, identities, before/after totals
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)  # (city, benefit) -> the rule change in words
    reasons_en: dict[tuple[str, str], str] = field(default_factory=dict)  # the same in English
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    explained: set[str] = field(default_factory=set)  # cities whose rule changes are in `reasons`
    read: int = 0
    other_cities: int = 0  # rows of a city that is not compared (a reform of one city, a list of several)
    evaluated: int = 0
    rejected: int = 0

    def city_names(self, lang: str = "zh") -> dict[str, str]:
        """Each city's name in `lang`, by slug."""
        if lang == "zh":
            return {**self.base.city_names, **self.reform.city_names}
        return {**self.base.city_names_en, **self.reform.city_names_en}

    def changes_frame(self) -> pl.DataFrame:
        return pl.concat(self.changes, how="vertical_relaxed") if self.changes else pl.DataFrame(schema=CHANGE_SCHEMA)

    def applicant_frame(self) -> pl.DataFrame:
        return pl.concat(self.applicants, how="vertical_relaxed") if self.applicants else pl.DataFrame()

    # ------------------------------------------------------------------ tables

    def benefit_table(self) -> pl.DataFrame:
        """Per city and benefit: people eligible and the exact and up-to budget, before and after."""
        rows = []
        for key in sorted(set(self.base.benefits) | set(self.reform.benefits)):
            a, b = self.base.benefits.get(key), self.reform.benefits.get(key)
            line = b or a
            rows.append({
                "city": key[0], "benefit_id": key[1], "benefit_name": line.name,
                "lead_departments": "、".join(line.lead), "cash": line.cash,
                "eligible_before": a.eligible if a else 0, "eligible_after": b.eligible if b else 0,
                "exact_before": a.exact_fen if a else 0, "exact_after": b.exact_fen if b else 0,
                "up_to_before": a.up_to_fen if a else 0, "up_to_after": b.up_to_fen if b else 0,
                "reason": self.reasons.get(key, ""),
            })
        frame = pl.DataFrame(rows, schema=BENEFIT_SCHEMA)
        return frame.with_columns((pl.col("eligible_after") - pl.col("eligible_before")).alias("eligible_change"),
                                  (pl.col("exact_after") - pl.col("exact_before")).alias("exact_change"),
                                  (pl.col("up_to_after") - pl.col("up_to_before")).alias("up_to_change"))

    def department_table(self) -> pl.DataFrame:
        """Per city and set of lead departments (each benefit counted once, as in the budget report)."""
        frame = self.benefit_table().filter(pl.col("cash"))
        return (frame.group_by("city", "lead_departments", maintain_order=True)
                .agg(pl.col("^(exact|up_to)_(before|after|change)$").sum(), pl.len().alias("benefits"))
                .sort("city", pl.col("up_to_change").abs(), descending=[False, True]))

    def city_table(self) -> pl.DataFrame:
        applicants = self.applicant_frame()
        frame = self.benefit_table().filter(pl.col("cash")).group_by("city", maintain_order=True).agg(
            pl.col("^(exact|up_to)_(before|after|change)$").sum())
        if applicants.height:
            people = applicants.group_by("city").agg(
                (pl.col("eligible_before") > 0).sum().alias("people_before"),
                (pl.col("eligible_after") > 0).sum().alias("people_after"),
                pl.col("winner").sum().alias("winners"), pl.col("loser").sum().alias("losers"))
            frame = frame.join(people, on="city", how="left")
        return frame

    def groups_table(self, lang: str = "zh") -> pl.DataFrame:
        """Winners and losers (by the up-to total, then the exact total) by applicant kind and by identity, the
        groups named in `lang`."""
        applicants = self.applicant_frame()
        if not applicants.height:
            return pl.DataFrame(schema={"by": pl.String, "group": pl.String, "applicants": pl.Int64,
                                        "winners": pl.Int64, "losers": pl.Int64, "up_to_change": TOTAL})
        cat = catalog()
        kinds = cat.vocabularies["applicant_kind"]
        order = {code: i for i, code in enumerate(kinds.labels)}  # the vocabulary's order, a kind not given last
        parts = [applicants.group_by("kind").agg(pl.len().alias("applicants"), pl.col("winner").sum().alias("winners"),
                                                  pl.col("loser").sum().alias("losers"),
                                                  pl.col("up_to_change").cast(TOTAL).sum())
                 .sort(pl.col("kind").replace_strict(order, default=len(order), return_dtype=pl.Int64))  # run to run
                 .select(pl.lit(report_word("by_kind", lang)).alias("by"),
                         pl.col("kind").replace_strict({code: kinds.label(code, lang) for code in kinds.labels},
                                                       default=report_word("kind_not_given", lang)).alias("group"),
                         "applicants", "winners", "losers", "up_to_change")]
        spec = cat.fields["identities"]
        bits = set_bits(spec)
        identities = cat.vocabularies[spec.vocabulary]
        for code in identities.labels:
            if bits is None:
                has = pl.col("identities").str.contains(f"|{code}|", literal=True)
            else:
                has = (pl.col("identities") & (1 << bits[code])) != 0
            chosen = applicants.filter(has.fill_null(False))
            if chosen.height:
                parts.append(pl.DataFrame({"by": [report_word("by_identity", lang)], "group": [identities.label(code, lang)],
                                           "applicants": [chosen.height],
                                           "winners": [int(chosen["winner"].sum())], "losers": [int(chosen["loser"].sum())],
                                           "up_to_change": [int(chosen["up_to_change"].cast(TOTAL).sum())]},
                                          schema_overrides={"up_to_change": TOTAL}))
        return pl.concat(parts, how="vertical_relaxed").filter((pl.col("winners") > 0) | (pl.col("losers") > 0))


CHANGE_SCHEMA = {
    ROW: pl.Int64, "applicant_id": pl.String, "city": pl.String, "benefit_id": pl.String, "change": pl.String,
    "status_before": pl.String, "status_after": pl.String, "amount_before": pl.Int64, "amount_after": pl.Int64,
}
# a benefit's budget over a whole list, in fen: beyond 64 bits when the amounts are the largest a list may hold
# (tests/test_budget.py: 12,000 rows of 8 × 10^14 fen), so in WIDE integers (the per-row amounts stay 64-bit)
TOTAL = WIDE
BENEFIT_SCHEMA = {
    "city": pl.String, "benefit_id": pl.String, "benefit_name": pl.String, "lead_departments": pl.String,
    "cash": pl.Boolean, "eligible_before": pl.Int64, "eligible_after": pl.Int64, "exact_before": TOTAL,
    "exact_after": TOTAL, "up_to_before": TOTAL, "up_to_after": TOTAL, "reason": pl.String,
}


def _upper(wide: pl.DataFrame, benefit_id: str) -> pl.Expr:
    c = result_columns(benefit_id)
    return pl.when(pl.col(c["kind"]) == "exact").then(pl.col(c["value"])).otherwise(pl.col(c["max"]))


def _side(wide: pl.DataFrame, benefit_id: str, present: bool, suffix: str) -> list[pl.Expr]:
    if not present:
        return [pl.lit(None, dtype=pl.String).alias(f"status{suffix}"), pl.lit(None, dtype=pl.String).alias(f"kind{suffix}"),
                pl.lit(None, dtype=pl.Int64).alias(f"amount{suffix}")]
    c = result_columns(benefit_id)
    return [pl.col(c["status"]).cast(pl.String).alias(f"status{suffix}"),
            pl.col(c["kind"]).cast(pl.String).alias(f"kind{suffix}"), _upper(wide, benefit_id).alias(f"amount{suffix}")]


def _changes(slug: str, before: pl.DataFrame | None, after: pl.DataFrame | None, ids: list[str],
             base_ids: set[str], reform_ids: set[str]) -> pl.DataFrame:
    """Per applicant and benefit: gained, lost or amount changed (unchanged rows left out)."""
    frames = []
    keys = (before if before is not None else after).select(ROW, "applicant_id")
    for benefit_id in ids:
        left = before.select(_side(before, benefit_id, benefit_id in base_ids, "_before")) if before is not None \
            else keys.select(_side(keys, benefit_id, False, "_before"))
        right = after.select(_side(after, benefit_id, benefit_id in reform_ids, "_after")) if after is not None \
            else keys.select(_side(keys, benefit_id, False, "_after"))
        both = pl.concat([keys, left, right], how="horizontal")
        was = (pl.col("status_before") == "eligible").fill_null(False)
        now = (pl.col("status_after") == "eligible").fill_null(False)
        moved = (pl.col("kind_before") != pl.col("kind_after")) | pl.col("amount_before").ne_missing(pl.col("amount_after"))
        change = (pl.when(~was & now).then(pl.lit("gained")).when(was & ~now).then(pl.lit("lost"))
                  .when(was & now & moved).then(pl.lit("amount_changed")).otherwise(None))
        found = both.with_columns(change.alias("change")).filter(pl.col("change").is_not_null())
        if found.height:
            frames.append(found.select(ROW, "applicant_id", pl.lit(slug).alias("city"), pl.lit(benefit_id).alias("benefit_id"),
                                       "change", "status_before", "status_after", "amount_before", "amount_after"))
    return pl.concat(frames) if frames else pl.DataFrame(schema=CHANGE_SCHEMA)


def _applicants(slug: str, part: pl.DataFrame, before: pl.DataFrame | None, after: pl.DataFrame | None,
                base: CompiledRulebook | None, reform: CompiledRulebook | None) -> pl.DataFrame:
    def sums(wide, book, suffix):
        if wide is None:
            return part.select(ROW, *(pl.lit(0, dtype=pl.Int64).alias(f"{n}{suffix}") for n in ("eligible", "exact", "up_to")))
        return row_totals(wide, book).select(ROW, pl.col("eligible").cast(pl.Int64).alias(f"eligible{suffix}"),
                                         pl.col("exact_fen").alias(f"exact{suffix}"), pl.col("up_to_fen").alias(f"up_to{suffix}"))
    frame = part.select(ROW, "kind", "identities").join(sums(before, base, "_before"), on=ROW) \
        .join(sums(after, reform, "_after"), on=ROW)
    up, exact = pl.col("up_to_after") - pl.col("up_to_before"), pl.col("exact_after") - pl.col("exact_before")
    return frame.with_columns(pl.lit(slug).alias("city"), up.alias("up_to_change"), exact.alias("exact_change"),
                              ((up > 0) | ((up == 0) & (exact > 0))).alias("winner"),
                              ((up < 0) | ((up == 0) & (exact < 0))).alias("loser"))


def compare(profiles: pl.DataFrame, base: list[LoadedRulebook], reform: list[LoadedRulebook], as_of: dt.date,
            reform_as_of: dt.date | None = None, parameters: dict | None = None,
            reform_parameters: dict | None = None, comparison: Comparison | None = None) -> Comparison:
    """Both versions on one frame of typed profile columns (as the batch reader gives them, or
    frames.frame_from_profiles). Call it block after block with the same `comparison` to add them up."""
    comparison = comparison or Comparison()
    reform_as_of = reform_as_of or as_of
    before = checked_overrides(parameters, [*base, *reform])
    after = checked_overrides(reform_parameters if reform_parameters is not None else parameters, [*base, *reform])
    compiled_base = {b.slug: compile_rulebook(b.rulebook, as_of, before) for b in base}
    compiled_reform = {b.slug: compile_rulebook(b.rulebook, reform_as_of, after) for b in reform}
    return _compare_compiled(profiles, compiled_base, compiled_reform, comparison, None, as_of)


def _compare_compiled(frame: pl.DataFrame, base: dict[str, CompiledRulebook], reform: dict[str, CompiledRulebook],
                      comparison: Comparison, city: str | None, as_of: dt.date) -> Comparison:
    frame = ensure_columns(frame)
    for slug in list(dict.fromkeys([*base, *reform])):
        b, r = base.get(slug), reform.get(slug)
        part = frame if city or "city" not in frame.columns else frame.filter(pl.col("city").is_null() | (pl.col("city") == slug))
        if not part.height:
            continue
        queries = [q for q in (evaluate_lazy(part, b) if b else None, evaluate_lazy(part, r) if r else None) if q is not None]
        collected = pl.collect_all(queries)
        before = collected.pop(0) if b else None
        after = collected.pop(0) if r else None
        if b:
            comparison.base.add(b, before)
        if r:
            comparison.reform.add(r, after)
        base_ids = {cb.benefit.id for cb in b.benefits} if b else set()
        reform_ids = {cb.benefit.id for cb in r.benefits} if r else set()
        ids = list(dict.fromkeys([*(cb.benefit.id for cb in (r.benefits if r else [])),
                                  *(cb.benefit.id for cb in (b.benefits if b else []))]))
        if slug not in comparison.explained and b and r:  # the rule changes in words, once per city
            comparison.explained.add(slug)
            for change in benefit_changes(b.rulebook, r.rulebook, as_of):
                comparison.reasons[(slug, change.id)] = change.text
                comparison.reasons_en[(slug, change.id)] = change.text_in("en")
        for book in (b, r):
            for cb in (book.benefits if book else []):
                comparison.names.setdefault((slug, cb.benefit.id), cb.benefit.name)
        comparison.changes.append(_changes(slug, before, after, ids, base_ids, reform_ids))
        comparison.applicants.append(_applicants(slug, part, before, after, b, r))
    return comparison


def _signed(fen: int, lang: str = "zh") -> str:
    return ("+" if fen > 0 else "−" if fen < 0 else "±") + fen_yuan(abs(int(fen)), lang)


def _people(n: int) -> str:
    return f"{'+' if n > 0 else '−' if n < 0 else '±'}{abs(int(n))}"


def city_rows(comparison: Comparison, city_names: dict[str, str], lang: str = "zh") -> list[list[str]]:
    """Per city; `city_names`: slug -> the name to show, in `lang`."""
    rows = []
    for r in comparison.city_table().to_dicts():
        rows.append([city_names.get(r["city"], r["city"]), str(r.get("people_before") or 0), str(r.get("people_after") or 0),
                     fen_yuan(r["exact_before"], lang), fen_yuan(r["exact_after"], lang), _signed(r["exact_change"], lang),
                     fen_yuan(r["up_to_before"], lang), fen_yuan(r["up_to_after"], lang), _signed(r["up_to_change"], lang),
                     str(r.get("winners") or 0), str(r.get("losers") or 0)])
    return rows


def benefit_rows(comparison: Comparison, city_names: dict[str, str], lang: str = "zh") -> list[list[str]]:
    frame = comparison.benefit_table().filter((pl.col("eligible_change") != 0) | (pl.col("up_to_change") != 0)
                                              | (pl.col("exact_change") != 0) | (pl.col("reason") != ""))
    rows = []
    for r in frame.sort(pl.col("up_to_change").abs(), descending=True).to_dicts():
        key = (r["city"], r["benefit_id"])
        line = comparison.reform.benefits.get(key) or comparison.base.benefits.get(key)
        reason = r["reason"] if lang == "zh" else comparison.reasons_en.get(key, "")
        rows.append([city_names.get(r["city"], r["city"]), line.named(lang), str(r["eligible_before"]),
                     str(r["eligible_after"]), _people(r["eligible_change"]),
                     _signed(r["exact_change"], lang) if r["cash"] else "—",
                     _signed(r["up_to_change"], lang) if r["cash"] else "—", _leads(comparison, r["lead_departments"], lang),
                     reason or "—"])
    return rows


def department_rows(comparison: Comparison, city_names: dict[str, str], lang: str = "zh") -> list[list[str]]:
    rows = []
    for r in comparison.department_table().filter((pl.col("up_to_change") != 0) | (pl.col("exact_change") != 0)).to_dicts():
        rows.append([city_names.get(r["city"], r["city"]), _leads(comparison, r["lead_departments"], lang),
                     fen_yuan(r["exact_before"], lang), fen_yuan(r["exact_after"], lang), _signed(r["exact_change"], lang),
                     fen_yuan(r["up_to_before"], lang), fen_yuan(r["up_to_after"], lang), _signed(r["up_to_change"], lang)])
    return rows


def group_rows(comparison: Comparison, lang: str = "zh") -> list[list[str]]:
    return [[r["by"], r["group"], str(r["applicants"]), str(r["winners"]), str(r["losers"]), _signed(r["up_to_change"], lang)]
            for r in comparison.groups_table(lang).to_dicts()]


def _leads(comparison: Comparison, joined: str, lang: str) -> str:
    """The lead departments of benefit_table's column (joined by 、 as the documents name them) in `lang`."""
    if lang == "zh":
        return joined
    lines = [*comparison.reform.benefits.values(), *comparison.base.benefits.values()]
    lead = next((line.lead for line in lines if "、".join(line.lead) == joined), [joined])
    return departments_text(lead, lang)


def balance(comparison: Comparison, lang: str = "zh") -> str:
    """Every row accounted for: read = compared + rejected (+ rows of cities not compared)."""
    text = report_word("balance", lang, read=comparison.read, evaluated=comparison.evaluated, rejected=comparison.rejected)
    return text + (report_word("balance_other", lang, n=comparison.other_cities) if comparison.other_cities else "")


def markdown(comparison: Comparison, title: str, lang: str = "zh") -> str:
    from .budget import _md_table

    names = comparison.city_names(lang)
    out = [f"# {title}", "", report_word("compare_note", lang), "", balance(comparison, lang), "",
           f"## {report_word('by_city', lang)}", ""]
    out += _md_table(head("compare_cities", lang), city_rows(comparison, names, lang))
    out += ["", f"## {report_word('changed_benefits', lang)}", ""]
    out += _md_table(head("compare_benefits", lang), benefit_rows(comparison, names, lang))
    out += ["", f"## {report_word('by_department', lang)}", ""]
    out += _md_table(head("compare_departments", lang), department_rows(comparison, names, lang))
    out += ["", f"## {report_word('gain_lose_groups', lang)}", ""]
    out += _md_table(head("compare_groups", lang), group_rows(comparison, lang))
    return "\n".join(out) + "\n"


def compare_html(comparison: Comparison, title: str, lang: str = "zh") -> str:
    import html

    from .report_html import _table, page_head

    names = comparison.city_names(lang)
    parts = [page_head(title, lang),
             f"<p class=\"note\">{html.escape(report_word('compare_html_note', lang, balance=balance(comparison, lang)))}</p>",
             f"<h2>{html.escape(report_word('by_city', lang))}</h2>",
             _table(head("compare_cities", lang), city_rows(comparison, names, lang))]
    parts += _compare_charts(comparison, names, lang)
    for key, heads, rows in (("changed_benefits", "compare_benefits", benefit_rows(comparison, names, lang)),
                             ("by_department", "compare_departments", department_rows(comparison, names, lang)),
                             ("gain_lose", "compare_groups", group_rows(comparison, lang))):
        parts += [f"<h2>{html.escape(report_word(key, lang))}</h2>", _table(head(heads, lang), rows)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _compare_charts(comparison: Comparison, names: dict[str, str], lang: str) -> list[str]:
    import html

    from .report_html import AMBER, BLUE, GREEN, _bars, money_scale

    parts = []
    departments = comparison.department_table().filter(pl.col("up_to_change") != 0).head(12)
    if departments.height:
        labels = [f"{names.get(c, c)} {_leads(comparison, d, lang)}"
                  for c, d in zip(departments["city"], departments["lead_departments"])]
        change = [v / money_scale(lang) for v in departments["up_to_change"].to_list()]  # a bar's length only
        parts.append(f"<h2>{html.escape(report_word('chart_change', lang))}</h2><figure>" + _bars(
            report_word("bars_change", lang), labels, [(report_word("change", lang), change, BLUE)],
            report_word("wan", lang), lang=lang) + "</figure>")
    groups = comparison.groups_table(lang).head(16)
    if groups.height:
        parts.append(f"<h2>{html.escape(report_word('chart_gain_lose', lang))}</h2><figure>" + _bars(
            report_word("gain_lose", lang), [f"{b}{colon(lang)}{g}" for b, g in zip(groups["by"], groups["group"])],
            [(report_word("gain", lang), [float(v) for v in groups["winners"]], GREEN),
             (report_word("lose", lang), [float(v) for v in groups["losers"]], AMBER)],
            report_word("people", lang), whole=True, lang=lang) + "</figure>")
    return parts
