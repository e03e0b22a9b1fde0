"""What changed between two versions of a rulebook, said in plain Chinese (“金额由5000元改为8000元”,
“条件「毕业时间在2年内」改为「毕业时间在5年内」”), benefit by benefit — not a YAML diff. Used by `chuangye diff`
and as the reason beside every change `chuangye compare` finds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..engine.amounts import compute_amount
from ..rules.catalog import catalog
from ..rules.schema import AllOf, Benefit, Compare, NotOf, Rulebook
from .i18n import PERIOD, describe_condition, label


@dataclass
class BenefitChange:
    id: str
    name: str
    what: str  # added | removed | changed
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        if self.what == "added":
            return "新增待遇"
        if self.what == "removed":
            return "删除待遇"
        return "；".join(self.lines)


def _conditions(node) -> list[Compare]:
    if node is None:
        return []
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, NotOf):
        return _conditions(node.not_)
    return [c for child in (node.all if isinstance(node, AllOf) else node.any) for c in _conditions(child)]


def _said(node: Compare) -> str:
    """A condition as the rule states it (not its label, which a reform may have left as it was)."""
    return describe_condition(node.model_copy(update={"label": None}))


def _amount_text(book: Rulebook, benefit: Benefit, as_of: dt.date) -> str:
    return compute_amount(benefit.amount, {}, as_of, book.parameters, {}).description


def benefit_changes(old: Rulebook, new: Rulebook, as_of: dt.date | None = None) -> list[BenefitChange]:
    """Every benefit added, removed or changed from `old` to `new`, in the new rulebook's order."""
    as_of = as_of or dt.date.today()
    before = {b.id: b for b in old.benefits}
    after = {b.id: b for b in new.benefits}
    out: list[BenefitChange] = []
    for b in new.benefits:
        if b.id not in before:
            out.append(BenefitChange(b.id, b.name, "added"))
            continue
        lines = describe(old, before[b.id], new, b, as_of)
        if lines:
            out.append(BenefitChange(b.id, b.name, "changed", lines))
    out += [BenefitChange(b.id, b.name, "removed") for b in old.benefits if b.id not in after]
    return out


def describe(old_book: Rulebook, old: Benefit, new_book: Rulebook, new: Benefit, as_of: dt.date) -> list[str]:
    lines: list[str] = []
    if old.name != new.name:
        lines.append(f"名称由“{old.name}”改为“{new.name}”")
    was, now = _amount_text(old_book, old, as_of), _amount_text(new_book, new, as_of)
    if old.amount != new.amount or was != now:
        lines.append(f"金额由{was}改为{now}" if was != now else "金额规则改变")
    if old.conditions != new.conditions:
        gone = [_said(c) for c in _conditions(old.conditions)]
        come = [_said(c) for c in _conditions(new.conditions)]
        paired = False
        for a, b in zip([c for c in _conditions(old.conditions)], [c for c in _conditions(new.conditions)]):
            if a != b and a.field == b.field and a.op == b.op:
                lines.append(f"条件「{_said(a)}」改为「{_said(b)}」")
                paired = True
        removed = [t for t in gone if t not in come]
        added = [t for t in come if t not in gone]
        if not paired:
            lines += [f"删去条件「{t}」" for t in removed] + [f"增加条件「{t}」" for t in added]
        elif len(removed) != len(added):
            lines.append("条件结构改变")
        if not removed and not added and not paired:
            lines.append("条件的组合方式改变（并且/或者）")
    if old.applicant_kinds != new.applicant_kinds:
        kinds = catalog().vocabularies["applicant_kind"]
        lines.append("申请人类型由" + "、".join(kinds.label(k, "zh") for k in old.applicant_kinds) + "改为"
                     + "、".join(kinds.label(k, "zh") for k in new.applicant_kinds))
    if old.departments.lead != new.departments.lead:
        lines.append("牵头单位由" + "、".join(old.departments.lead) + "改为" + "、".join(new.departments.lead))
    if old.period != new.period:
        lines.append(f"发放方式由{label(PERIOD, old.period.value)}改为{label(PERIOD, new.period.value)}")
    if sorted(old.exclusive_with) != sorted(new.exclusive_with):
        lines.append("不可同时享受的待遇改为" + ("、".join(new.exclusive_with) or "无"))
    start_old, end_old = old.valid_from or old_book.document.in_force_from, old.valid_to or old_book.document.in_force_to
    start_new, end_new = new.valid_from or new_book.document.in_force_from, new.valid_to or new_book.document.in_force_to
    if (start_old, end_old) != (start_new, end_new):
        lines.append(f"有效期由{start_old}至{end_old or '—'}改为{start_new}至{end_new or '—'}")
    return lines


def parameter_changes(old: Rulebook, new: Rulebook) -> list[str]:
    lines = []
    for name in sorted(set(old.parameters) | set(new.parameters)):
        a, b = old.parameters.get(name), new.parameters.get(name)
        if a != b:
            lines.append(f"参数 {name}（{(b or a).description}）的取值改变")
    return lines
