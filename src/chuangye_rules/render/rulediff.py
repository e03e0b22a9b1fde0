"""What changed between two versions of a rulebook, said in plain words (“金额由5000元改为8000元” / "amount changed
from ¥5,000 to ¥8,000", “条件「毕业时间在2年内」改为「毕业时间在5年内」”), benefit by benefit — not a YAML diff.
Each change is a Text (Chinese and English); used by `chuangye diff` and as the reason beside every change
`chuangye compare` finds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..base.messages import Text
from ..engine.amounts import compute_amount
from ..rules.catalog import catalog
from ..rules.schema import AllOf, Benefit, Compare, NotOf, Rulebook
from .departments import departments_text
from .i18n import PERIOD, describe_condition, label
from .words import amount_description

_ADDED = Text("新增待遇", "a new benefit")
_REMOVED = Text("删除待遇", "benefit removed")


@dataclass
class BenefitChange:
    id: str
    name: str
    what: str  # added | removed | changed
    changes: list[Text] = field(default_factory=list)
    name_en: str = ""

    @property
    def lines(self) -> list[str]:
        """The changes in Chinese."""
        return [t.zh for t in self.changes]

    @property
    def text(self) -> str:
        return self.text_in("zh")

    def text_in(self, lang: str = "zh") -> str:
        """All the changes, in `lang`."""
        if self.what == "added":
            return _ADDED.get(lang)
        if self.what == "removed":
            return _REMOVED.get(lang)
        return ("；" if lang == "zh" else "; ").join(t.get(lang) for t in self.changes)

    def named(self, lang: str = "zh") -> str:
        return self.name if lang == "zh" else (self.name_en or self.name)


def _conditions(node) -> list[Compare]:
    if node is None:
        return []
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, NotOf):
        return _conditions(node.not_)
    return [c for child in (node.all if isinstance(node, AllOf) else node.any) for c in _conditions(child)]


def _said(node: Compare) -> Text:
    """A condition as the rule states it (not its label, which a reform may have left as it was)."""
    bare = node.model_copy(update={"label": None})
    return Text(describe_condition(bare, "zh"), describe_condition(bare, "en"))


def _amount_text(book: Rulebook, benefit: Benefit, as_of: dt.date) -> Text:
    amount = compute_amount(benefit.amount, {}, as_of, book.parameters, {})
    return Text(amount_description(amount, "zh"), amount_description(amount, "en"))


def benefit_changes(old: Rulebook, new: Rulebook, as_of: dt.date | None = None) -> list[BenefitChange]:
    """Every benefit added, removed or changed from `old` to `new`, in the new rulebook's order."""
    as_of = as_of or dt.date.today()
    before = {b.id: b for b in old.benefits}
    after = {b.id: b for b in new.benefits}
    out: list[BenefitChange] = []
    for b in new.benefits:
        if b.id not in before:
            out.append(BenefitChange(b.id, b.name, "added", name_en=b.name_en))
            continue
        changes = changes_of(old, before[b.id], new, b, as_of)
        if changes:
            out.append(BenefitChange(b.id, b.name, "changed", changes, name_en=b.name_en))
    out += [BenefitChange(b.id, b.name, "removed", name_en=b.name_en) for b in old.benefits if b.id not in after]
    return out


def describe(old_book: Rulebook, old: Benefit, new_book: Rulebook, new: Benefit, as_of: dt.date,
             lang: str = "zh") -> list[str]:
    """What changed in one benefit, line by line, in `lang`."""
    return [t.get(lang) for t in changes_of(old_book, old, new_book, new, as_of)]


