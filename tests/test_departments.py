"""Every department a bundled rulebook names has an English name for --lang en, and the English reaches the
tables, `explain` and the JSON document, while Chinese output shows the department as the document names it."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from chuangye_rules import load_rulebooks
from chuangye_rules.render.departments import DEPARTMENTS_EN, department_name

PROFILES = Path(__file__).resolve().parents[1] / "examples" / "profiles"


def test_every_bundled_department_has_an_english_name():
    named = {d for b in load_rulebooks() for benefit in b.rulebook.benefits
             for d in benefit.departments.lead + benefit.departments.cooperating}
    assert named - set(DEPARTMENTS_EN) == set()
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in DEPARTMENTS_EN[d]) for d in named)


def test_one_bureau_under_three_names_is_one_english_name():
    names = {department_name(d, "en") for d in ("市人社局", "市人力资源社会保障局", "市人力资源和社会保障局")}
    assert names == {"Municipal Human Resources and Social Security Bureau"}
    assert department_name("市人社局") == "市人社局" and department_name("某新设单位", "en") == "某新设单位"


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chuangye_rules", "check", str(PROFILES / "huaibei-returnee-graduate.yaml"),
                           "--as-of", dt.date(2024, 6, 1).isoformat(), *args], capture_output=True, text=True)


def test_check_and_its_json_name_the_departments_in_the_language_asked_for():
    en, zh = _check("--lang", "en"), _check()
    assert en.returncode == zh.returncode == 0, en.stderr + zh.stderr
    assert "Human Resources and Social Security Bureau" in en.stdout and "人力资源社会保障局" not in en.stdout
    assert "市人力资源社会保障局" in zh.stdout
    document = json.loads(_check("--lang", "en", "--format", "json").stdout)
    benefits = [b for city in document["cities"] for b in city["benefits"]]
    assert any("Municipal Human Resources and Social Security Bureau" in b["lead_departments_text"] for b in benefits)
    assert all(len(b["lead_departments_text"]) == len(b["lead_departments"]) for b in benefits)
