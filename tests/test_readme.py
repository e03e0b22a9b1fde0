"""The README's command table and command lines against the program's own --help (as sqlite-utils tests its
docs): every command is in the table, the table names no command that does not exist, and every option the
README writes for a command is one that command takes."""
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chuangye_rules.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def help_of(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def commands() -> list[str]:
    listed = help_of().split("Commands:")[1]
    return re.findall(r"^\s{2}(\w[\w-]*)\s", listed, re.M)


def table_rows() -> dict[str, list[str]]:
    """The command table: command → the rows that describe it (a command may have several)."""
    rows: dict[str, list[str]] = {}
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        found = re.match(r"\| `chuangye ([\w-]+)", line)
        if found:
            rows.setdefault(found[1], []).append(line)
    return rows


def test_every_command_is_in_the_table_and_only_those():
    assert set(table_rows()) == set(commands())


def readme_command_lines() -> list[tuple[str, str]]:
    """Every `chuangye CMD …` the README writes (table rows and code blocks): (command, the line)."""
    found = []
    for line in README.splitlines():
        for match in re.finditer(r"chuangye ([a-z][\w-]*)((?: [^`|\n]*)?)", line):
            found.append((match[1], match[0]))
    return found


@pytest.mark.parametrize("command", sorted(set(c for c, _ in readme_command_lines())))
def test_every_option_the_readme_writes_exists(command):
    if command not in commands():
        pytest.skip(f"'chuangye {command}' is prose, not a command")  # e.g. a sentence mentioning the package
    accepted = set(re.findall(r"(--[\w-]+|-[a-zA-Z])\b", help_of(command)))
    for _, line in (item for item in readme_command_lines() if item[0] == command):
        written = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*|-[a-zA-Z])(?=[\s=\]\[|`]|$)", line))
        assert written <= accepted, f"{line!r}: {sorted(written - accepted)} not in `chuangye {command} --help`"
