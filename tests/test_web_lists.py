"""A list in the browser's API (`/lists/jobs`): the same outputs as `chuangye batch --report`, one job per client,
a size limit, and nothing kept on the server after the download or an hour."""

import io
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from chuangye_rules.batch.budget import Budget  # noqa: E402
from chuangye_rules.batch.runner import run_batch  # noqa: E402
from chuangye_rules.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lists" / "applicants-gb18030.csv"


@pytest.fixture
def client():
    with TestClient(create_app(list_max_bytes=200_000)) as c:
        yield c


def wait(client, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/lists/jobs/{job_id}").json()
        if status["state"] != "running":
            return status
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_an_uploaded_list_gives_the_batch_outputs_and_is_then_deleted(client, tmp_path):
    r = client.post("/lists/jobs", params={"name": "名单.csv", "as_of": "2024-06-01"}, content=EXAMPLE.read_bytes())
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    status = wait(client, job)
    assert status["state"] == "done", status
    assert status["summary"]["read"] == 15 and status["summary"]["rejected"] == 3
    folder = client.app.state.jobs.jobs[job].folder
    assert not (folder / "in").exists(), "the uploaded list is not kept once read"
    download = client.get(status["download"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert sorted(archive.namelist()) == ["applicants.csv", "errors.csv", "report.html", "report.md", "results.csv",
                                          "summary.json"]
    run_batch(EXAMPLE, tmp_path / "cli", as_of=__import__("datetime").date(2024, 6, 1), budget=Budget(), lang="zh")
    for name in ("results.csv", "applicants.csv", "errors.csv", "report.md"):
        assert archive.read(name) == (tmp_path / "cli" / name).read_bytes(), name
    assert not folder.exists(), "the files are deleted once downloaded"
    assert client.get(f"/lists/jobs/{job}").status_code == 404
    assert client.get(status["download"]).status_code == 404


def test_a_list_run_in_english_gives_the_english_outputs(client, tmp_path):
    r = client.post("/lists/jobs", params={"name": "list.csv", "as_of": "2024-06-01", "lang": "en"},
                    content=EXAMPLE.read_bytes())
    status = wait(client, r.json()["id"])
    download = client.get(status["download"])
    assert "list-results.zip" in download.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    run_batch(EXAMPLE, tmp_path / "cli", as_of=__import__("datetime").date(2024, 6, 1), budget=Budget(), lang="en")
    for name in ("results.csv", "applicants.csv", "errors.csv", "report.md"):
        assert archive.read(name) == (tmp_path / "cli" / name).read_bytes(), name
    assert archive.read("report.md").decode("utf-8").startswith("# Budget report")
    assert client.post("/lists/jobs", params={"name": "list.csv", "lang": "fr"}, content=b"x").status_code == 422


def test_one_job_per_client_at_a_time(client, monkeypatch):
    from chuangye_rules.web import lists

    release = __import__("threading").Event()
    real = lists.Jobs._run
    monkeypatch.setattr(lists.Jobs, "_run", lambda self, *a: (release.wait(10), real(self, *a)))
    first = client.post("/lists/jobs", params={"name": "a.csv"}, content=EXAMPLE.read_bytes())
    assert first.status_code == 202
    second = client.post("/lists/jobs", params={"name": "b.csv"}, content=EXAMPLE.read_bytes())
    assert second.status_code == 409 and "还在评估中" in second.json()["detail"]
    release.set()
    assert wait(client, first.json()["id"])["state"] == "done"


@pytest.mark.parametrize("name, body, status, words", [
    ("名单.csv", b"x" * 300_000, 413, "请求过大"),
    ("名单.pdf", b"%PDF-1.4", 422, "不支持的文件类型"),
    ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 422, "另存为 .xlsx 或 CSV"),
    ("名单.csv", b"", 422, "空文件"),
])
def test_bad_uploads_are_refused_in_chinese(client, name, body, status, words):
    r = client.post("/lists/jobs", params={"name": name}, content=body)
    assert r.status_code == status and words in r.text, r.text


def test_a_list_that_cannot_be_read_fails_with_its_reason_and_leaves_nothing(client):
    r = client.post("/lists/jobs", params={"name": "名单.csv"}, content="爱好,备注\n读书,无\n".encode("utf-8"))
    status = wait(client, r.json()["id"])
    assert status["state"] == "failed" and "没有可识别的字段" in status["problems"][0]["message"]
    assert "/tmp" not in status["problems"][0]["message"], "the server's folders are not shown"
    assert not client.app.state.jobs.jobs[r.json()["id"]].folder.exists()


def test_files_are_deleted_an_hour_after_the_job_ended(client):
    r = client.post("/lists/jobs", params={"name": "名单.csv", "as_of": "2024-06-01"}, content=EXAMPLE.read_bytes())
    job_id = r.json()["id"]
    assert wait(client, job_id)["state"] == "done"
    jobs = client.app.state.jobs
    folder = jobs.jobs[job_id].folder
    jobs.jobs[job_id].ended -= 3601  # as if an hour went by
    assert client.get(f"/lists/jobs/{job_id}").status_code == 404
    assert not folder.exists()


def test_the_list_page_is_served_with_the_pages_policy(client):
    r = client.get("/lists")
    assert r.status_code == 200 and "名单批量评估" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "http://" not in r.text and "https://" not in r.text
    script = client.get("/static/lists.js")  # the English words too come from this server, not from elsewhere
    assert script.status_code == 200 and "http://" not in script.text and "https://" not in script.text


def test_a_full_server_disk_is_a_message_and_does_not_hold_the_client_busy(client, monkeypatch):
    """The upload could not be saved (ENOSPC): the client is told why (507), nothing is kept, and the next upload
    is taken — before, the job stayed "running" and every later upload was refused as busy (409)."""
    import errno

    real = Path.write_bytes

    def full(self, data):
        if self.parent.name == "in":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    r = client.post("/lists/jobs", params={"name": "名单.csv"}, content=EXAMPLE.read_bytes())
    assert r.status_code == 507 and "磁盘空间不足" in r.text and "/tmp" not in r.text, r.text
    assert not client.app.state.jobs.jobs
    monkeypatch.setattr(Path, "write_bytes", real)
    again = client.post("/lists/jobs", params={"name": "名单.csv"}, content=EXAMPLE.read_bytes())
    assert again.status_code == 202, again.text
    assert wait(client, again.json()["id"])["state"] == "done"
