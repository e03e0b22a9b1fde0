"""Showing results to a person: rich tables for `check`, the full reasoning for `explain`."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..base.money import yuan
from ..engine.results import BenefitResult, CityResult, Evaluation, Status
from .departments import department_names
from .i18n import CATEGORY, PERIOD, STATUS, amount_word, field_label, heading, label, word
from .words import (  # noqa: F401  (amount_text: the tables' and the page's figure, imported from here by callers)
    amount_description,
    amount_formula,
    amount_text,
    exclusion_note,
    failing_reasons,
    parameter_labels,
    reasons,
    received_note,
)

STATUS_STYLE = {
    Status.eligible: "bold green",
    Status.needs_info: "yellow",
    Status.not_eligible: "red",
    Status.excluded: "magenta",
    Status.expired: "dim",
    Status.not_yet_in_force: "dim",
    Status.already_received: "cyan",
}
SHOWN_BY_DEFAULT = (Status.eligible, Status.needs_info, Status.excluded, Status.already_received)
MARK = {True: ("✓", "green"), False: ("✗", "red"), None: ("?", "yellow")}



def make_console(stderr: bool = False) -> Console:
    """The console every command prints its tables on: long lines are folded into the table, never cut."""
    return Console(stderr=stderr, soft_wrap=False)

def display_order(results: list[BenefitResult]) -> list[BenefitResult]:
    """By status, then within a status benefits with a figure first, largest first: what an applicant
    reads first. The CLI table and the web page both list results in this order."""
    order = {s: i for i, s in enumerate(Status)}
    return sorted(results, key=lambda r: (order[r.status], r.amount.upper is None, -(r.amount.upper or 0)))


def departments_text(departments: list[str], lang: str = "zh", most: int = 3) -> str:
    """The first few lead departments; `explain` shows them all."""
    if not departments:
        return "—"
    shown = ("、" if lang == "zh" else ", ").join(department_names(departments[:most], lang))
    if len(departments) > most:
        shown += f"等{len(departments)}个单位" if lang == "zh" else f" and {len(departments) - most} more"
    return shown


def _applicant_value(value: str, lang: str) -> str:
    return f"（申请人：{value}）" if lang == "zh" else f" (applicant: {value})"


def _status_text(r: BenefitResult, lang: str, city: CityResult | None = None) -> Text:
    text = Text(label(STATUS, r.status.value, lang), style=STATUS_STYLE[r.status])
    if r.status is Status.needs_info and r.missing_facts:
        sep = "、" if lang == "zh" else ", "
        text.append("\n" + heading("missing", lang) + sep.join(field_label(m, lang) for m in r.missing_facts),
                    style="yellow")
    if r.status is Status.excluded and r.exclusion is not None:
        text.append("\n" + exclusion_note(r, city, lang), style="magenta")
    if r.status is Status.not_eligible:
        for reason in failing_reasons(r, lang)[:2]:
            shown = f"\n✗ {reason.text}"
            if reason.value is not None:
                shown += _applicant_value(reason.value, lang)
            text.append(shown, style="red")
    return text


def _benefit_table(shown: list[BenefitResult], title: str, lang: str, city: CityResult) -> Table:
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column(word("benefit", lang), ratio=3, overflow="fold")
    table.add_column(word("status", lang), ratio=2, overflow="fold")
    table.add_column(word("amount", lang), ratio=2, overflow="fold")
    table.add_column(word("department", lang), ratio=2, overflow="fold")
    for r in shown:
        name = Text(r.name if lang == "zh" else r.name_en, style="bold")
        name.append(f"\n{r.id}\n{label(CATEGORY, r.category, lang)} · {r.clause}", style="dim")
        table.add_row(name, _status_text(r, lang, city), _amount_cell(r, lang), departments_text(r.lead_departments, lang))
    return table


def _amount_cell(r: BenefitResult, lang: str) -> Text:
    amount = Text(amount_text(r.amount, lang))
    if r.amount.kind not in ("not_stated", "in_kind"):
        amount.append(f"\n{label(PERIOD, r.period, lang)}", style="dim")
    return amount


def _benefit_block(r: BenefitResult, lang: str, city: CityResult) -> Text:
    """One benefit as lines (for a narrow terminal): words wrap, the id stays whole on a line of its own."""
    sep = "：" if lang == "zh" else ": "
    block = Text("\n")
    block.append(r.name if lang == "zh" else r.name_en, style="bold")
    block.append("\n")
    block.append(r.id, style="dim")
    block.append(f"\n{label(CATEGORY, r.category, lang)} · {r.clause}\n", style="dim")
    block.append(word("status", lang) + sep)
    block.append_text(_status_text(r, lang, city))
    block.append("\n" + word(amount_word(r.amount.kind), lang) + sep)
    block.append_text(Text(amount_text(r.amount, lang) + (
        f"{'，' if lang == 'zh' else ', '}{label(PERIOD, r.period, lang)}"
        if r.amount.kind not in ("not_stated", "in_kind") else "")))
    block.append("\n" + word("department", lang) + sep + departments_text(r.lead_departments, lang))
    return block


def city_table(city: CityResult, lang: str = "zh", show_all: bool = False, width: int | None = None) -> Group:
    zh = lang == "zh"
    shown = [r for r in city.benefits if show_all or r.status in SHOWN_BY_DEFAULT]
    shown = display_order(shown)
    doc = city.document
    # in Chinese the city and the title are one run of text (间隔号 without spaces): at a narrow width it folds
    # inside the title, where with spaces "青岛 ·" stood alone on the first line
    title = (f"{city.city_zh}·{doc.title}" if zh else f"{city.city_en} · {doc.title}") + (
        (f"（{doc.number}）" if zh else f" ({doc.number})") if doc.number else "")
    items: list = []
    if doc.draft:
        items.append(Text("⚠ " + word("draft", lang), style="bold yellow"))
    # a benefit id is never broken across lines (it is copied into `explain`): where the id column of a table
    # would be narrower than the longest id, each benefit is a block of lines instead
    widest_id = max((len(r.id) for r in shown), default=0)
    if width is not None and widest_id > (width - 13) * 3 // 9 - 2:
        items.append(Text(title, style="bold"))
        items += [_benefit_block(r, lang, city) for r in shown]
    else:
        items.append(_benefit_table(shown, title, lang, city))
    hidden = len(city.benefits) - len(shown)
    expired = [r for r in city.benefits if r.status is Status.expired]
    if expired and len(expired) == len(city.benefits):
        when = doc.in_force_to.isoformat() if doc.in_force_to else "?"
        items.append(Text(word("expired_on", lang, date=when) + (
            f"。可用 --as-of 选择有效期内（{doc.in_force_from} 至 {when}）的日期查看当时的结果" if zh
            else f". Use --as-of with a date between {doc.in_force_from} and {when} to see what applied then"),
            style="yellow"))
    if not shown:
        items.append(Text(word("none_eligible", lang), style="dim"))
    if hidden and not show_all:
        items.append(Text(word("hidden", lang, n=hidden), style="dim"))
    t = city.totals
    summary = f"{heading('total_exact', lang)}{yuan(t.exact, lang)}    {heading('total_up_to', lang)}{yuan(t.up_to, lang)}"
    if t.unquantified:
        summary += (f"    {t.unquantified} {word('unquantified', lang)}" if not zh
                    else f"    另有{t.unquantified}{word('unquantified', lang)}")
    items.append(Text(summary, style="bold"))
    return Group(*items)


def print_evaluation(evaluation: Evaluation, console: Console, lang: str = "zh", show_all: bool = False) -> None:
    head = f"{heading('applicant', lang)}{evaluation.applicant_id or '—'}    {heading('as_of', lang)}{evaluation.as_of}"
    console.print(Text(head, style="bold"))
    if not evaluation.cities:
        console.print(Text("没有与申请人所在城市对应的规则库" if lang == "zh" else "no rulebook for the applicant's city",
                           style="yellow"))
    for city in evaluation.cities:
        console.print(city_table(city, lang, show_all, console.width))
        console.print()


def _amount_lines(r: BenefitResult, lang: str) -> Text:
    """The figure, then the rule it comes from, each part and what a still open figure needs."""
    zh = lang == "zh"
    body = Text()
    body.append(heading(amount_word(r.amount.kind), lang), style="bold")
    figure = amount_text(r.amount, lang)
    rule = amount_description(r.amount, lang)
    rule = "" if rule == figure else rule  # a benefit in kind: its figure is already the rule's words
    note = received_note(r, lang)
    period = label(PERIOD, r.period, lang)
    if zh:
        said = "；".join(x for x in (rule, note, period + ("，" + r.period_note if r.period_note else "")) if x)
        body.append(f"{figure}（{said}）\n")
    else:  # the period's note is the author's Chinese: English says the period only
        body.append(f"{figure} ({'; '.join(x for x in (rule, note, period) if x)})\n")
    for part in r.amount.parts:
        body.append(f"    · {part.label}{'：' if zh else ': '}{amount_text(part.amount, lang)}\n")
    if r.amount.kind == "formula" and r.amount.rule is not None:
        body.append(f"    {amount_formula(r.amount, lang)}\n", style="dim")
        for name, text in parameter_labels(r.amount, lang).items():
            body.append(f"    缺少参数 {name}：{text}；可用 --param {name}=数值\n" if zh else
                        f"    missing parameter {name}: {text}; supply it with --param {name}=VALUE\n", style="yellow")
    return body


def _reason_lines(r: BenefitResult, lang: str) -> Text:
    body = Text()
    body.append(f"\n{heading('reasons', lang)}\n", style="bold")
    for item in (i for reason in reasons(r, lang) for i in reason.flat()):
        mark, style = MARK[item["result"]]
        body.append("  " * (item["depth"] + 1) + mark + " ", style=style)
        body.append(item["text"])
        if item["value"] is not None:
            body.append(_applicant_value(item["value"], lang), style="dim")
        body.append("\n")
    return body


def explain_panel(r: BenefitResult, lang: str = "zh", city: CityResult | None = None) -> Panel:
    """The full reasoning for one benefit (`chuangye explain`); `city` names the benefit an exclusion keeps."""
    zh = lang == "zh"
    list_sep = "、" if zh else ", "
    body = Text()
    body.append(f"{heading('status', lang)}", style="bold")
    body.append(label(STATUS, r.status.value, lang) + "\n", style=STATUS_STYLE[r.status])
    body.append_text(_amount_lines(r, lang))
    body.append_text(_reason_lines(r, lang))
    if r.missing_facts:
        body.append(f"\n{heading('missing', lang)}" + list_sep.join(
            f"{field_label(m, lang)}（{m}）" if zh else f"{field_label(m, lang)} ({m})" for m in r.missing_facts)
            + "\n", style="yellow")
    if r.exclusion is not None:
        body.append(f"\n{exclusion_note(r, city, lang)}\n", style="magenta")
    body.append(f"\n{heading('lead', lang)}", style="bold")
    body.append(list_sep.join(department_names(r.lead_departments, lang)) + "\n")
    if r.cooperating_departments:
        body.append(f"{heading('cooperating', lang)}", style="bold")
        body.append(list_sep.join(department_names(r.cooperating_departments, lang)) + "\n")
    body.append(f"{heading('clause', lang)}", style="bold")
    body.append(r.clause + (f"    {word('expired_on', lang, date=r.valid_to)}" if r.status is Status.expired else "") + "\n")
    body.append(f"{heading('quote', lang)}", style="bold")
    body.append("……".join(r.quote) + "\n", style="italic")
    if r.notes and zh:  # an author's notes are written in Chinese only
        body.append(f"{heading('notes', lang)}", style="bold")
        body.append(r.notes + "\n")
    if r.draft:
        body.append("⚠ " + word("draft", lang) + "\n", style="bold yellow")
    return Panel(body, title=f"{r.name}（{r.id}）" if zh else f"{r.name_en} ({r.id})", expand=False)
