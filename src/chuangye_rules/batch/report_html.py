"""report.html: the budget report as one self-contained page a department head opens offline — charts (inline
SVG, drawn here: bars, an axis, labels, the text kept as text so the reader's own fonts draw the Chinese) and the
tables of report.md. No script, no font, nothing fetched from another server.

The charts were drawn by matplotlib until 2026-12: a 10 MB optional dependency that cost each `--report` run about
a second and drew horizontal bars, which take fifty lines of SVG (bench/README.md, "Test time").
"""

from __future__ import annotations

import html
import math
from decimal import Decimal

from rich.cells import cell_len, set_cell_size

from ..render.departments import departments_text
from ..render.reportwords import colon, head, report_word
from .budget import Budget

# tried in turn by the reader's browser; the SVG names them, it embeds none
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
         "SimHei", "sans-serif"]
FONT_STYLE = "font-family: " + ", ".join(f"'{f}'" if " " in f else f for f in FONTS) + "; font-size: 13px"
BARS = 12  # bars per chart: the largest, the rest counted below it
GREEN, AMBER, BLUE = "#2e7d32", "#f9a825", "#1565c0"
WIDTH, ROW, TOP, BOTTOM = 950, 36, 46, 56  # px: the chart's width, a bar's row, room for the title, for the axis
CHAR = 7.2  # px: half the width of a Chinese character at 13 px (one display column)


def _short(text: str, limit: int = 40) -> str:
    """A label cut to `limit` display columns (a Chinese character takes two)."""
    return text if cell_len(text) <= limit else set_cell_size(text, limit - 1).rstrip() + "…"


def _ticks(low: float, high: float, whole: bool) -> list[float]:
    """Round values for the axis, about five, spanning low..high (low <= 0 <= high)."""
    span = high - low or 1.0
    step = 10 ** math.floor(math.log10(span / 5))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= 6:
            step *= factor
            break
    if whole:
        step = max(1.0, round(step))
    first = math.floor(low / step) * step
    count = int(math.ceil((high - first) / step - 1e-9))
    return [first + i * step for i in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.4g}"


def _bars(title: str, labels: list[str], series: list[tuple[str, list[float], str]], unit: str, whole: bool = False,
          lang: str = "zh") -> str:
    """A horizontal bar chart, the series stacked (a negative value runs left of zero), as an SVG element; `whole`:
    the axis counts people (whole numbers); `lang`: the language of the bars' tooltips."""
    labels = [_short(label, 40 if lang == "zh" else 56) for label in labels]  # columns: a Chinese character takes two
    left = 16 + CHAR * max([cell_len(label) for label in labels] + [8])
    right = WIDTH - 24
    height = TOP + BOTTOM + ROW * max(1, len(labels))
    ends = [[0.0, 0.0] for _ in labels]  # each bar's reach left and right of zero
    for _, values, _ in series:
        for end, value in zip(ends, values):
            end[value >= 0] += value
    ticks = _ticks(min([e[0] for e in ends] + [0.0]), max([e[1] for e in ends] + [0.0]), whole)
    low, high = ticks[0], ticks[-1]

    def x(value: float) -> float:
        return left + (value - low) / ((high - low) or 1.0) * (right - left)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
           f'role="img" style="{FONT_STYLE}"><title>{html.escape(title)}</title>',
           f'<text x="8" y="24" font-size="16">{html.escape(title)}</text>']
    bottom = height - BOTTOM
    for tick in ticks:
        out.append(f'<line x1="{x(tick):.1f}" y1="{TOP}" x2="{x(tick):.1f}" y2="{bottom}" stroke="#ddd"/>'
                   f'<text x="{x(tick):.1f}" y="{bottom + 18}" text-anchor="middle">{_number(tick)}</text>')
    out.append(f'<text x="{(left + right) / 2:.1f}" y="{height - 12}" text-anchor="middle">{html.escape(unit)}</text>')
    for i, label in enumerate(labels):
        middle = TOP + ROW * i + ROW / 2
        out.append(f'<text x="{left - 8:.1f}" y="{middle + 4.5:.1f}" text-anchor="end">{html.escape(label)}</text>')
        reach = [0.0, 0.0]
        for name, values, colour in series:
            value = values[i]
            if not value:
                continue
            side = value >= 0
            start, reach[side] = reach[side], reach[side] + value
            a, b = sorted((x(start), x(reach[side])))
            out.append(f'<rect x="{a:.1f}" y="{middle - ROW * 0.31:.1f}" width="{b - a:.1f}" height="{ROW * 0.62:.1f}" '
                       f'fill="{colour}"><title>{html.escape(f"{label}{colon(lang)}{name} {_number(value)} {unit}")}</title></rect>')
    out.append(f'<line x1="{x(0):.1f}" y1="{TOP}" x2="{x(0):.1f}" y2="{bottom}" stroke="#444"/>')
    if len(series) > 1:  # above the bars, at the right: never over a bar
        at = right
        for name, _, colour in reversed(series):
            at -= CHAR * cell_len(name) + 8
            out.append(f'<text x="{at:.1f}" y="{TOP - 12}">{html.escape(name)}</text>')
            at -= 18
            out.append(f'<rect x="{at:.1f}" y="{TOP - 23}" width="12" height="12" fill="{colour}"/>')
            at -= 16
    out.append("</svg>")
    return "".join(out)


