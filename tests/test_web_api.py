"""The HTTP API (`chuangye serve`): the same JSON as the CLI, 4xx with the field and the reason, a size
limit, the rulebook endpoints, the questions derived from the rulebooks, and `validate` with lines."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from chuangye_rules import evaluate, evaluation_dict, load_profile  # noqa: E402
from chuangye_rules.render.reporting import amount_text  # noqa: E402
from chuangye_rules.web import create_app  # noqa: E402
from chuangye_rules.web.server import MAX_BODY_BYTES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "profiles"
RETURNEE = EXAMPLES / "huaibei-returnee-graduate.yaml"
AS_OF = "2024-06-01"
STATIC = ROOT / "src" / "chuangye_rules" / "web" / "static"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def _facts(path: Path) -> dict:
    """A profile file as the JSON object a client would send (dates as text)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


# ------------------------------------------------------------------ POST /evaluate


def test_evaluate_is_exactly_the_check_json(client, books):
    response = client.post("/evaluate", json={"profile": _facts(RETURNEE), "as_of": AS_OF})
    assert response.status_code == 200, response.text
    library = evaluation_dict(evaluate(load_profile(RETURNEE), books, as_of=dt.date(2024, 6, 1)), "zh")
    assert response.json() == library
    env = {**os.environ, "COLUMNS": "120"}
    cli = subprocess.run([sys.executable, "-m", "chuangye_rules", "check", str(RETURNEE), "--as-of", AS_OF,
                          "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert response.json() == json.loads(cli.stdout)
    eligible = {b["id"] for c in library["cities"] for b in c["benefits"] if b["status"] == "eligible"}
    assert "returnee_startup_subsidy" in eligible


def test_evaluate_accepts_the_profile_file_text_and_the_options(client, books):
    text = (EXAMPLES / "ordos-graduate-trainee.yaml").read_text(encoding="utf-8")
    body = {"profile": text, "city": "鄂尔多斯", "as_of": "2024-06-01", "lang": "en",
            "parameters": {"nm_min_wage_class1_monthly": "1980"}}
    response = client.post("/evaluate", json=body)
    assert response.status_code == 200, response.text
    library = evaluate(load_profile(EXAMPLES / "ordos-graduate-trainee.yaml"), books, as_of=dt.date(2024, 6, 1),
                       city="鄂尔多斯", parameters={"nm_min_wage_class1_monthly": 1980})
    assert response.json() == evaluation_dict(library, "en")
    assert response.json()["parameters"] == {"nm_min_wage_class1_monthly": "1980"}


@pytest.mark.parametrize("profile, field", [
    ({"kind": "individual", "graduation_date": "2022-13-45"}, "graduation_date"),
    ({"kind": "individual", "employees": -3}, "employees"),
    ({"kind": "个人", "identities": ["宇航员"]}, "identities"),
    ({"kind": "individual", "graduation_dat": "2022-07-01"}, "graduation_dat"),
])
def test_a_bad_profile_is_a_422_naming_the_field(client, profile, field):
    response = client.post("/evaluate", json={"profile": profile, "as_of": AS_OF})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert any(field in p["message"] for p in body["problems"]), body
    for p in body["problems"]:
        assert set(p) >= {"file", "line", "column", "message", "hint"}


def test_an_unknown_field_gets_a_did_you_mean(client):
    body = client.post("/evaluate", json={"profile": {"graduation_dat": "2022-07-01"}}).json()
    assert "graduation_date" in (body["problems"][0]["hint"] or "")


def test_a_profile_text_error_has_its_line(client):
    text = "kind: individual\nidentities: [高校毕业生]\ngraduation_date: 2022-02-30\n"
    body = client.post("/evaluate", json={"profile": text}).json()
    problem = body["problems"][0]
    assert problem["line"] == 3 and "graduation_date" in problem["message"]


@pytest.mark.parametrize("body, field", [
    ({}, "profile"),
    ({"profile": {}, "as_of": "2024-02-30"}, "as_of"),
    ({"profile": {}, "as_of": "1000-01-01"}, "as_of"),
    ({"profile": {}, "lang": "fr"}, "lang"),
    ({"profile": {}, "colour": "red"}, "colour"),
    ({"profile": [1, 2]}, "profile"),
])
def test_a_malformed_request_is_a_422_naming_the_field(client, body, field):
    response = client.post("/evaluate", json=body)
    assert response.status_code == 422, response.text
    problems = response.json()["problems"]
    assert any(p["field"] and p["field"].split(".")[0] == field for p in problems), problems


@pytest.mark.parametrize("body", [{}, {"profile": {}, "as_of": "2024-02-30"}, {"profile": [1, 2]}, b'{"profile": {',
                                  b'{"profile": ' + b'[' * 5000 + b']' * 5000 + b'}'])
def test_a_malformed_request_is_said_in_chinese_and_english(client, body):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post("/evaluate", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    for problem in response.json()["problems"]:
        assert re.search(r"[\u4e00-\u9fff]", problem["message"]), problem
        assert problem["message_en"] and not re.search(r"[\u4e00-\u9fff]", problem["message_en"]), problem


def test_bad_options_are_422_not_500(client):
    for body, where in [({"profile": {"kind": "individual"}, "city": "beijing"}, "city"),
                        ({"profile": {"kind": "individual", "city": "北京"}}, "profile.city"),
                        ({"profile": {}, "parameters": {"no_such_parameter": 1}}, "parameters.no_such_parameter"),
                        ({"profile": {}, "parameters": {"nm_min_wage_class1_monthly": "NaN"}},
                         "parameters.nm_min_wage_class1_monthly")]:
        response = client.post("/evaluate", json=body)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()["problems"][0]
        assert where in (problem["file"], problem.get("field")), problem
    broken = client.post("/evaluate", content=b'{"profile": {', headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "JSON" in broken.json()["detail"]


def test_an_oversized_body_is_413(client):
    big = b'{"profile": {"name": "' + b"x" * MAX_BODY_BYTES + b'"}}'
    response = client.post("/evaluate", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"

    def chunks():  # no Content-Length: the limit is counted while the body is read
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    response = client.post("/validate", content=chunks(), headers={"content-type": "application/yaml"})
    assert response.status_code == 413


# ------------------------------------------------------------------ the web page's wrapper


def test_ui_evaluate_wraps_the_same_evaluation_with_the_cli_words(client, books):
    response = client.post("/ui/evaluate", json={"profile": _facts(RETURNEE), "as_of": AS_OF})
    assert response.status_code == 200, response.text
    data = response.json()
    library = evaluate(load_profile(RETURNEE), books, as_of=dt.date(2024, 6, 1))
    assert data["evaluation"] == evaluation_dict(library, "zh")
    city = data["display"]["cities"][0]
    for benefit in library.cities[0].benefits:
        assert city["benefits"][benefit.id]["amount"] == amount_text(benefit.amount, "zh")
    assert city["totals"]["up_to"] == "1.45万元"
    assert sorted(city["order"]) == sorted(b.id for b in library.cities[0].benefits)
    needs = [b for b in library.cities[0].benefits if b.status.value == "needs_info"]
    assert needs and city["next_question"]["field"] in {m for b in needs for m in b.missing_facts}
    assert city["benefits"]["graduate_individual_business_tax_preference"]["failed"]  # not eligible: why


def test_ui_evaluate_says_weihai_is_a_draft(client):
    profile = _facts(EXAMPLES / "weihai-researcher-leaving-university.yaml")
    data = client.post("/ui/evaluate", json={"profile": profile, "as_of": "2025-06-01"}).json()
    city = data["display"]["cities"][0]
    assert city["draft"] and "征求意见稿" in city["draft_note"]


# ------------------------------------------------------------------ rulebooks


def test_rulebooks_lists_every_city(client, books):
    data = client.get("/rulebooks").json()
    assert [r["city"] for r in data] == [b.slug for b in books]
    weihai = next(r for r in data if r["city"] == "weihai")
    assert weihai["document"]["draft"] is True
    huaibei = next(r for r in data if r["city"] == "huaibei")
    assert huaibei["document"]["in_force_to"] == "2025-12-31"
    assert {"individual", "individual_business", "enterprise"} <= {k["value"] for k in huaibei["applicant_kinds"]}


def test_a_benefit_has_its_clause_quote_and_departments(client, books):
    response = client.get("/rulebooks/huaibei/benefits/returnee_startup_subsidy")
    assert response.status_code == 200, response.text
    data = response.json()
    benefit = next(b for b in books if b.slug == "huaibei").rulebook.benefit("returnee_startup_subsidy")
    assert data["clause"] == benefit.clause and data["quote"] == benefit.quote
    assert data["departments"]["lead"] == benefit.departments.lead
    assert data["amount"] == {"kind": "up_to", "max": "10000"}
    assert client.get("/rulebooks/淮北/benefits/returnee_startup_subsidy").json()["id"] == "returnee_startup_subsidy"
    missing = client.get("/rulebooks/huaibei/benefits/returnee_startup_subsid")
    assert missing.status_code == 404 and "returnee_startup_subsidy" in missing.json()["problems"][0]["hint"]
    assert client.get("/rulebooks/beijing/benefits/x").status_code == 404
    listed = client.get("/rulebooks/huaibei").json()["benefits"]
    assert len(listed) == len(next(b for b in books if b.slug == "huaibei").rulebook.benefits)


def test_questions_for_a_returnee_running_an_individual_business(client):
    response = client.get("/rulebooks/huaibei/questions", params={"kind": "individual_business"})
    assert response.status_code == 200, response.text
    questions = {q["field"]: q for q in response.json()["questions"]}
    assert not {"kind", "city", "name"} & set(questions)
    assert questions["identities"]["type"] == "set_of"
    assert {"college_graduate", "returnee"} <= {o["value"] for o in questions["identities"]["options"]}
    assert questions["graduation_date"]["type"] == "date"
    assert questions["business_in_city"]["type"] == "bool"
    assert questions["personal_interest_share"]["type"] == "money" and questions["personal_interest_share"]["for_amount"]
    assert client.get("/rulebooks/huaibei/questions", params={"kind": "astronaut"}).status_code == 422
    english = client.get("/rulebooks/huaibei/questions", params={"kind": "individual_business", "lang": "en"}).json()
    assert english["questions"][0]["label"] == "identities"


def test_questions_cover_every_fact_the_evaluator_asks_for(client, books):
    """Derived, not hand-written: for every city and kind, each fact an empty profile is asked for (a
    needs-information result) is a question on the page."""
    for book in books:
        doc = book.rulebook.document
        as_of = doc.in_force_from + dt.timedelta(days=1)
        for kind in {k for b in book.rulebook.benefits for k in b.applicant_kinds}:
            asked = {q["field"] for q in client.get(f"/rulebooks/{book.slug}/questions",
                                                     params={"kind": kind}).json()["questions"]}
            result = evaluate({"kind": kind}, [book], as_of=as_of)
            wanted = {m for b in result.cities[0].benefits for m in b.missing_facts} - set(book.rulebook.parameters)
            assert wanted <= asked, (book.slug, kind, wanted - asked)


# ------------------------------------------------------------------ POST /validate


def _broken_huaibei() -> tuple[str, int]:
    text = (ROOT / "rulebooks" / "huaibei.yaml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    line = next(i for i, s in enumerate(lines) if re.match(r"\s+category: cash_subsidy\s*$", s))
    lines[line] = lines[line].replace("cash_subsidy", "cash_subsidie")
    return "".join(lines), line + 1


def test_validate_reports_a_broken_rulebook_with_its_line(client, tmp_path):
    text, line = _broken_huaibei()
    response = client.post("/validate", json={"text": text, "filename": "huaibei.yaml"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is False and report["errors"] >= 1
    problem = next(p for p in report["problems"] if p["line"] == line)
    assert problem["file"] == "huaibei.yaml" and "category" in problem["message"]

    # the same problems as `chuangye validate` on that file, with the official text beside it
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "huaibei.txt").write_text(
        (ROOT / "rulebooks" / "sources" / "huaibei.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "huaibei.yaml").write_text(text, encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "chuangye_rules", "validate", str(tmp_path / "huaibei.yaml"),
                          "--format", "json"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    expected = json.loads(cli.stdout)
    strip = lambda ps: [(p["line"], p["column"], p["message"], p["severity"]) for p in ps]  # noqa: E731
    assert strip(report["problems"]) == strip(expected["problems"])


def test_validate_takes_the_raw_yaml_and_passes_a_good_rulebook(client):
    text = (ROOT / "rulebooks" / "ordos.yaml").read_text(encoding="utf-8")
    response = client.post("/validate", content=text.encode(), headers={"content-type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == 0, response.json()["problems"]
    syntax = client.post("/validate", content="city: {slug: x\n".encode(), headers={"content-type": "text/plain"})
    assert syntax.status_code == 200 and syntax.json()["problems"][0]["line"] is not None
    escape = client.post("/validate", json={"text": text.replace("sources/ordos.txt", "../../../etc/passwd")})
    assert escape.status_code == 200 and escape.json()["valid"] is False


@pytest.mark.parametrize("number, status, words", [(28, 507, "磁盘空间不足"), (24, 500, "内部错误")])
def test_a_full_server_disk_is_said_so_and_other_os_errors_stay_internal(client, monkeypatch, number, status, words):
    """/validate writes the rulebook to a temporary folder: ENOSPC there is the server's disk (507, in words),
    not an internal error; another OS error (EMFILE, too many open files) is still internal."""
    from chuangye_rules.web import routes_validate

    def failing(*args, **kwargs):
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(routes_validate.tempfile, "TemporaryDirectory", failing)
    text = (ROOT / "rulebooks" / "ordos.yaml").read_text(encoding="utf-8")
    response = client.post("/validate", content=text.encode(), headers={"content-type": "application/yaml"})
    assert response.status_code == status and words in response.text, response.text


# ------------------------------------------------------------------ OpenAPI, docs and the page


def test_openapi_and_offline_docs(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ("/evaluate", "/validate", "/rulebooks", "/rulebooks/{city}/benefits/{benefit_id}",
                 "/rulebooks/{city}/questions"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert not re.search(r"""(src|href)=["']https?://""", docs.text), "docs must not load from a CDN"


def test_the_page_uses_nothing_from_another_server(client):
    page = client.get("/")
    assert page.status_code == 200 and "创业政策计算器" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for name in ("index.html", "app.js", "style.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), name
        assert client.get(f"/static/{name}").status_code == 200


def test_serve_binds_to_localhost_by_default():
    from typer.testing import CliRunner

    from chuangye_rules.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "127.0.0.1" in result.output


# ------------------------------------------------------------------ every bad body: 422, located, in Chinese


@pytest.mark.parametrize("body, field", [
    ("[" * 10000 + "]" * 10000, "body"),                       # nested 10,000 deep
    (b"\x00\xff\xfe\x89PNG", "body"),                          # binary
    ('{"profile": ' + "9" * 5000 + "}", "body"),                # a 5000-digit number
    ('{"profile": [1]}', "profile"),
    ('{"profile": {"kind": "individual"}, "as_of": "x"}', "as_of"),
    ('{"profile": {"kind": "individual", "employees": "many"}}', "profile.employees"),
    ("[]", None),
    ("{}", "profile"),
])
def test_every_bad_body_is_a_located_chinese_422(client, body, field):
    r = client.post("/evaluate", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert problems and problems[0]["field"] == field, problems
    for problem in problems:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["message"]), problem
        assert not re.search(r"Input should|There was an error|valid dictionary|Field required", problem["message"])


def test_english_hints_show_words_not_internal_codes(client):
    r = client.get("/rulebooks/huaibei/questions", params={"kind": "individual", "lang": "en"})
    assert r.status_code == 200
    body = r.json()
    questions = body["questions"] if isinstance(body, dict) else body
    hints = " ".join(text for q in questions for text in q["conditions"])
    assert "national innovation leader" in hints
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", hints), "snake_case codes in the English hints"


def test_the_history_question_and_its_answer(client):
    """The page's last, optional question lists the benefits a history changes; answered, the API reports them
    as already received, or excluded beside one received; an unknown entry is a located problem."""
    asked = client.get("/rulebooks/ordos/questions?kind=individual").json()["questions"]
    history = asked[-1]
    assert history["field"] == "received" and history["type"] == "set_of"
    assert {"one_time_startup_subsidy", "incubation_subsidy"} & {o["value"] for o in history["options"]}
    founder = {"kind": "individual", "city": "ordos", "identities": ["disabled"], "first_time_business": True,
               "business_registered_date": "2022-09-01", "operating_normally": True, "employees": 2,
               "files_tax_normally": True}
    for received, status in ((["one_time_startup_subsidy"], "already_received"), (["incubation_subsidy"], "excluded"),
                             ([], "eligible")):
        body = client.post("/evaluate", json={"profile": {**founder, "received": received}, "as_of": AS_OF}).json()
        got = {b["id"]: b["status"] for c in body["cities"] for b in c["benefits"]}
        assert got["one_time_startup_subsidy"] == status, (received, body)
    response = client.post("/evaluate", json={"profile": {**founder, "received": ["没有这项"]}, "as_of": AS_OF})
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "received" and "没有这项" in problem["message"]


def test_questions_come_in_groups_the_key_ones_first(client):
    asked = client.get("/rulebooks/huaibei/questions?kind=individual").json()["questions"]
    groups = [q["group"] for q in asked]
    assert groups[:5] == ["key"] * 5 and "key" not in groups[5:]
    order = ["key", "who", "facts", "dates", "figures", "choices", "history"]
    assert [order.index(g) for g in groups] == sorted(order.index(g) for g in groups), "each group in one run"
    rest = [q for q in asked[5:] if q["group"] != "history"]
    kind = {"who": "set_of", "facts": "bool", "dates": "date"}
    assert all(q["type"] == kind[q["group"]] for q in rest if q["group"] in kind)
