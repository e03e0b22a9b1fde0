"""A cache of rulebooks that passed every check, so that `chuangye check` does not parse and check the same YAML
on every start (the checks — locations, the catalog, quotes — take most of a start-up).

An entry is plain JSON data (no Python objects): the validated rulebook as the model dumps it, keyed by the SHA-256 of the
rulebook file's bytes and of this package's code and field catalog, and holding the SHA-256 of the document's
official text. Any change to the rulebook, its official text or the program misses the cache. A hit is still
validated by the Pydantic model, so a damaged entry is a miss, never a wrong rulebook. Only rulebooks without
errors are cached; `chuangye validate` never uses the cache.

Where: `$CHUANGYE_CACHE_DIR`, else `$XDG_CACHE_HOME/chuangye-rules`, else `~/.cache/chuangye-rules`.
`CHUANGYE_NO_CACHE=1` turns it off. A cache that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA = "chuangye.rulebook-cache/1"


def _folder() -> Path | None:
    if os.environ.get("CHUANGYE_NO_CACHE"):
        return None
    if os.environ.get("CHUANGYE_CACHE_DIR"):
        return Path(os.environ["CHUANGYE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chuangye-rules"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package's code and catalog: a new version of either misses every entry."""
    digest = hashlib.sha256()
    package = Path(str(resources.files("chuangye_rules")))
    for path in sorted(p for p in package.rglob("*") if p.suffix == ".py" or p.name == "fields.yaml"):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(raw: bytes) -> Path | None:
    folder = _folder()
    return folder / f"{_sha(code_fingerprint().encode() + raw)}.json" if folder else None


def get(raw: bytes, source_of) -> tuple[dict[str, Any], str | None] | None:
    """The cached (rulebook data, official text) for a rulebook file's bytes, or None. `source_of(relative)`
    reads the document's official text (None if absent); a text that changed since is a miss."""
    path = _entry(raw)
    if path is None:
        return None
    try:
        entry = json.loads(path.read_text("utf-8"))
        if entry.get("schema") != SCHEMA:
            return None
        source = entry.get("source")
        text = source_of(source) if source else None
        if _sha((text or "").encode()) != entry.get("source_sha256"):
            return None
        return entry["rulebook"], text
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def put(raw: bytes, rulebook: dict[str, Any], source: str | None, source_text: str | None) -> None:
    path = _entry(raw)
    if path is None:
        return
    entry = {"schema": SCHEMA, "source": source, "source_sha256": _sha((source_text or "").encode()),
             "rulebook": rulebook}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{path.name}.{os.getpid()}.part")
        part.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(part, path)
    except OSError:
        try:
            part.unlink(missing_ok=True)
        except (OSError, UnboundLocalError):
            pass
