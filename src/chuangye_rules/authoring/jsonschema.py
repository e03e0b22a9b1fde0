"""JSON Schemas of the rulebook and profile formats, for editors (completion, red squiggles)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

SCHEMA_FILES = {"rulebook": "docs/schema/rulebook.schema.json", "profile": "docs/schema/profile.schema.json"}


def schema_text(which: str) -> str:
    if which == "rulebook":
        from ..rules.schema import Rulebook

        data = Rulebook.model_json_schema(by_alias=True)
        data["title"] = "chuangye-rules rulebook（创业政策规则库）"
    else:
        data = profile_schema()
        data["title"] = "chuangye-rules applicant profile（申请人信息）"
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _escape(text: str) -> str:
    """Escape a literal for a JSON Schema (ECMA-262) pattern; only syntax characters, valid in 'u' mode too."""
    return re.sub(r"([\^$\\.*+?()\[\]{}|/])", r"\\\1", text)


def _value_schemas(vocab) -> tuple[dict[str, Any], dict[str, Any]]:
    """One value (a code or its Chinese label), and a list written as one string: 高校毕业生、返乡人员."""
    from ..rules.values import LIST_SEPARATORS

    values = [*vocab.labels, *vocab.labels.values()]
    notes = [f"{label}（{code}）" for code, label in vocab.labels.items()]
    notes += [f"{label} = {code}" for code, label in vocab.labels.items()]
    one = {"type": "string", "enum": values, "enumDescriptions": notes}
    item = "(" + "|".join(_escape(v) for v in sorted(values, key=len, reverse=True)) + ")"
    sep = rf"\s*{LIST_SEPARATORS.pattern}\s*"
    edge = rf"[\s{LIST_SEPARATORS.pattern[1:-2]}]*"
    text = {"type": "string", "pattern": f"^{edge}({item}({sep}{item})*)?{edge}$",
            "description": "也可写成一个用、或逗号分隔的字符串 / or one string separated by 、 or commas"}
    return one, text


def profile_schema() -> dict[str, Any]:
    """The Profile model's schema, plus every Chinese name and alias the loader accepts (profile.canonical_keys)
    as a property of its own, and the allowed values of the vocabulary fields (codes and Chinese labels)."""
    from ..rules.catalog import catalog
    from ..rules.profile import profile_model

    cat = catalog()
    data = profile_model().model_json_schema()
    properties: dict[str, Any] = {}
    for name, spec in cat.fields.items():
        prop = data["properties"][name]
        vocab = cat.vocabulary_of(name)
        allowed = ""
        if vocab is not None:
            one, text = _value_schemas(vocab)
            for branch in prop["anyOf"]:
                if spec.type == "one_of" and branch.get("type") == "string":
                    branch.clear()
                    branch.update(one)
                elif spec.type == "set_of" and branch.get("type") == "array":
                    branch["items"] = one
            if spec.type == "set_of":
                prop["anyOf"].insert(-1, text)
            codes = "、".join(f"{code} {label}" for code, label in vocab.labels.items())
            allowed = f"；可选值（写代码或中文名）/ allowed values (code or Chinese label): {codes}"
        if name == "received":  # history.parse_received: entries, bare ids or names, or one separated string
            for branch in prop["anyOf"]:
                if branch.get("type") == "array":
                    branch["items"] = {"anyOf": [branch["items"], {"type": "string"}]}
            prop["anyOf"].insert(-1, {"type": "string", "description": "用、分隔的待遇标识或名称，金额写在=之后 / "
                                                                      "ids or names separated by 、, an amount after ="})
        names = list(dict.fromkeys((name, spec.zh, *spec.aliases)))
        for key in names:
            others = "、".join(n for n in names if n != key)
            entry = copy.deepcopy(prop)
            entry["description"] = f"{spec.zh} / {spec.en}；也可写作 / also accepted as: {others}{allowed}"
            properties[key] = entry
    data["properties"] = properties
    data["description"] = ("申请人信息：字段名可用英文名、中文名或别名（每个字段只写一次），字段见 chuangye fields / "
                           "an applicant profile: keys in English, Chinese or an alias (each field once)")
    return data
