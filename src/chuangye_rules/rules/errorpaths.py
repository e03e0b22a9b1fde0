"""Where a Pydantic error location points: into the YAML (the author's line, skipping union tags that are not keys)
and into the schema (the keys a place allows, and where a misplaced key belongs), for the messages of
authormessages.py."""

from __future__ import annotations

import re
import types
import typing

from pydantic import BaseModel, Tag

from ..base.messages import Text, value_at
from .schema import Rulebook
from .yamlsource import Located

UNION_MEMBER = re.compile(r"^(str|int|float|bool|decimal|date|list\[.*\]|dict\[.*\])$")


def one_branch(items: list[dict], located: Located) -> list[dict]:
    """For a value that may take several shapes (a quote: text or a list of texts), Pydantic reports why each
    shape failed; keep only the errors of the shape the author meant: the one that got furthest, or on a tie
    the list when a list was written and the text otherwise."""
    groups: dict[tuple, dict[str, list[dict]]] = {}
    for item in items:
        loc = item["loc"]
        at = next((i for i, part in enumerate(loc) if isinstance(part, str) and UNION_MEMBER.match(part)), None)
        if at is not None:
            groups.setdefault(loc[:at], {}).setdefault(loc[at], []).append(item)
    drop = set()
    for prefix, branches in groups.items():
        if len(branches) < 2:
            continue
        written_list = isinstance(located.data and value_at(located.data, prefix), list)
        best = max(branches, key=lambda name: (max(len(i["loc"]) for i in branches[name]),
                                               name.startswith("list") == written_list))
        drop |= {id(item) for name, members in branches.items() if name != best for item in members}
    return [item for item in items if id(item) not in drop]


def yaml_path(loc: tuple, located: Located, keep_last: bool = True) -> tuple:
    """Follow a Pydantic error location through the YAML, skipping union tags that are not keys.

    keep_last: the last part is a key that is missing (or extra), kept so that messages can name it."""
    path: tuple = ()
    node = located.data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path += (part,)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path += (part,)
            node = node[part]
        elif keep_last and isinstance(node, dict) and part not in node and loc[-1] == part:
            path += (part,)  # the missing or extra key itself: where() falls back to the parent
    return path


def _unwrap(tp):
    """Strip Annotated[...] and Optional[...] from a type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp):
            rest = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return typing.Union[tuple(rest)]
            tp = rest[0]
        else:
            return tp


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp, part):
    """The type found one step along a Pydantic error location (a field, a list item, a union tag)."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if _is_model(tp):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin is list:
        return typing.get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, types.UnionType):
        for member in typing.get_args(tp):
            tags = [m.tag for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)]
            model = _unwrap(member)
            if part in tags:
                return model
            if _is_model(model) and "kind" in model.model_fields:
                if typing.get_args(model.model_fields["kind"].annotation) == (part,):
                    return model
            if _is_model(model) and model.__name__ == part:
                return model
    return None


def model_at(loc: tuple):
    tp = Rulebook
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _unwrap(tp)
    return tp if _is_model(tp) else None


def keys_of(model) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def allowed_keys(loc: tuple) -> list[str]:
    model = model_at(loc)
    return keys_of(model) if model else []


def belongs_under(key, loc: tuple, only: str | None = None) -> Text | None:
    """'lead' written directly under a benefit belongs under departments: say so."""
    model = model_at(loc)
    if model is None:
        return None
    for name, info in model.model_fields.items():
        if only is not None and only not in (name, info.alias):
            continue
        inner = _unwrap(info.annotation)
        candidates = [_unwrap(a) for a in typing.get_args(inner)] if typing.get_origin(inner) else [inner]
        for candidate in candidates:
            if _is_model(candidate) and key in keys_of(candidate):
                parent = info.alias or name
                return Text(f"{key} 应写在 {parent} 下面（缩进一层）；", f"{key} belongs under {parent} (indented);")
    return None
