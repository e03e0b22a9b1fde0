"""The screener page in a real browser: `chuangye serve` in a subprocess, headless Chromium driven through the
page for three applicants, and what the page shows compared with what `evaluate` gives for the same profile.

Needs Debian's chromium and chromium-driver (.ci/run installs them) and selenium; skipped without them.
Screenshots go to the test's tmp dir; set CHUANGYE_SCREENSHOTS=1 to also refresh docs/screenshots/.
"""

import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "profiles"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does this)",
                allow_module_level=True)
pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install '.[web]'")
pytest.importorskip("fastapi", reason="the web extra is not installed: pip install '.[web]'")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install '.[dev]'")

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from chuangye_rules import evaluate, load_profile  # noqa: E402
from chuangye_rules.render.reporting import amount_description, amount_text  # noqa: E402
from chuangye_rules.rules.catalog import catalog  # noqa: E402

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

WAIT = 20
# Chinese characters and CJK punctuation (、，：（）), which an English page shows only in data
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """`chuangye serve` as a user starts it, on a free local port."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "chuangye_rules", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "rulebooks", timeout=2) as response:
                json.load(response)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("chuangye serve did not start:\n" + proc.stdout.read().decode(errors="replace"))
            time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def _screen(driver, base: str, profile_path: Path, as_of: str, width: int = 1280) -> dict:
    """Answer the page's questions as the profile file does; return what the page shows per benefit."""
    cat = catalog()
    facts = load_profile(profile_path).known()
    driver.set_window_size(width, 1000)
    driver.get(base)
    wait = WebDriverWait(driver, WAIT)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(driver.find_element(By.ID, "city")).select_by_value(facts["city"])
    # a date input's typed format follows the browser's locale; set the ISO value as a date picker would
    set_date = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));"
    driver.execute_script(set_date, driver.find_element(By.ID, "as-of"), as_of)
    kind = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"input[name=kind][value={facts['kind']}]"))[0]
    _click(driver, kind.find_element(By.XPATH, ".."))
    wait.until(lambda d: d.find_element(By.ID, "step2").is_displayed()
               and d.find_elements(By.CSS_SELECTOR, "#questions .q"))
    answered = []
    for name, value in facts.items():
        found = driver.find_elements(By.CSS_SELECTOR, f".q[data-field='{name}']")
        if not found:
            continue  # a fact no benefit for this kind of applicant looks at
        question = found[0]
        answered.append(name)
        kind_of = question.get_attribute("data-type")
        if kind_of == "bool":
            _click(driver, question.find_element(By.CSS_SELECTOR, f"input[value='{str(value).lower()}']")
                   .find_element(By.XPATH, ".."))
        elif kind_of == "set_of":
            codes = sorted(value)
            present = {e.get_attribute("value") for e in question.find_elements(By.CSS_SELECTOR, "input")}
            for code in codes or ["__none__"]:
                if code in present:  # the page offers only the values the rulebook tests
                    _click(driver, question.find_element(By.CSS_SELECTOR, f"input[value='{code}']")
                           .find_element(By.XPATH, ".."))
            if codes and not set(codes) & present:
                _click(driver, question.find_element(By.CSS_SELECTOR, "input[value='__none__']")
                       .find_element(By.XPATH, ".."))
        elif kind_of == "date":
            driver.execute_script(set_date, question.find_element(By.TAG_NAME, "input"), value.isoformat())
        elif cat.fields[name].type in ("one_of", "text") and question.find_elements(By.TAG_NAME, "select"):
            Select(question.find_element(By.TAG_NAME, "select")).select_by_value(str(value))
        else:
            field = question.find_element(By.TAG_NAME, "input")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
            field.send_keys(str(value))
    assert answered, "the page asked none of the profile's facts"
    _click(driver, driver.find_element(By.ID, "go"))
    wait.until(lambda d: d.find_element(By.ID, "results").get_attribute("data-state") == "done")
    shown = {}
    for card in driver.find_elements(By.CSS_SELECTOR, "#results article.benefit"):
        amount = card.find_elements(By.CSS_SELECTOR, ".b-amount, .b-amount-text")
        shown[card.get_attribute("data-id")] = {
            "status": card.get_attribute("data-status"),
            "name": card.find_element(By.CSS_SELECTOR, ".b-name").get_attribute("textContent"),
            "amount": amount[0].get_attribute("textContent") if amount else None,
            "visible": card.is_displayed(),
        }
    return shown