def money_scale(lang: str = "zh") -> int:
    """Fen per unit of a chart's money axis: 万元 in Chinese (1,000,000 fen), yuan in English (100 fen)."""
    return 1_000_000 if lang == "zh" else 100


def _wan(fen: int, lang: str = "zh") -> float:
    return float(Decimal(fen) / money_scale(lang))  # fen → the axis's unit, for the length of a bar only (labels stay exact)


def charts(budget: Budget, lang: str = "zh") -> list[tuple[str, str]]:
    """(heading, svg) for each chart, city by city."""
    out = []
    for slug in budget.city_names:
        city = budget.city(slug, lang)
        groups = [(key, members) for key, members, _ in budget.group_lines(slug)
                  if any(x.cash and x.up_to_fen for x in members)][:BARS]
        if groups:
            labels = [departments_text(members[0].lead, lang) for _, members in groups]
            exact = [_wan(sum(x.exact_fen for x in m if x.cash), lang) for _, m in groups]
            extra = [_wan(sum(x.up_to_fen - x.exact_fen for x in m if x.cash), lang) for _, m in groups]
            out.append((report_word("chart_departments", lang, city=city),
                        _bars(report_word("bars_departments", lang, city=city), labels,
                              [(report_word("exact", lang), exact, GREEN), (report_word("up_to_extra", lang), extra, BLUE)],
                              report_word("wan", lang), lang=lang)))
        lines = sorted(budget.lines(slug), key=lambda x: -(x.eligible + x.needs_info))[:BARS]
        if lines:
            out.append((report_word("chart_benefits", lang, city=city),
                        _bars(report_word("bars_benefits", lang, city=city), [x.named(lang) for x in lines],
                              [(report_word("eligible", lang), [float(x.eligible) for x in lines], GREEN),
                               (report_word("needs_info", lang), [float(x.needs_info) for x in lines], AMBER)],
                              report_word("people", lang), whole=True, lang=lang)))
    if budget.city_names:
        cities = list(budget.city_names)
        eligible = [float(sum(x.eligible for x in budget.lines(s))) for s in cities]
        needing = [float(sum(x.needs_info for x in budget.lines(s))) for s in cities]
        out.append((report_word("chart_people", lang),
                    _bars(report_word("bars_people", lang), [budget.city(s, lang) for s in cities],
                          [(report_word("eligible", lang), eligible, GREEN), (report_word("needs_info", lang), needing, AMBER)],
                          report_word("person_times", lang), whole=True, lang=lang)))
    return out


def _table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body or '<tr><td>—</td></tr>'}</tbody></table>"


STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:70em;
color:#222;line-height:1.5;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f3f3f3}figure{margin:1em 0}svg{max-width:100%;height:auto}
.note{color:#555}
"""


def page_head(title: str, lang: str = "zh") -> str:
    """The start of a report page: its own style, no script, no font, nothing fetched."""
    return (f"<!DOCTYPE html><html lang=\"{'zh-CN' if lang == 'zh' else 'en'}\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>")


def html_report(budget: Budget, title: str, lang: str = "zh") -> str:
    parts = [page_head(title, lang), f"<p class=\"note\">{html.escape(report_word('html_note', lang))}</p>",
             f"<h2>{html.escape(report_word('summary', lang))}</h2>",
             _table(head("summary", lang), budget.summary_rows(lang))]
    for heading, svg in charts(budget, lang):
        parts.append(f"<h2>{html.escape(heading)}</h2><figure>{svg}</figure>")
    for key, heads, rows in (("by_benefit", "benefits", budget.benefit_rows(lang)),
                             ("by_department_html", "departments", budget.department_rows(lang)),
                             ("roles", "roles", budget.role_rows(lang)), ("targets", "targets", budget.target_rows(lang))):
        parts += [f"<h2>{html.escape(report_word(key, lang))}</h2>", _table(head(heads, lang), rows)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_reports(budget: Budget, as_of: str, folder, outputs: dict[str, str], html_page: bool = True,
                  lang: str = "zh") -> None:
    """report.md and (`html_page`) report.html in the run's folder, in `lang`, as both engines write them, named in
    the summary's `outputs`."""
    title = report_word("title", lang, as_of=as_of)
    folder.path("report.md").write_text(budget.markdown(title, lang), encoding="utf-8")
    outputs["report"] = str(folder.final("report.md"))
    if html_page:
        folder.path("report.html").write_text(html_report(budget, title, lang), encoding="utf-8")
        outputs["report_html"] = str(folder.final("report.html"))
