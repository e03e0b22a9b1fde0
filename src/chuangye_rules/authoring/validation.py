"""`chuangye validate`: every problem in every rulebook file at once, grouped by file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem
from ..rules.loading import inspect_rulebook, rulebook_files
from .casefiles import exercised
from .lint import lint

# Problems that mean a file could not be read at all (exit code 2 rather than 1).
UNREADABLE = {"unreadable", "not_utf8", "too_large"}


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

    def text(self, lang: str = "zh") -> str:
        """The report as `chuangye validate` prints it: by file, each problem with its line, then a count."""
        zh = lang != "en"
        lines = []
        for file, problems in self.by_file().items():
            lines.append(f"{file}: {'OK' if not problems else ''}".rstrip())
            for p in problems:
                tag = ("警告" if zh else "warning") if p.severity == "warning" else ("错误" if zh else "error")
                lines.append(f"  {tag} {p.format(lang)}")
        if zh:
            lines.append(f"{self.errors} 个错误，{self.warnings} 个警告，共检查 {len(self.files)} 个文件")
        else:
            lines.append(f"{self.errors} error(s), {self.warnings} warning(s) in {len(self.files)} file(s)")
        return "\n".join(lines)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """A file's problems from top to bottom, so an author can fix them in reading order."""
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def validate_paths(paths: list[Path] | None = None, cases: Path | None | bool = None) -> ValidationReport:
    """Every problem in the rulebooks under `paths`. `cases`: the case-file folder used to warn about benefits
    without a test case (default: ./tests/cases when it exists; False: no such warnings)."""
    report = ValidationReport()
    try:
        files = rulebook_files(paths)
    except InputError as error:
        report.problems += error.problems
        report.unreadable = True
        return report
    if not files:  # a folder with no rulebook is a wrong path, not a clean bill (a CI job would pass on nothing)
        report.problems.append(make_problem(", ".join(str(p) for p in paths or []) or ".", None, None, Text(
            "没有找到规则库（*.yaml）", "no rulebook (*.yaml) found"),
            Text("给出规则库文件或所在目录，如 chuangye validate rulebooks/", "give rulebook files or their folder, e.g. "
                 "chuangye validate rulebooks/"), code="unreadable"))
        report.unreadable = True
        return report
    if cases is False:
        cases_dir = None
    else:
        cases_dir = cases or (Path("tests/cases") if Path("tests/cases").is_dir() else None)
    seen = None
    if cases_dir is not None:
        try:
            seen = exercised([cases_dir])
        except InputError as error:
            report.problems += error.problems
    for file in files:
        report.files.append(str(file))
        book, problems = inspect_rulebook(file)
        if book is not None:
            problems += lint(book, seen)
        elif any(p.code in UNREADABLE for p in problems):
            report.unreadable = True
        report.problems += _in_order(problems)
    return report
