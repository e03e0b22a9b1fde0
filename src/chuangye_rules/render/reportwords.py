"""The words of the budget report (`batch --report`: the screen, report.md, report.html) and of the reform costing
(`compare`: the screen, report.md, report.html, the reasons in changes.csv): Chinese first, English with
`--lang en`. Pairs (Chinese, English), read with i18n's `label` as every other table of words is.

What the reports show of the rulebooks is data, not words: a benefit's name (`name` / `name_en`), a city's
(`zh` / `en`), a department's (departments.py), a target's description (`description` / `description_en`)."""

from __future__ import annotations

from typing import Any

from .i18n import label

REPORT = {
    # the budget report
    "title": ("政策找人预算报告（评估日期 {as_of}）", "Budget report (evaluation date {as_of})"),
    "note": ("金额单位：元。“确定金额”只计确定数额的现金类待遇；“最高可得”另计“最高/区间”待遇的上限。"
             "贷款额度、投资、场地和服务不计入金额。",
             "Amounts in yuan. The exact total counts only the cash benefits of a stated amount; the up-to total also "
             "counts the maximum of \"up to\" and range benefits. Loan limits, investment, premises and services are "
             "not counted as money."),
    "html_note": ("金额单位：元。“确定金额”只计确定数额的现金类待遇；“最高可得”另计“最高/区间”待遇的上限；"
                  "贷款额度、投资、场地和服务不计入金额。由几个单位共同牵头的待遇只计一次。",
                  "Amounts in yuan. The exact total counts only the cash benefits of a stated amount; the up-to total "
                  "also counts the maximum of \"up to\" and range benefits; loan limits, investment, premises and "
                  "services are not counted as money. A benefit led by several departments together is counted once."),
    "summary": ("概要", "Summary"),
    "by_benefit": ("按待遇", "By benefit"),
    "by_department": ("按牵头单位", "By lead department"),
    "by_department_html": ("按牵头单位（每项待遇只计一次，各行相加等于全市合计）",
                           "By lead department (each benefit counted once; the rows add up to the city total)"),
    "by_department_note": ("每项待遇只计一次：由几个单位共同牵头的待遇，计入这几个单位共同的一行，不在每个单位下重复计算；"
                           "各行金额相加等于“全市合计”。人数为符合该行至少一项待遇的人数（一人可出现在多行）。",
                           "Each benefit is counted once: a benefit led by several departments together is counted in "
                           "the one row of those departments together, not again under each of them; the rows' amounts "
                           "add up to the city total. People: those eligible for at least one benefit of the row (one "
                           "person may be in several rows)."),
    "roles": ("各单位经办的待遇", "Each department's benefits"),
    "roles_note": ("每个单位经办的每项待遇列一次，注明角色（牵头、共同牵头、配合）；金额是该项待遇的全额，共同牵头的不按单位拆分。",
                   "Each benefit a department handles is listed once, with its role (lead, co-lead, cooperating); the "
                   "amount is the benefit's whole amount, not split between the departments that lead it together."),
    "targets": ("与规划目标对照", "Against the plan's targets"),
    "targets_note": ("只对写明计数待遇的目标给出人数（名单中符合其中任一项待遇的人数）；其他目标文件没有说明按哪项待遇计，不计数。",
                     "People are counted only for a target that names the benefits it counts (those on the list "
                     "eligible for any of them); the document does not say which benefits the other targets count, so "
                     "they get no count."),
    "city_total": ("全市合计", "city total"),
    "sole_lead": ("单独牵头", "sole lead"),
    "co_leads": ("{n}家共同牵头", "{n} lead together"),
    "no_benefit_named": ("未关联待遇", "no benefit named"),
    "yearly": ("每年", "each year"),
    "total": ("期内合计", "over the whole period"),
    # the screen
    "screen_title": ("预算概要", "Budget summary"),
    "top_benefits": ("金额最大的待遇（共 {n} 项）", "the largest benefits ({n} in all)"),
    "top_departments": ("按牵头单位（每项待遇只计一次，共 {n} 行）", "by lead department (each benefit counted once; {n} rows)"),
    "more_rows": ("另有 {n} 行，见报告文件", "{n} more rows: see the report files"),
    # the charts
    "chart_departments": ("{city}：各牵头单位的预算（每项待遇只计一次）", "{city}: the budget by lead department (each "
                                                                   "benefit counted once)"),
    "bars_departments": ("{city} 按牵头单位的预算", "{city}: the budget by lead department"),
    "chart_benefits": ("{city}：各项待遇的人数", "{city}: people per benefit"),
    "bars_benefits": ("{city} 各项待遇的人数", "{city}: people per benefit"),
    "chart_people": ("符合条件与需补充信息", "Eligible and needing information"),
    "bars_people": ("符合条件与需补充信息（人次：一人符合几项计几次）",
                    "Eligible and needing information (person-times: a person counts once for each benefit)"),
    "exact": ("确定金额", "exact"),
    "up_to_extra": ("最高可得另计", "up to, in addition"),
    "eligible": ("符合条件", "eligible"),
    "needs_info": ("需补充信息", "needing information"),
    "wan": ("万元", "yuan"),  # the unit of a chart's money axis: 万元 in Chinese, yuan in English
    "people": ("人", "people"),
    "person_times": ("人次", "person-times"),
    # the reform costing
    "compare_title": ("改革测算（改革前 {before}，改革后 {after}）", "Reform costing (before: {before}, after: {after})"),
    "compare_note": ("金额单位：元；“确定金额”只计确定数额的现金类待遇，“最高可得”另计“最高/区间”待遇的上限。"
                     "一人的最高可得合计增加为得益，减少为受损（相同时看确定金额）。由几个单位共同牵头的待遇只计一次。",
                     "Amounts in yuan; the exact total counts only the cash benefits of a stated amount, the up-to total "
                     "also the maximum of \"up to\" and range benefits. A person gains when their up-to total rises and "
                     "loses when it falls (when it stays the same, by the exact total). A benefit led by several "
                     "departments together is counted once."),
    "compare_html_note": ("{balance}。金额单位：元。由几个单位共同牵头的待遇只计一次。",
                          "{balance}. Amounts in yuan. A benefit led by several departments together is counted once."),
    "balance": ("读取 {read} 行 = 比较 {evaluated} 行 + 拒绝 {rejected} 行",
                "read {read} rows = {evaluated} compared + {rejected} rejected"),
    "balance_other": (" + 其他城市 {n} 行（未比较）", " + {n} of other cities (not compared)"),
    "by_city": ("各城市", "By city"),
    "changed_benefits": ("有变化的待遇", "Benefits that change"),
    "gain_lose": ("得益与受损", "Who gains and who loses"),
    "gain_lose_groups": ("得益与受损（按申请人类型和身份）", "Who gains and who loses (by applicant kind and identity)"),
    "chart_change": ("各牵头单位的预算变化（最高可得，万元）", "The budget's change by lead department (up-to total, yuan)"),
    "bars_change": ("预算变化（最高可得）", "The budget's change (up-to total)"),
    "change": ("变化", "change"),
    "chart_gain_lose": ("得益与受损的人数（按申请人类型和身份）", "People who gain and who lose (by applicant kind and identity)"),
    "gain": ("得益", "gain"),
    "lose": ("受损", "lose"),
    "by_kind": ("申请人类型", "applicant kind"),
    "by_identity": ("身份", "identity"),
    "kind_not_given": ("未填", "not given"),
    "no_rule_change": ("评估日期或参数不同", "the evaluation date or the parameters differ"),
}