def _expected(profile_path: Path, as_of: str, books, lang: str = "zh") -> dict:
    result = evaluate(load_profile(profile_path), books, as_of=dt.date.fromisoformat(as_of))
    return {b.id: {"status": b.status.value, "name": b.name if lang == "zh" else b.name_en,
                   "amount": amount_description(b.amount, lang) if b.amount.kind == "in_kind" else amount_text(b.amount, lang)}
            for c in result.cities for b in c.benefits}


def _compare(shown: dict, expected: dict) -> None:
    assert set(shown) == set(expected)
    for benefit_id, want in expected.items():
        got = shown[benefit_id]
        assert (got["status"], got["name"], got["amount"]) == (want["status"], want["name"], want["amount"]), benefit_id


def _screenshot(driver, tmp_path: Path, name: str, docs: bool = False) -> Path:
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000
    if docs and os.environ.get("CHUANGYE_SCREENSHOTS"):
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
    return path


def _no_errors(driver) -> None:
    """No script error and no blocked (external) resource on the page."""
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe


def test_a_returnee_graduate_in_huaibei_sees_what_check_gives(server, browser, books, tmp_path):
    profile = EXAMPLES / "huaibei-returnee-graduate.yaml"
    shown = _screen(browser, server, profile, "2024-06-01")
    expected = _expected(profile, "2024-06-01", books)
    _compare(shown, expected)
    eligible = [b for b, v in expected.items() if v["status"] == "eligible"]
    assert "returnee_startup_subsidy" in eligible and shown["returnee_startup_subsidy"]["amount"] == "最高1万元"
    assert all(shown[b]["visible"] for b in eligible)  # shown at once; the not-eligible ones are folded away
    assert not any(v["visible"] for v in shown.values() if v["status"] == "not_eligible")
    totals = browser.find_element(By.ID, "totals").text
    assert "4500元" in totals and "1.45万元" in totals
    browser.execute_script("window.scrollTo(0, 0)")
    _screenshot(browser, tmp_path, "screener-huaibei-returnee", docs=True)
    # the next question to answer is one click away
    nxt = browser.find_element(By.CSS_SELECTOR, "#next-question")
    field = nxt.get_attribute("data-field")
    _click(browser, nxt.find_element(By.TAG_NAME, "button"))
    WebDriverWait(browser, WAIT).until(
        lambda d: "focus" in d.find_element(By.ID, f"question-{field}").get_attribute("class"))
    _screenshot(browser, tmp_path, "screener-huaibei-next-question")
    _no_errors(browser)


def test_a_weihai_researcher_on_a_phone_sees_the_draft_warning_and_english(server, browser, books, tmp_path):
    profile = EXAMPLES / "weihai-researcher-leaving-university.yaml"
    shown = _screen(browser, server, profile, "2025-06-01", width=390)
    _compare(shown, _expected(profile, "2025-06-01", books))
    draft = browser.find_element(By.CSS_SELECTOR, "#results .draft")
    assert draft.is_displayed() and "征求意见稿" in draft.text
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    _screenshot(browser, tmp_path, "screener-weihai-phone", docs=True)

    _click(browser, browser.find_element(By.ID, "lang"))
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "results").get_attribute("data-lang") == "en"
        and d.find_element(By.ID, "results").get_attribute("data-state") == "done")
    english = {c.get_attribute("data-id"): c.find_element(By.CSS_SELECTOR, ".b-name").get_attribute("textContent")
               for c in browser.find_elements(By.CSS_SELECTOR, "#results article.benefit")}
    assert english == {k: v["name"] for k, v in _expected(profile, "2025-06-01", books, "en").items()}
    assert "draft" in browser.find_element(By.CSS_SELECTOR, "#results .draft").text
    _click(browser, browser.find_element(By.ID, "lang"))  # back to Chinese for the next test (kept in localStorage)
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "results").get_attribute("data-lang") == "zh")
    _no_errors(browser)


def test_an_ordos_first_time_founder_with_a_disability(server, browser, books, tmp_path):
    profile = EXAMPLES / "ordos-disabled-first-time.yaml"
    shown = _screen(browser, server, profile, "2023-06-01")
    expected = _expected(profile, "2023-06-01", books)
    _compare(shown, expected)
    eligible = {b: v for b, v in expected.items() if v["status"] == "eligible"}
    assert any(v["amount"] == "5000元" for v in eligible.values())
    _screenshot(browser, tmp_path, "screener-ordos")
    _no_errors(browser)


