"""Every message a user can get exists in Chinese and English (issue 16).

The source is scanned: a call that makes a problem (Problem, make_problem, Located.problem, JobError, ApiError,
SqlError, CompileError) must not pass a Chinese string outside a Text(zh, en) — a Chinese-only message. The
files below still have such messages while other work on them is under way; the list may only shrink: a file
on it that has none left fails the test until it is taken off.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import chuangye_rules

PACKAGE = Path(chuangye_rules.__file__).parent

# Files with Chinese-only messages still (as the scan finds them), relative to the package.
PENDING: set[str] = set()

MAKERS = {"Problem", "make_problem", "problem", "JobError", "ApiError", "SqlError", "CompileError"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _name(func: ast.AST) -> str | None:
    return getattr(func, "id", getattr(func, "attr", None))


def _chinese_outside_text(node: ast.AST) -> bool:
    """A Chinese string literal in `node` that is not inside a Text(…) call (which carries its English)."""
    if isinstance(node, ast.Call) and _name(node.func) == "Text":
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(CJK.search(node.value))
    return any(_chinese_outside_text(child) for child in ast.iter_child_nodes(node))


def chinese_only(source: str) -> list[int]:
    """The lines of the calls in `source` that make a problem with a Chinese-only message or hint."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _name(node.func) not in MAKERS:
            continue
        keywords = {k.arg for k in node.keywords}
        if _name(node.func) == "Problem" and "message_en" in keywords:
            continue
        if any(_chinese_outside_text(arg) for arg in [*node.args, *(k.value for k in node.keywords)]):
            found.append(node.lineno)
    return sorted(found)


def scan() -> dict[str, list[int]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = chinese_only(path.read_text(encoding="utf-8"))
        if lines:
            found[path.relative_to(PACKAGE).as_posix()] = lines
    return found


@pytest.mark.parametrize("source, expected", [
    ('make_problem(f, 1, 1, "未知字段")', [1]),
    ('located.problem(path, Text("未知字段", "unknown field"), "检查拼写")', [1]),
    ('Problem(f, None, None, f"字段 {k} 重复")', [1]),
    ('JobError(409, "busy", "评估还没有完成", where="job")', [1]),
    ('make_problem(f, 1, 1, Text("未知字段", "unknown field"), Text("检查", "check") if x else None)', []),
    ('located.problem(path, Text("甲", "a"), width + Text("乙", "b"))', []),
    ('Problem(f, None, None, "甲", message_en="a")', []),
    ('make_problem(f, 1, 1, "unknown field")', []),
    ('print("中文")', []),
])
def test_the_scan_tells_chinese_only_from_bilingual(source, expected):
    assert chinese_only(source) == expected


def test_no_chinese_only_message_outside_the_pending_files():
    found = scan()
    # (that the scan finds what it should is shown by test_the_scan_tells_chinese_only_from_bilingual)
    new = {path: lines for path, lines in found.items() if path not in PENDING}
    assert not new, "messages without English (give them a Text(zh, en)): " + "; ".join(
        f"{path} lines {', '.join(map(str, lines))}" for path, lines in new.items())


def test_the_pending_list_only_shrinks():
    found = scan()
    done = sorted(path for path in PENDING if path not in found)
    assert not done, f"no Chinese-only message left in {', '.join(done)}: take it off PENDING"
    missing = sorted(path for path in PENDING if not (PACKAGE / path).is_file())
    assert not missing, f"not a file of the package (moved or renamed?): {', '.join(missing)}"


@pytest.mark.parametrize("name, body, chinese, english", [
    ("名单.pdf", b"%PDF-1.4", "不支持的文件类型：名单.pdf", "this kind of file is not supported: 名单.pdf"),
    ("名单.csv", b"", "上传的名单是空文件", "the uploaded list is an empty file"),
])
def test_a_refused_upload_says_why_in_both_languages(name, body, chinese, english):
    """The server's JSON keeps its fields (error, detail, problems with message and hint) and adds the English
    as every problem does: message_en, hint_en."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from chuangye_rules.web import create_app

    with TestClient(create_app()) as client:
        r = client.post("/lists/jobs", params={"name": name}, content=body)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid_input" and body["detail"] == chinese
    problem = body["problems"][0]
    assert problem["message"] == chinese and problem["message_en"] == english and problem["field"] == "file"
    assert problem["hint"] and problem["hint_en"] and not CJK.search(problem["hint_en"])


def test_a_failed_job_says_why_in_both_languages():
    pytest.importorskip("fastapi")
    import time

    from fastapi.testclient import TestClient

    from chuangye_rules.web import create_app

    with TestClient(create_app()) as client:
        job = client.post("/lists/jobs", params={"name": "名单.csv"}, content="爱好,备注\n读书,无\n".encode("utf-8")).json()
        deadline = time.monotonic() + 60
        while (status := client.get(f"/lists/jobs/{job['id']}").json())["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
    problem = status["problems"][0]
    assert status["state"] == "failed" and "没有可识别的字段" in problem["message"]
    assert set(problem) == {"message", "message_en", "field"} and "/tmp" not in problem["message_en"]
