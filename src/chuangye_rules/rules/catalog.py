"""The profile field catalog (fields.yaml): which facts exist, their types, vocabularies and names."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FIELD_TYPES = ("text", "bool", "int", "money", "number", "date", "one_of", "set_of")
NUMERIC_TYPES = ("int", "money", "number")
# how people write yes and no, in a profile file or a spreadsheet cell
TRUE_WORDS = ("true", "True", "TRUE", "1", "是", "Y", "y", "yes", "Yes", "YES", "有", "√", "✓", "对")
FALSE_WORDS = ("false", "False", "FALSE", "0", "否", "N", "n", "no", "No", "NO", "无", "×", "✗", "不是")
YES_NO = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}
# how people write dates (after 年/月 become "-" and 日 is dropped): 2023-07-01, 2023/7/1, 2023.7.1, 20230701,
# and the date-times a spreadsheet exports
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M")


def date_text(text: str) -> str:
    """2023年7月1日 → 2023-7-1, ready for DATE_FORMATS."""
    return text.strip().replace("年", "-", 1).replace("月", "-", 1).replace("日", "", 1)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    zh: str
    en: str
    vocabulary: str | None = None
    aliases: tuple[str, ...] = ()
    personal: bool = False

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Vocabulary:
    name: str
    labels: dict[str, str]  # code -> Chinese label
    lookup: dict[str, str] = field(default_factory=dict)  # code or label -> code

    def normalise(self, value: str) -> str | None:
        return self.lookup.get(str(value).strip())

    def label(self, code: str, lang: str = "zh") -> str:
        """The Chinese label; in English the code as words (national innovation leader), never the raw code."""
        return self.labels.get(code, code) if lang == "zh" else code.replace("_", " ")


@dataclass(frozen=True)
class Catalog:
    fields: dict[str, FieldSpec]
    vocabularies: dict[str, Vocabulary]
    names: dict[str, str]  # every accepted name (English, Chinese, alias) -> field name

    def resolve(self, name: str) -> str | None:
        name = str(name).strip()
        found = self.names.get(name)
        if found is None and name.startswith("是否"):  # 是否首次创业: how a spreadsheet asks a yes/no question
            found = self.names.get(name[2:])
            found = found if found is not None and self.fields[found].type == "bool" else None
        return found

    def suggest(self, name: str) -> str | None:
        import difflib

        close = difflib.get_close_matches(str(name), list(self.names), n=1, cutoff=0.6)
        return self.names[close[0]] if close else None

    def vocabulary_of(self, field_name: str) -> Vocabulary | None:
        spec = self.fields.get(field_name)
        return self.vocabularies.get(spec.vocabulary) if spec and spec.vocabulary else None


def _catalog_data() -> dict:
    """fields.yaml as data: from the cache (rulecache.py, JSON keyed by the file's bytes and the code) when it was
    read before, else parsed with libyaml's loader where PyYAML has it (the pure-Python one where not)."""
    from . import rulecache

    raw = Path(__file__).with_name("fields.yaml").read_bytes()
    data = rulecache.get_catalog(raw)
    if data is not None:
        return data
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(raw.decode("utf-8"))
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if json.loads(json.dumps(data)) == data:  # only what JSON gives back unchanged (no dates, no number keys)
        rulecache.put_catalog(raw, data)
    return data


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    data = _catalog_data()
    vocabularies = {}
    for vname, labels in data["vocabularies"].items():
        lookup = {code: code for code in labels}
        lookup.update({label: code for code, label in labels.items()})
        vocabularies[vname] = Vocabulary(vname, dict(labels), lookup)
    fields: dict[str, FieldSpec] = {}
    names: dict[str, str] = {}
    for fname, spec in data["fields"].items():
        if spec["type"] not in FIELD_TYPES:
            raise ValueError(f"fields.yaml: {fname}: unknown type {spec['type']!r}")
        vocab = spec.get("of")
        if spec["type"] in ("one_of", "set_of") and vocab not in vocabularies:
            raise ValueError(f"fields.yaml: {fname}: unknown vocabulary {vocab!r}")
        fs = FieldSpec(
            name=fname,
            type=spec["type"],
            zh=spec["zh"],
            en=spec["en"],
            vocabulary=vocab,
            aliases=tuple(spec.get("aliases", ())),
            personal=bool(spec.get("personal", False)),
        )
        fields[fname] = fs
        for alias in (fname, fs.zh, *fs.aliases):
            if alias in names and names[alias] != fname:
                raise ValueError(f"fields.yaml: name {alias!r} is used by {names[alias]} and {fname}")
            names[alias] = fname
    return Catalog(fields, vocabularies, names)
