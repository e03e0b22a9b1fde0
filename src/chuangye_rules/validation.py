"""`chuangye validate`: every problem in every rulebook file at once, grouped by file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .casefiles import exercised
from .lint import lint
from .loading import load_rulebook, rulebook_files
from .yamlsource import InputError, Problem


@dataclass
class ValidationReport:
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    def by_file(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {f: [] for f in self.files}
        for p in self.problems:
            out.setdefault(p.file, []).append(p)
        return out

    def to_json(self) -> str:
        return json.dumps({"files": self.files, "errors": self.errors, "warnings": self.warnings,
                           "problems": [asdict(p) for p in self.problems]}, ensure_ascii=False, indent=2)


def validate_paths(paths: list[Path] | None = None, cases: Path | None = None) -> ValidationReport:
    report = ValidationReport()
    try:
        files = rulebook_files(paths)
    except InputError as error:
        report.problems += error.problems
        report.unreadable = True
        return report
    cases_dir = cases or (Path("tests/cases") if Path("tests/cases").is_dir() else None)
    seen = None
    if cases_dir is not None:
        try:
            seen = exercised([cases_dir])
        except InputError as error:
            report.problems += error.problems
    for file in files:
        report.files.append(str(file))
        try:
            book = load_rulebook(file)
        except InputError as error:
            report.problems += error.problems
            if any("无法读取" in p.message or "不是 UTF-8" in p.message or "过大" in p.message for p in error.problems):
                report.unreadable = True
            continue
        report.problems += lint(book, seen)
    return report
