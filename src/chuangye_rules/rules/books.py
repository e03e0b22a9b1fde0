"""A rulebook as a command holds it once loaded (its model, file, located YAML, official text), and choosing the
rulebooks of one city by any of its names. No Pydantic: `chuangye check` holds its rulebooks as plain objects built
from the cache (runtime.py), the other commands as the models loading.py validated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Iterable

from ..base.messages import Text
from ..base.problems import InputError, make_problem
from . import rulecache

if TYPE_CHECKING:
    from .yamlsource import Located


@dataclass
class LoadedRulebook:
    rulebook: Any  # a schema.Rulebook, or its plain runtime twin (runtime.py)
    path: Path
    located: Located | None  # None for a rulebook from the cache
    source_text: str | None  # the official text of the document, for quote checks
    partial: bool = False  # some benefits (or the document) did not fit the schema and were left out

    @property
    def slug(self) -> str:
        return self.rulebook.city.slug


def city_names(book: LoadedRulebook) -> tuple[str, ...]:
    """Every name a city is known by: its slug, Chinese name (with or without 市) and English name."""
    city = book.rulebook.city
    return (city.slug, city.zh, city.zh + "市", city.en, city.en.lower())


def choose_city(books: list[LoadedRulebook], name: str, where: str = "--city") -> list[LoadedRulebook]:
    """The rulebook of the city called `name`; a name that matches none is an input error listing the cities."""
    chosen = [b for b in books if name in city_names(b)]
    if not chosen:
        known = "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in books)
        known_en = ", ".join(f"{b.slug} ({b.rulebook.city.en})" for b in books)
        raise InputError([make_problem(where, None, None, Text(f"没有城市 {name!r} 的规则库", f"no rulebook for the city {name!r}"),
                                       Text(f"可选: {known}", f"one of: {known_en}") if known else
                                       Text("所指的目录中没有任何规则库（*.yaml）", "the folder given holds no rulebook (*.yaml)"))])
    return chosen


def bundled_rulebook_dir() -> Path:
    """The rulebooks shipped in the wheel, or the repository's folder when running from a checkout."""
    packaged = rulecache.PACKAGE / "rulebooks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rulebooks"


def default_rulebook_dir() -> Path:
    """Where rulebooks are read when no folder is named: `./rulebooks` when the current folder has one with
    rulebooks in it (an author's working copy, e.g. after `chuangye new`), else the bundled ones. An author who
    installed the package with `pip install .` would otherwise validate and test the installed copy, not the
    file being edited."""
    local = Path.cwd() / "rulebooks"
    try:
        if local.is_dir() and any(p.suffix in (".yaml", ".yml") for p in local.iterdir()):
            return local
    except OSError:
        pass
    return bundled_rulebook_dir()


def rulebook_files(paths: Iterable[Path] | None = None) -> list[Path]:
    roots = list(paths) if paths else [default_rulebook_dir()]
    files: list[Path] = []
    for root in roots:
        root = Path(root)
        if root.is_dir():
            # (a named pipe or a device in the folder would block the reading, or make no sense)
            files.extend(sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif root.is_file():
            files.append(root)
        elif root.exists():
            raise InputError([make_problem(
                str(root), None, None, Text("不是普通文件（是设备或管道）", "not a regular file (a device or a pipe)"),
                Text("给出规则库 .yaml 文件或所在目录", "give a rulebook .yaml file or its folder"), code="unreadable")])
        else:
            raise InputError([make_problem(
                str(root), None, None, Text("找不到规则库文件或目录", "no such rulebook file or folder"),
                Text("检查路径；规则库放在 rulebooks/ 下", "check the path; rulebooks live in rulebooks/"), code="unreadable")])
    return files


def raw_bytes(path: Path) -> bytes | None:
    """The file's bytes for the cache key; None (no cache) when it cannot be read or is over the size limit."""
    from ..base import limits

    try:
        if path.stat().st_size > limits.current().max_file_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


def official_text(path: Path, relative: str) -> str | None:
    if not inside(relative) or not is_file(path.parent / relative):
        return None
    try:
        from .yamlsource import read_text

        return read_text(path.parent / relative, "文件原文")
    except InputError:
        return None


def inside(source: str) -> bool:
    """A document's text is read only from the rulebook's own folder: never an absolute path or one that
    climbs out with .. (the web API validates rulebooks sent by anyone; their `source` must not read the
    server's files)."""
    if "\x00" in source or len(source) > 1000:
        return False
    for pure in (PurePosixPath(source), PureWindowsPath(source)):
        if pure.is_absolute() or pure.drive or pure.root or ".." in pure.parts:
            return False
    return True


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, and the like
        return False


def cached_rulebooks(paths: Iterable[Path | str] | None = None) -> list[LoadedRulebook] | None:
    """The rulebooks load_rulebooks would give, as plain objects built from the cache alone (runtime.py), or None
    when any one of them is not there (or two share a city): then load_rulebooks reads, checks, reports and caches
    them. A path that does not exist is reported here as there."""
    from .runtime import build

    books = []
    files = rulebook_files([Path(p) for p in paths] if paths else None)
    if not files:  # load_rulebooks says so, for every command alike
        return None
    for path in files:
        raw = raw_bytes(path)
        hit = rulecache.get(raw, lambda relative: official_text(path, relative), part="typed") if raw else None
        if hit is None:
            return None
        tree, text = hit
        try:
            rulebook = build(tree)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if type(rulebook).__name__ != "Rulebook":
            return None
        books.append(LoadedRulebook(rulebook=rulebook, path=path, located=None, source_text=text))
    slugs = [b.slug for b in books]
    return books if len(set(slugs)) == len(slugs) else None