# a department's part in a benefit (各单位经办的待遇)
ROLES = {"lead": ("牵头", "lead"), "co_lead": ("共同牵头", "co-lead"), "cooperating": ("配合", "cooperating")}

# the units of the people targets the budget report sets beside the list (budget.PEOPLE_UNITS), in English
TARGET_UNITS_EN = {"人": "people", "名": "people", "人次": "person-times", "户": "units"}  # 户: households or businesses

HEADS = {  # the tables' heads: (Chinese, English)
    "summary": (["城市", "符合至少一项待遇的人数", "涉及待遇项数", "确定金额合计", "最高可得合计"],
                ["city", "people eligible for at least one benefit", "benefits reached", "exact total", "up-to total"]),
    "benefits": (["城市", "待遇", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计", "牵头单位"],
                 ["city", "benefit", "people eligible", "people needing information", "exact total", "up-to total",
                  "lead departments"]),
    "departments": (["城市", "牵头单位", "方式", "待遇项数", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计"],
                    ["city", "lead departments", "how", "benefits", "people eligible", "people needing information",
                     "exact total", "up-to total"]),
    "roles": (["城市", "单位", "待遇", "角色", "符合条件人数", "需补充信息人数", "确定金额合计", "最高可得合计"],
              ["city", "department", "benefit", "role", "people eligible", "people needing information", "exact total",
               "up-to total"]),
    "targets": (["城市", "规划目标", "目标值", "期间", "计数的待遇", "本名单中的人数"],
                ["city", "target", "target value", "period", "benefits counted", "people on this list"]),
    # the screen's shorter heads
    "screen_summary": (["城市", "符合至少一项的人数", "涉及待遇项数", "确定金额合计", "最高可得合计"],
                       ["city", "eligible for at least one", "benefits reached", "exact total", "up-to total"]),
    "screen_benefits": (["城市", "待遇", "符合", "需补充", "确定金额", "最高可得"],
                        ["city", "benefit", "eligible", "needing information", "exact", "up to"]),
    "screen_departments": (["城市", "牵头单位", "方式", "符合人数", "确定金额", "最高可得"],
                           ["city", "lead departments", "how", "people eligible", "exact", "up to"]),
    # the reform costing
    "compare_cities": (["城市", "改革前符合人数", "改革后符合人数", "改革前确定金额", "改革后确定金额", "确定金额变化",
                        "改革前最高可得", "改革后最高可得", "最高可得变化", "得益人数", "受损人数"],
                       ["city", "eligible before", "eligible after", "exact total before", "exact total after",
                        "exact total change", "up-to total before", "up-to total after", "up-to total change",
                        "people who gain", "people who lose"]),
    "compare_benefits": (["城市", "待遇", "改革前符合", "改革后符合", "人数变化", "确定金额变化", "最高可得变化", "牵头单位",
                          "规则的变化"],
                         ["city", "benefit", "eligible before", "eligible after", "people change", "exact total change",
                          "up-to total change", "lead departments", "rule change"]),
    "compare_departments": (["城市", "牵头单位", "改革前确定金额", "改革后确定金额", "变化", "改革前最高可得", "改革后最高可得",
                             "变化"],
                            ["city", "lead departments", "exact total before", "exact total after", "change",
                             "up-to total before", "up-to total after", "change"]),
    "compare_groups": (["分组", "组别", "人数", "得益人数", "受损人数", "最高可得变化合计"],
                       ["grouped by", "group", "people", "people who gain", "people who lose", "up-to total change"]),
}


def report_word(key: str, lang: str = "zh", **kwargs: Any) -> str:
    """One of REPORT's words in `lang`, its {fields} filled in."""
    text = label(REPORT, key, lang)
    return text.format(**kwargs) if kwargs else text


def head(key: str, lang: str = "zh") -> list[str]:
    """A table's heads in `lang`."""
    return list(label(HEADS, key, lang))


def role(key: str, lang: str = "zh") -> str:
    return label(ROLES, key, lang)


def colon(lang: str = "zh") -> str:
    """The colon of a language, between a label and what it labels."""
    return "：" if lang == "zh" else ": "
