"""No code execution from any input: the package has no eval/exec/pickle and reads YAML with the safe loader
only (checked in the source), and known payloads — YAML Python tags, `__import__` strings in conditions,
fields and cells, spreadsheet formulas, pickle bytes — run through every reader under an audit hook that
records any attempt to run a program, unpickle, or compile and execute code."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from chuangye_rules.rules import yamlsource

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "chuangye_rules"

FORBIDDEN = {
    r"(?<![\w.])eval\s*\(": "eval()",
    r"(?<![\w.])exec\s*\(": "exec()",
    r"(?<![\w.])compile\s*\(": "compile() of code",
    r"__import__\s*\(": "__import__()",
    r"\bpickle\b|\bcPickle\b|\bdill\b|\bshelve\b|\bmarshal\b|\bjoblib\b": "pickle and friends",
    r"\byaml\.(load|load_all|full_load|full_load_all|unsafe_load|unsafe_load_all)\s*\(": "a YAML loader other than safe_load",
    r"yaml\.(UnsafeLoader|FullLoader|CUnsafeLoader|CFullLoader)\b|yaml\.C?Loader\b": "an unsafe YAML Loader",
    r"\bos\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*)\s*\(": "running a program",
    r"^\s*import\s+subprocess|^\s*from\s+subprocess\s+import": "subprocess",
    r"importlib\.import_module\s*\(": "importing a module named by data",
}


def test_the_package_never_evaluates_unpickles_or_loads_yaml_unsafely():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in FORBIDDEN.items():
                if what == "subprocess" and path.name == "gitfile.py":
                    continue  # the one program run: `git show`, no shell, the revision after --end-of-options
                if re.search(pattern, code):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_yaml_loaders_are_safe_loaders_without_python_tags():
    for loader in (yamlsource._Loader, yamlsource._FastLoader):
        assert issubclass(loader, (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        tags = list(loader.yaml_constructors) + list(loader.yaml_multi_constructors)
        assert not [t for t in tags if t and "python" in t], tags


PAYLOAD_RUN = r'''
import datetime as dt, json, os, sys
from pathlib import Path

work, marker = Path(sys.argv[1]), sys.argv[2]
from chuangye_rules import InputError, evaluate, load_rulebooks, parse_profile
from chuangye_rules.batch.runner import run_batch
from chuangye_rules.rules.loading import inspect_rulebook
from chuangye_rules.rules.profile import load_profile
from chuangye_rules.authoring.validation import validate_paths

AS_OF = dt.date(2024, 6, 1)
books = load_rulebooks()

# warm up every reader with clean input, so that what follows imports nothing new
(work / "warm.csv").write_bytes("编号,城市,申请人类型\nA,淮北,个人\n".encode("gb18030"))
run_batch(work / "warm.csv", work / "warm", as_of=AS_OF, fmt="xlsx")
run_batch(work / "warm" / "results.xlsx", work / "warm2", as_of=AS_OF, fmt="jsonl")
evaluate(parse_profile({"kind": "individual"}), books, as_of=AS_OF).to_json()
validate_paths([Path(sys.argv[3])])

events = []
ALLOWED = {"open", "os.link", "os.rmdir", "os.listdir", "os.scandir", "os.rename", "os.replace", "os.remove", "os.mkdir", "os.stat",
           "os.truncate", "os.chmod", "os.utime", "fcntl.fcntl", "object.__getattr__", "object.__setattr__",
           "object.__delattr__", "sys._getframe", "time.sleep", "glob.glob", "glob.glob/2", "builtins.id", "os.walk",
           "os.listxattr", "os.getxattr", "shutil.copyfile", "shutil.copymode", "shutil.copystat", "tempfile.mkstemp",
           "tempfile.mkdtemp", "import", "sys.excepthook", "cpython.PyInterpreterState_Clear", "locale.setlocale"}

def hook(event, args):
    if event in ALLOWED:
        return
    if event == "exec" and getattr(args[0], "co_filename", "").endswith(".py") and os.path.exists(args[0].co_filename):
        return  # a module imported from a file
    if event == "marshal.loads":
        return  # a module's compiled .pyc, read by the import system
    events.append([event, repr(args)[:200]])

sys.addaudithook(hook)
PY = "__import__('os').system('touch " + marker + "')"

for name, text in {
    "apply": "city: !!python/object/apply:os.system ['touch " + marker + "']\n",
    "new": "city: !!python/object/new:subprocess.Popen [['touch', '" + marker + "']]\n",
    "name": "city: !!python/name:os.system\n",
    "module": "city: !!python/module:os\n",
    "fields": "kind: individual\napplicant_id: \"" + PY + "\"\nname: \"{{7*7}} ${7*7} #{7*7}\"\n",
    "field_names": "\"" + PY + "\": 1\n",
}.items():
    path = work / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    for read in (load_profile, inspect_rulebook):
        try:
            result = read(path)
            if read is load_profile:
                evaluate(result, books, as_of=AS_OF).to_json()
        except InputError:
            pass

rulebook = Path(sys.argv[3]).read_text(encoding="utf-8").replace("field: first_time_business", "field: \"" + PY + "\"", 1)
rulebook = rulebook.replace("value: 5000", "value: \"" + PY + "\"", 1)
(work / "sources").mkdir(exist_ok=True)
(work / "sources" / "ordos.txt").write_text((Path(sys.argv[3]).parent / "sources" / "ordos.txt").read_text("utf-8"), "utf-8")
(work / "book.yaml").write_text(rulebook, encoding="utf-8")
validate_paths([work / "book.yaml"])

pickle_bytes = b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94."
for name, data in {
    "pickle.yaml": pickle_bytes, "pickle.json": pickle_bytes, "pickle.csv": pickle_bytes, "pickle.xlsx": pickle_bytes,
    "cells.csv": ("编号,城市,申请人类型,身份,吸纳就业人数\n"
                  "\"=cmd|' /C calc'!A0\",淮北,个人,无,1\n"
                  "@SUM(1+1)*cmd,淮北,\"" + PY.replace('"', '""') + "\",无,1\n"
                  "+1,\"" + PY.replace('"', '""') + "\",个人,\"=HYPERLINK(\"\"http://x\"\")\",=1+1\n").encode("utf-8"),
}.items():
    path = work / name
    path.write_bytes(data)
    try:
        if name.endswith((".yaml", ".json")):
            load_profile(path)
        else:
            run_batch(path, work / f"{name}-out", as_of=AS_OF)
    except InputError:
        pass

print(json.dumps({"events": events, "marker": os.path.exists(marker)}))
'''


def test_known_payloads_run_nothing(tmp_path):
    marker = tmp_path / "pwned"
    baseline = ROOT / "tests" / "broken_rulebooks" / "baseline.yaml"
    done = subprocess.run([sys.executable, "-c", PAYLOAD_RUN, str(tmp_path), str(marker), str(baseline)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert not report["marker"], "a payload ran"
    assert report["events"] == [], report["events"]
    assert not marker.exists()


def test_a_rulebook_cannot_make_the_engine_read_files_outside_its_folder(tmp_path):
    """`document.source` names the official text for quote checks, whose messages quote the closest passage:
    an absolute path or one climbing out with .. would read (and show) any file, through POST /validate too."""
    from chuangye_rules.authoring.validation import validate_paths

    secret = tmp_path / "secret.txt"
    secret.write_text("一次性创业补贴对首次成功创业的登记失业人员 SECRET-TOKEN-123", encoding="utf-8")
    baseline = (ROOT / "tests" / "broken_rulebooks" / "baseline.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "books"
    folder.mkdir()
    for i, source in enumerate([str(secret), "../secret.txt", "sources/../../secret.txt", "C:\\\\secret.txt"]):
        path = folder / f"book{i}.yaml"
        path.write_text(baseline.replace("source: sources/ordos.txt", f"source: '{source}'", 1), encoding="utf-8")
        report = validate_paths([path])
        assert "source_outside" in {p.code for p in report.problems}, report.text()
        assert "SECRET-TOKEN" not in report.text()


def test_the_web_api_does_not_read_a_file_a_rulebook_points_at(tmp_path):
    import pytest

    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from chuangye_rules.web import create_app

    secret = tmp_path / "secret.txt"
    secret.write_text("一次性创业补贴 SECRET-TOKEN-456", encoding="utf-8")
    baseline = (ROOT / "tests" / "broken_rulebooks" / "baseline.yaml").read_text(encoding="utf-8")
    text = baseline.replace("source: sources/ordos.txt", f"source: '{secret}'", 1)
    response = TestClient(create_app()).post("/validate", content=text.encode("utf-8"),
                                             headers={"Content-Type": "application/yaml"})
    assert response.status_code == 200
    assert "SECRET-TOKEN" not in response.text
    assert any(p["code"] == "source_outside" for p in response.json()["problems"])


def test_a_revision_cannot_pass_as_an_option_of_git():
    import pytest

    from chuangye_rules.authoring.gitfile import show
    from chuangye_rules.base.problems import InputError

    with pytest.raises(InputError) as error:
        show("--output=/tmp/x", "rulebooks/ordos.yaml")
    assert "版本名无效" in str(error.value.problems[0])