def changes_of(old_book: Rulebook, old: Benefit, new_book: Rulebook, new: Benefit, as_of: dt.date) -> list[Text]:
    lines: list[Text] = []
    if old.name != new.name:  # (the Chinese name: the document's; an English name changed alone is not a change of rule)
        lines.append(Text(f"名称由“{old.name}”改为“{new.name}”",
                          f"name changed from '{old.name_en}' to '{new.name_en}'" if old.name_en != new.name_en
                          else f"Chinese name changed from “{old.name}” to “{new.name}”"))
    was, now = _amount_text(old_book, old, as_of), _amount_text(new_book, new, as_of)
    if old.amount != new.amount or was.zh != now.zh:
        lines.append(Text(f"金额由{was.zh}改为{now.zh}", f"amount changed from {was.en} to {now.en}") if was.zh != now.zh
                     else Text("金额规则改变", "the amount rule changed"))
    if old.conditions != new.conditions:
        lines += _condition_changes(old, new)
    if old.applicant_kinds != new.applicant_kinds:
        kinds = catalog().vocabularies["applicant_kind"]

        def named(codes, lang):
            return ("、" if lang == "zh" else ", ").join(kinds.label(k, lang) for k in codes)
        lines.append(Text(f"申请人类型由{named(old.applicant_kinds, 'zh')}改为{named(new.applicant_kinds, 'zh')}",
                          f"applicant kinds changed from {named(old.applicant_kinds, 'en')} to "
                          f"{named(new.applicant_kinds, 'en')}"))
    if old.departments.lead != new.departments.lead:
        a, b = old.departments.lead, new.departments.lead
        lines.append(Text(f"牵头单位由{departments_text(a)}改为{departments_text(b)}",
                          f"lead departments changed from {departments_text(a, 'en')} to {departments_text(b, 'en')}"))
    if old.period != new.period:
        a, b = old.period.value, new.period.value
        lines.append(Text(f"发放方式由{label(PERIOD, a)}改为{label(PERIOD, b)}",
                          f"payment changed from {label(PERIOD, a, 'en')} to {label(PERIOD, b, 'en')}"))
    if sorted(old.exclusive_with) != sorted(new.exclusive_with):
        lines.append(Text("不可同时享受的待遇改为" + ("、".join(new.exclusive_with) or "无"),
                          "the benefits it cannot be combined with changed to " + (", ".join(new.exclusive_with) or "none")))
    start_old, end_old = old.valid_from or old_book.document.in_force_from, old.valid_to or old_book.document.in_force_to
    start_new, end_new = new.valid_from or new_book.document.in_force_from, new.valid_to or new_book.document.in_force_to
    if (start_old, end_old) != (start_new, end_new):
        lines.append(Text(f"有效期由{start_old}至{end_old or '—'}改为{start_new}至{end_new or '—'}",
                          f"in force changed from {start_old} – {end_old or '—'} to {start_new} – {end_new or '—'}"))
    return lines


def _condition_changes(old: Benefit, new: Benefit) -> list[Text]:
    """The conditions changed, removed or added: each paired with its new version where the field and test match."""
    lines: list[Text] = []
    gone = [_said(c) for c in _conditions(old.conditions)]
    come = [_said(c) for c in _conditions(new.conditions)]
    paired = False
    for a, b in zip(_conditions(old.conditions), _conditions(new.conditions)):
        if a != b and a.field == b.field and a.op == b.op:
            was, now = _said(a), _said(b)
            lines.append(Text(f"条件「{was.zh}」改为「{now.zh}」", f"condition '{was.en}' changed to '{now.en}'"))
            paired = True
    removed = [t for t in gone if t.zh not in {c.zh for c in come}]
    added = [t for t in come if t.zh not in {c.zh for c in gone}]
    if not paired:
        lines += [Text(f"删去条件「{t.zh}」", f"condition '{t.en}' removed") for t in removed]
        lines += [Text(f"增加条件「{t.zh}」", f"condition '{t.en}' added") for t in added]
    elif len(removed) != len(added):
        lines.append(Text("条件结构改变", "the conditions' structure changed"))
    if not removed and not added and not paired:
        lines.append(Text("条件的组合方式改变（并且/或者）", "the way the conditions combine changed (and/or)"))
    return lines


def parameter_changes(old: Rulebook, new: Rulebook, lang: str = "zh") -> list[str]:
    lines = []
    for name in sorted(set(old.parameters) | set(new.parameters)):
        a, b = old.parameters.get(name), new.parameters.get(name)
        if a != b:
            p = b or a
            # without an English description the document's Chinese one is shown: nothing else says what it is
            lines.append(Text(f"参数 {name}（{p.description}）的取值改变",
                              f"parameter {name} ({p.description_en or p.description}) changed").get(lang))
    return lines
