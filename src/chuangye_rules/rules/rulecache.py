"""A cache of rulebooks that passed every check, so that `chuangye check` does not parse and check the same YAML
on every start (the checks — locations, the catalog, quotes — take most of a start-up); and of the field catalog
as read from fields.yaml.

An entry is plain JSON data (no Python objects): the validated rulebook as the model dumps it, keyed by the SHA-256 of the
rulebook file's bytes and of this package's code and field catalog, and holding the SHA-256 of the document's
official text. Any change to the rulebook, its official text or the program misses the cache. A hit is still
validated by the Pydantic model, so a damaged entry is a miss, never a wrong rulebook. The entry also holds the model
as a typed tree (runtime.py), from which `chuangye check` builds plain objects without Pydantic: there, the SHA-256
below is what vouches for the entry (and a tree that does not build is a miss). Only rulebooks without
errors are cached; `chuangye validate` never uses the cache.

The catalog's entry is keyed the same way (the code fingerprint covers fields.yaml). Every entry file starts with
the SHA-256 of the JSON that follows it: an entry cut short or changed in any byte is a miss.

Where: `$CHUANGYE_CACHE_DIR`, else `$XDG_CACHE_HOME/chuangye-rules`, else `~/.cache/chuangye-rules`.
`CHUANGYE_NO_CACHE=1` turns it off. A cache that cannot be written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA = "chuangye.rulebook-cache/3"
CATALOG_SCHEMA = "chuangye.catalog-cache/1"


def _folder() -> Path | None:
    if os.environ.get("CHUANGYE_NO_CACHE"):
        return None
    if os.environ.get("CHUANGYE_CACHE_DIR"):
        return Path(os.environ["CHUANGYE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chuangye-rules"


PACKAGE = Path(__file__).resolve().parents[1]  # chuangye_rules/: a folder, installed or checked out


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package's code and catalog: a new version of either misses every entry. Every .py file of the package
    (all subpackages) and fields.yaml by its path, size and modification time (an edit, an upgrade or a checkout
    changes the time; reading and hashing the ~100 files took 9 ms of each start); __pycache__ and the bundled
    rulebooks (keyed by their own bytes) are not walked."""
    digest, package, found = hashlib.sha256(), PACKAGE, []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [d for d in subfolders if d not in ("__pycache__", "rulebooks")]
        found += [os.path.join(folder, n) for n in names if n.endswith(".py") or n == "fields.yaml"]
    for path in sorted(found, key=lambda p: Path(p).relative_to(package).as_posix()):
        status = os.stat(path)
        digest.update(f"{Path(path).relative_to(package).as_posix()}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(raw: bytes) -> Path | None:
    folder = _folder()
    return folder / f"{_sha(code_fingerprint().encode() + raw)}.json" if folder else None


def _read(path: Path) -> Any:
    """An entry's JSON data; ValueError when its first line is not the SHA-256 of the rest."""
    blob = path.read_bytes()
    digest, _, body = blob.partition(b"\n")
    if digest.decode("ascii") != _sha(body):
        raise ValueError("damaged cache entry")
    return json.loads(body)


def _write(path: Path, entry: dict[str, Any]) -> None:
    body = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(_sha(body).encode("ascii") + b"\n" + body)
        os.replace(part, path)
    except OSError:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass


def get(raw: bytes, source_of, part: str = "rulebook") -> tuple[Any, str | None] | None:
    """The cached (rulebook data, official text) for a rulebook file's bytes, or None. `source_of(relative)`
    reads the document's official text (None if absent); a text that changed since is a miss. `part`: "rulebook",
    the data as the model dumps it, or "typed", the typed tree runtime.py builds plain objects from."""
    path = _entry(raw)
    if path is None:
        return None
    try:
        entry = _read(path)
        if entry.get("schema") != SCHEMA:
            return None
        source = entry.get("source")
        text = source_of(source) if source else None
        if _sha((text or "").encode()) != entry.get("source_sha256"):
            return None
        return entry[part], text
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeError):
        return None


def put(raw: bytes, rulebook: dict[str, Any], typed: dict[str, Any], source: str | None,
        source_text: str | None) -> None:
    path = _entry(raw)
    if path is not None:
        _write(path, {"schema": SCHEMA, "source": source, "source_sha256": _sha((source_text or "").encode()),
                      "rulebook": rulebook, "typed": typed})


def get_catalog(raw: bytes) -> dict[str, Any] | None:
    """The catalog's data as read from fields.yaml's bytes `raw` before, or None."""
    path = _entry(b"catalog\n" + raw)
    if path is None:
        return None
    try:
        entry = _read(path)
        return entry["catalog"] if entry.get("schema") == CATALOG_SCHEMA else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeError):
        return None


def put_catalog(raw: bytes, data: dict[str, Any]) -> None:
    path = _entry(b"catalog\n" + raw)
    if path is not None:
        _write(path, {"schema": CATALOG_SCHEMA, "catalog": data})
