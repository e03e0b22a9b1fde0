"""What the code's imports must keep true (issue 16): the error types come from problems.py, not from the YAML
reader, and the reader-free modules import no YAML code for them."""
import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "chuangye_rules"
ERRORS = {"Problem", "InputError", "make_problem"}


def imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, {alias.name for alias in node.names}


def test_error_types_come_from_problems_not_from_the_yaml_reader():
    wrong = [f"{path.relative_to(SRC)}: {sorted(names & ERRORS)}" for path in SRC.rglob("*.py")
             for module, names in imports(path) if module.endswith("yamlsource") and names & ERRORS]
    assert not wrong, wrong


def test_problems_depends_on_nothing_that_reads_files():
    used = {module for module, _ in imports(SRC / "problems.py")}
    assert not {m for m in used if m.lstrip(".") in ("yamlsource", "limits", "loading", "profile")}, used
