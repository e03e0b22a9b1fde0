"""report.html: the budget report as one self-contained page a department head opens offline — charts (drawn
by matplotlib as inline SVG, text kept as text so the reader's own fonts draw the Chinese) and the tables of
report.md. No script, no font, nothing fetched from another server.

matplotlib is an optional dependency (`pip install '.[charts]'`); without it a run writes report.md only.
"""

from __future__ import annotations

import html
import importlib.util
import io
import logging
import warnings
from decimal import Decimal

from rich.cells import cell_len, set_cell_size

from .budget import Budget

# tried in turn by the reader's browser; the SVG names them, it embeds none
FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei",
         "SimHei", "sans-serif"]
BARS = 12  # bars per chart: the largest, the rest counted below it
GREEN, AMBER, BLUE = "#2e7d32", "#f9a825", "#1565c0"


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def _short(text: str, limit: int = 40) -> str:
    """A label cut to `limit` display columns (a Chinese character takes two)."""
    return text if cell_len(text) <= limit else set_cell_size(text, limit - 1).rstrip() + "…"


def _bars(title: str, labels: list[str], series: list[tuple[str, list[float], str]], unit: str) -> str:
    """A horizontal bar chart (several series stacked) as an SVG element."""
    from matplotlib.figure import Figure  # not pyplot: no global state, no GUI backend, a third of the import

    labels = [_short(label) for label in labels]
    top, bottom = 0.45, 0.65  # inches: the title; the axis and its unit
    height = top + bottom + 0.36 * max(1, len(labels))
    longest = max([cell_len(label) for label in labels] + [8])
    figure = Figure(figsize=(9.5, height))
    # the labels' room from their width (matplotlib may have no CJK metrics; the browser draws the text)
    left = min(0.55, 0.07 + longest * 0.0105)
    axes = figure.add_axes((left, bottom / height, 0.95 - left, 1 - (top + bottom) / height))
    positions = list(range(len(labels)))[::-1]
    start = [0.0] * len(labels)
    for name, values, colour in series:
        axes.barh(positions, values, left=start, color=colour, label=name, height=0.62)
        start = [a + b for a, b in zip(start, values)]
    axes.set_yticks(positions, labels)
    axes.set_title(title, loc="left", fontsize=12)
    axes.set_xlabel(unit)
    axes.spines[["top", "right"]].set_visible(False)
    if unit in ("人", "人次"):
        axes.xaxis.get_major_locator().set_params(integer=True)
    if len(series) > 1:  # above the bars, right of the title: never over a bar
        axes.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=len(series), frameon=False)
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "glyph missing" for Chinese: the text is drawn by the browser
        # no metadata block: its namespace and licence URIs would look like links in a page that fetches nothing
        figure.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _wan(fen: int) -> float:
    return float(Decimal(fen) / 1_000_000)  # fen → 万元, for the length of a bar only (labels stay exact)


def setup() -> None:
    import matplotlib

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # fonts it lacks: the browser has them
    matplotlib.rcParams.update({"svg.fonttype": "none", "font.family": "sans-serif",
                                "font.sans-serif": FONTS[:-1] + ["DejaVu Sans"], "font.size": 10})


def charts(budget: Budget) -> list[tuple[str, str]]:
    """(heading, svg) for each chart, city by city."""
    setup()
    out = []
    for slug, city in budget.city_names.items():
        groups = [(key, members) for key, members, _ in budget.group_lines(slug)
                  if any(x.cash and x.up_to_fen for x in members)][:BARS]
        if groups:
            labels = ["、".join(members[0].lead) for _, members in groups]
            exact = [_wan(sum(x.exact_fen for x in m if x.cash)) for _, m in groups]
            extra = [_wan(sum(x.up_to_fen - x.exact_fen for x in m if x.cash)) for _, m in groups]
            out.append((f"{city}：各牵头单位的预算（每项待遇只计一次）",
                        _bars(f"{city} 按牵头单位的预算", labels,
                              [("确定金额", exact, GREEN), ("最高可得另计", extra, BLUE)], "万元")))
        lines = sorted(budget.lines(slug), key=lambda x: -(x.eligible + x.needs_info))[:BARS]
        if lines:
            out.append((f"{city}：各项待遇的人数",
                        _bars(f"{city} 各项待遇的人数", [x.name for x in lines],
                              [("符合条件", [float(x.eligible) for x in lines], GREEN),
                               ("需补充信息", [float(x.needs_info) for x in lines], AMBER)], "人")))
    if budget.city_names:
        cities = list(budget.city_names)
        eligible = [float(sum(x.eligible for x in budget.lines(s))) for s in cities]
        needing = [float(sum(x.needs_info for x in budget.lines(s))) for s in cities]
        out.append(("符合条件与需补充信息",
                    _bars("符合条件与需补充信息（人次：一人符合几项计几次）", [budget.city_names[s] for s in cities],
                          [("符合条件", eligible, GREEN), ("需补充信息", needing, AMBER)], "人次")))
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


def page_head(title: str) -> str:
    """The start of a report page: its own style, no script, no font, nothing fetched."""
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>")


def html_report(budget: Budget, title: str) -> str:
    parts = [page_head(title),
             "<p class=\"note\">金额单位：元。“确定金额”只计确定数额的现金类待遇；“最高可得”另计“最高/区间”待遇的上限；"
             "贷款额度、投资、场地和服务不计入金额。由几个单位共同牵头的待遇只计一次。</p>",
             "<h2>概要</h2>", _table(["城市", "符合至少一项待遇的人数", "涉及待遇项数", "确定金额合计", "最高可得合计"],
                                    budget.summary_rows())]
    for heading, svg in charts(budget):
        parts.append(f"<h2>{html.escape(heading)}</h2><figure>{svg}</figure>")
    parts += ["<h2>按待遇</h2>", _table(["城市", "待遇", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计",
                                       "牵头单位"], budget.benefit_rows()),
              "<h2>按牵头单位（每项待遇只计一次，各行相加等于全市合计）</h2>",
              _table(["城市", "牵头单位", "方式", "待遇项数", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计"],
                     budget.department_rows()),
              "<h2>各单位经办的待遇</h2>",
              _table(["城市", "单位", "待遇", "角色", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计"],
                     budget.role_rows()),
              "<h2>与规划目标对照</h2>",
              _table(["城市", "规划目标", "目标值", "期间", "计数的待遇", "本名单中的人数"], budget.target_rows()),
              "</body></html>"]
    return "\n".join(parts) + "\n"
