"""Resource limits on what the engine reads: one place, safe defaults, each overridable by an environment variable.

| limit | default | environment variable | applies to |
|---|---|---|---|
| `max_file_mb` | 5 | `CHUANGYE_MAX_FILE_MB` | a rulebook, profile or case file (YAML/JSON); its official text |
| `max_depth` | 200 | `CHUANGYE_MAX_DEPTH` | nesting of lists and mappings in a YAML file |
| `max_nodes` | 500000 | `CHUANGYE_MAX_NODES` | values in a YAML file, counting each alias as often as it is used |
| `max_row_kb` | 1024 | `CHUANGYE_MAX_ROW_KB` | one line of a batch CSV list (longer lines are rejected, not buffered) |
| `max_columns` | 1000 | `CHUANGYE_MAX_COLUMNS` | columns in a batch list's header |
| `max_xlsx_mb` | 1024 | `CHUANGYE_MAX_XLSX_MB` | an .xlsx list, uncompressed (a "zip bomb" is rejected before it is opened) |
| `chunk_mb` | 16 | `CHUANGYE_CHUNK_MB` | the block of a CSV list read at a time (memory is bounded by it, not by the file) |
| `chunk_rows` | 100000 | `CHUANGYE_CHUNK_ROWS` | rows evaluated at once (each costs up to ~20 kB while evaluated, however short its line) |

The limits are read when a file is read, so a caller (or a test) can change them for one run:
`CHUANGYE_MAX_ROW_KB=64 chuangye batch list.csv`. A value that is not a positive number is an input error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from .messages import Text


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 5
    max_depth: int = 200
    max_nodes: int = 500_000
    max_row_kb: float = 1024
    max_columns: int = 1000
    max_xlsx_mb: float = 1024
    chunk_mb: float = 16
    chunk_rows: int = 100_000

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_row_bytes(self) -> int:
        return int(self.max_row_kb * 1024)

    @property
    def max_xlsx_bytes(self) -> int:
        return int(self.max_xlsx_mb * 1024 * 1024)

    @property
    def chunk_bytes(self) -> int:
        return max(int(self.chunk_mb * 1024 * 1024), 4096)


DEFAULTS = Limits()


def env_name(name: str) -> str:
    return "CHUANGYE_" + name.upper()


def current() -> Limits:
    """The limits in force: the defaults, overridden by any CHUANGYE_* environment variable that is set."""
    values = {}
    for f in fields(Limits):
        raw = os.environ.get(env_name(f.name))
        if raw is None or not raw.strip():
            continue
        try:
            value = float(raw) if f.type in ("float", float) else int(raw)
        except ValueError:
            value = None
        if value is None or not value > 0 or value != value or value == float("inf"):
            from .problems import InputError, make_problem

            raise InputError([make_problem(
                env_name(f.name), None, None,
                Text(f"环境变量 {env_name(f.name)} 应为正数，这里是 {raw!r}",
                     f"the environment variable {env_name(f.name)} should be a positive number, not {raw!r}"),
                Text(f"删除它以使用默认值 {getattr(DEFAULTS, f.name)}，或写一个正数",
                     f"unset it to use the default {getattr(DEFAULTS, f.name)}, or give a positive number"),
                code="bad_limit")])
        values[f.name] = value
    return Limits(**values) if values else DEFAULTS
