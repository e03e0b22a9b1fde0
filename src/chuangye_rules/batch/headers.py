"""A list's header row mapped to profile fields (Chinese names, field names, aliases), and the guide to
the column names `chuangye batch --show-columns` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..base.privacy import mask_text
from ..render.i18n import field_writing
from ..rules.catalog import catalog

# ----------------------------------------------------------------------------------------- headers


@dataclass
class Header:
    names: list[str]
    fields: dict[int, str]  # column position -> profile field
    ignored: list[str]  # headers that are no profile field
    problems: list[str] = field(default_factory=list)


def map_headers(names: list[str]) -> Header:
    cat = catalog()
    fields, ignored, problems, seen = {}, [], [], {}
    for i, raw in enumerate(names):
        name = raw.strip().lstrip("\ufeff")
        target = cat.resolve(name)
        if target is None:  # reported in summaries and on screen: a header that is an ID number is masked
            ignored.append(mask_text(name) or f"(第{i + 1}列无表头)")
            continue
        if target in seen:
            problems.append(f"列“{name}”与“{seen[target]}”都对应字段 {target}")
            continue
        seen[target] = name
        fields[i] = target
    return Header([n.strip().lstrip("\ufeff") for n in names], fields, ignored, problems)


def column_guide(lang: str = "zh") -> list[tuple[str, str, str, str]]:
    """(field, Chinese header, other accepted headers, how to write values) for `batch --show-columns`."""
    cat = catalog()
    rows = []
    for name, spec in cat.fields.items():
        if spec.vocabulary:
            values = "、".join(cat.vocabularies[spec.vocabulary].labels.values())
            text = ("可多选，用 、，; | 或换行分隔，“无”表示都不是；可选: " if spec.type == "set_of" else "可选: ") + values
        else:
            text = field_writing(name, spec.type, "zh")
        rows.append((name, spec.zh, "、".join(spec.aliases), text))
    return rows