def test_a_caseworker_uploads_a_list_and_downloads_the_results(server, browser, tmp_path):
    """政策找人 without a terminal: the list page uploads the example list, shows progress, then the download."""
    import io
    import zipfile

    _run_example_list(browser, _ready(browser, server + "lists"))
    summary = browser.find_element(By.ID, "list-summary").text
    assert "读取 15 行 = 评估 12 行 + 拒绝 3 行" in summary and "2024-06-01" in summary
    _screenshot(browser, tmp_path, "lists-page")
    href = browser.find_element(By.ID, "list-download").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    assert {"results.csv", "applicants.csv", "errors.csv", "report.md", "summary.json"} <= set(archive.namelist())
    _no_errors(browser)


def _ready(browser, url: str) -> WebDriverWait:
    browser.get(url)
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    return wait


def _run_example_list(browser, wait: WebDriverWait) -> None:
    """The example list chosen on the list page, evaluated on 2024-06-01, until the job is done."""
    browser.find_element(By.ID, "list-file").send_keys(str(ROOT / "examples" / "lists" / "applicants-gb18030.csv"))
    browser.execute_script("arguments[0].value = '2024-06-01'", browser.find_element(By.ID, "list-as-of"))
    _click(browser, browser.find_element(By.ID, "list-go"))
    wait.until(lambda d: d.find_element(By.ID, "list-job").get_attribute("data-state") in ("done", "failed"))
    assert browser.find_element(By.ID, "list-job").get_attribute("data-state") == "done", \
        browser.find_element(By.ID, "list-error").text


def _page_words(browser) -> list[str]:
    """Every word the page shows: the title, the visible text, each option of each select, the tooltips."""
    return browser.execute_script("""
        const attrs = [...document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')]
          .flatMap((e) => ['title', 'placeholder', 'aria-label', 'alt'].map((a) => e.getAttribute(a)).filter(Boolean));
        return [document.title, document.body.innerText, ...[...document.querySelectorAll('option')].map((o) => o.text),
                ...attrs];""")


def _chinese(words: list[str]) -> list[str]:
    """The runs of Chinese in the words, with their context, so that a failure names what is left."""
    return [m.group(0) if m.group(0) == "中文" else f"{m.group(0)} in …{w[max(0, m.start() - 30):m.end() + 30]}…"
            for w in words for m in CJK_RUN.finditer(w)]


def test_the_list_page_in_english_runs_the_list_in_english(server, browser, tmp_path):
    """Issue 16: the list page switched to English shows no Chinese but data (the cities by their English names),
    a refused upload in the API's English, runs the list with lang=en (English outputs, <stem>-results.zip), and
    the screener it links to opens in English too (the choice is remembered as the screener remembers its own)."""
    import io
    import zipfile
    from urllib.parse import quote

    wait = _ready(browser, server + "lists")
    try:
        assert browser.execute_script("return document.documentElement.lang") == "zh-CN"
        keys = browser.execute_script("""return [Object.keys(UI.zh).sort(), Object.keys(UI.en).sort(),
            [...document.querySelectorAll('[data-t]')].map((e) => e.dataset.t)]""")
        assert keys[0] == keys[1] and set(keys[2]) <= set(keys[0]), keys  # every message in both languages
        _click(browser, browser.find_element(By.ID, "lang"))
        wait.until(lambda d: d.execute_script("return document.documentElement.lang") == "en")
        assert _chinese(_page_words(browser)) == ["中文"]  # only the button back, in its own language
        cities = [o.text for o in Select(browser.find_element(By.ID, "list-city")).options]
        assert "Huaibei (huaibei)" in cities and len(cities) > 2, cities
        assert browser.find_element(By.ID, "lang").text == "中文"  # the way back is in Chinese

        _click(browser, browser.find_element(By.ID, "list-go"))  # nothing chosen yet
        assert browser.find_element(By.ID, "list-error").text == "Please choose a list file first"
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        browser.find_element(By.ID, "list-file").send_keys(str(empty))
        _click(browser, browser.find_element(By.ID, "list-go"))
        wait.until(lambda d: d.find_element(By.ID, "list-job").get_attribute("data-state") == "failed")
        refused = browser.find_element(By.ID, "list-error").text
        assert refused.startswith("the uploaded list is an empty file (choose a list"), refused
        assert browser.find_element(By.ID, "list-job").text == "The evaluation did not finish."

        # a new page: the language is remembered, and the file input starts empty
        wait = _ready(browser, server + "lists")
        assert browser.execute_script("return document.documentElement.lang") == "en"
        browser.execute_script("""window.seen = [];  // every state the job box goes through, however short
            const box = document.getElementById('list-job');
            new MutationObserver(() => window.seen.push(box.innerText)).observe(box, {childList: true, subtree: true});""")
        _run_example_list(browser, wait)
        seen = browser.execute_script("return window.seen")
        assert seen[0].startswith("Uploading applicants-gb18030.csv ("), seen
        summary = browser.find_element(By.ID, "list-summary").text
        assert summary.startswith("Evaluated on 2024-06-01: read 15 rows = 12 evaluated + 3 rejected;"), summary
        assert _chinese(_page_words(browser) + seen) == ["中文"]
        _screenshot(browser, tmp_path, "lists-page-en")

        href = browser.find_element(By.ID, "list-download").get_attribute("href")
        with urllib.request.urlopen(href, timeout=30) as response:
            named = response.headers["Content-Disposition"]
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
        assert named.endswith("''" + quote("applicants-gb18030-results.zip")), named  # started with lang=en
        assert archive.read("results.csv").decode("utf-8-sig").startswith("row,applicant_id,city,benefit_id,")
        assert archive.read("report.md").decode("utf-8").startswith("# Budget report")

        _click(browser, browser.find_element(By.ID, "single"))
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
                   and d.find_elements(By.ID, "go"))
        assert browser.execute_script("return document.documentElement.lang") == "en"
        assert browser.find_element(By.ID, "lang").text == "中文"
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "status of 422" not in e["message"]]
        assert not severe, severe  # the refused empty list's 422 is the only error the browser logs
    finally:  # the other tests see the pages in Chinese, as a new visitor does
        browser.execute_script("localStorage.removeItem('chuangye-lang')")


def _questions_for(browser, server, city: str, kind: str) -> WebDriverWait:
    """The page with a city and a kind of applicant chosen, its questions shown."""
    browser.get(server)
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
    Select(browser.find_element(By.ID, "city")).select_by_value(city)
    found = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"input[name=kind][value={kind}]"))[0]
    _click(browser, found.find_element(By.XPATH, ".."))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#questions .q"))
    return wait


def test_the_first_questions_are_those_that_decide_the_most_benefits(server, browser):
    _questions_for(browser, server, "huaibei", "individual")
    shown = [q.get_attribute("data-field") for q in browser.find_elements(By.CSS_SELECTOR, "#questions .q")]
    with urllib.request.urlopen(server + "rulebooks/huaibei/questions?kind=individual", timeout=10) as response:
        asked = json.load(response)["questions"]
    # the history (已享受待遇) is asked last, as an optional question: it lists the benefits it changes
    assert shown[-1] == asked[-1]["field"] == "received"
    # grouped: the key questions, then by what they ask, each group under its heading; each hint one short line
    headings = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#questions h3.q-group")]
    assert headings[0] == "最关键的问题" and headings[-1] == "已享受过的待遇（可选）" and len(headings) >= 4
    hints = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#questions .q-why") if e.text and "可多选" not in e.text]
    assert hints and max(len(h) for h in hints) <= 90, max(hints, key=len)
    decides = {q["field"]: len(q["benefits"]) for q in asked[:-1]}
    most = sorted(decides.values(), reverse=True)[:5]
    assert [decides[f] for f in shown[:5]] == most, (shown[:5], decides)


def test_an_invalid_answer_is_shown_at_its_question_and_the_results_stay(server, browser):
    wait = _questions_for(browser, server, "huaibei", "individual")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#questions .q[data-field='returned_from_abroad_date']"))
    _click(browser, browser.find_element(By.ID, "go"))
    wait.until(lambda d: d.find_element(By.ID, "results").get_attribute("data-state") == "done")
    cards = len(browser.find_elements(By.CSS_SELECTOR, "#results article.benefit"))
    question = browser.find_element(By.CSS_SELECTOR, ".q[data-field='returned_from_abroad_date']")
    set_date = "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));"
    browser.execute_script(set_date, question.find_element(By.TAG_NAME, "input"), "1800-01-01")  # before 1900
    wait.until(lambda d: d.find_element(By.ID, "results").get_attribute("data-state") == "error")
    error = question.find_element(By.CSS_SELECTOR, ".q-error").text
    assert "回国日期" in error and "returned_from_abroad_date" not in error, error
    assert len(browser.find_elements(By.CSS_SELECTOR, "#results article.benefit")) == cards, "the results stay"
    assert "需要更正" in browser.find_element(By.ID, "answer-problems").text
    browser.execute_script(set_date, question.find_element(By.TAG_NAME, "input"), "2023-07-01")
    wait.until(lambda d: d.find_element(By.ID, "results").get_attribute("data-state") == "done")
    assert not browser.find_elements(By.CSS_SELECTOR, ".q-error, #answer-problems")
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "status of 422" not in e["message"]]
    assert not severe, severe  # the refused answer's 422 is the only error the browser logs
