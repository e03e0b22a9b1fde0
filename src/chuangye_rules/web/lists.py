"""A list in the browser (政策找人 without a terminal): a caseworker uploads a CSV or XLSX list on `/lists`, watches
its progress, and downloads the same outputs `chuangye batch --report` writes, as one zip.

Bounded: the upload has a size limit; one job per client at a time; a job's files live in a temporary folder of
its own and are deleted right after they are downloaded, or an hour after the job ended, whichever comes first —
nothing is kept on the server after that. Jobs are in memory only: a restarted server has none. The server
listens on 127.0.0.1 unless `--host` says otherwise, so by default the list never leaves this machine.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.disks import disk_words
from ..base.messages import Text
from ..base.problems import InputError, Problem
from ..batch.listinput import refuse_ole

LIST_MAX_BYTES = 200 * 1024 * 1024  # 200 MB: about a million rows
KEEP_SECONDS = 3600
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".et")  # an .xls or .et workbook is refused in batch's words


@dataclass
class Job:
    id: str
    client: str
    folder: Path
    name: str
    lang: str = "zh"  # the outputs' language (the CSV headers and cells, the report)
    state: str = "running"  # running | done | failed
    read: int = 0
    rejected: int = 0
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    summary: dict[str, Any] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)

    def status(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "state": self.state, "read": self.read, "rejected": self.rejected,
                "seconds": round((self.ended or time.monotonic()) - self.started, 1), "summary": self.summary,
                "problems": self.problems,
                "download": f"lists/jobs/{self.id}/download" if self.state == "done" else None}


class JobError(Exception):
    """A request about a list job refused: the status, the error's code, and one problem (in Chinese and, given a
    Text, English: the response's message_en and hint_en, as for every Problem)."""

    def __init__(self, status: int, error: str, message: Text | str, hint: Text | str | None = None, where: str = "file"):
        self.status, self.error = status, error
        message_en = message.en if isinstance(message, Text) else None
        hint_en = hint.en if isinstance(hint, Text) else None
        self.problems = [Problem(where, None, None, str(message), str(hint) if hint is not None else None,
                                 message_en=message_en, hint_en=hint_en, field=where)]


class Jobs:
    """The list jobs of one server: at most one running per client, each in its own temporary folder."""

    def __init__(self, rulebook_paths: list[Path | str] | None = None, keep_seconds: float = KEEP_SECONDS) -> None:
        self.rulebook_paths = rulebook_paths
        self.keep_seconds = keep_seconds
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.closed = False

    def start(self, client: str, name: str, body: bytes, as_of: dt.date | None, city: str | None,
              lang: str = "zh") -> Job:
        self.reap()
        safe = _safe_name(name)
        if not body:
            raise JobError(422, "invalid_input", Text("上传的名单是空文件", "the uploaded list is an empty file"),
                           Text("选择一个 CSV 或 Excel（.xlsx）名单文件", "choose a list as a CSV or Excel (.xlsx) file"))
        with self.lock:
            if any(j.client == client and j.state == "running" for j in self.jobs.values()):
                raise JobError(409, "busy", Text("您上一份名单还在评估中，请等它完成后再上传下一份",
                                                 "your previous list is still being evaluated: wait until it is done "
                                                 "before uploading the next"), where="job")
            folder = Path(tempfile.mkdtemp(prefix="chuangye-list-"))
            job = Job(secrets.token_urlsafe(12), client, folder, safe, lang)
            self.jobs[job.id] = job
        path = folder / "in" / safe
        try:
            (folder / "in").mkdir()
            path.write_bytes(body)
        except OSError as error:  # the server's disk: the job is dropped, or it would hold the client "busy" for good
            self._drop(job)
            why = disk_words(error)
            raise JobError(507, "server_disk", Text(f"服务器无法保存名单：{why.zh}", f"the server cannot store the list: {why.en}"),
                           Text("请稍后再试，或告诉服务器的管理员", "try again later, or tell the server's administrator"),
                           where="server") from None
        try:  # an old .xls or a password-protected workbook is said at once, in batch's words
            refuse_ole(path)
        except InputError as error:
            self._drop(job)
            p = error.problems[0]
            raise JobError(422, "invalid_input", Text(p.message, p.message_en or p.message),
                           Text(p.hint or "", p.hint_en or p.hint or "")) from None
        threading.Thread(target=self._run, args=(job, path, as_of, city), name=f"chuangye-list-{job.id}",
                         daemon=True).start()
        return job

    def _drop(self, job: Job) -> None:
        """A job refused as it starts: forgotten, its folder removed (it would hold the client "busy" for good)."""
        with self.lock:
            self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def _run(self, job: Job, path: Path, as_of: dt.date | None, city: str | None) -> None:
        from ..batch.budget import Budget
        from ..batch.runner import run_batch

        def progress(read: int, rejected: int) -> None:
            job.read, job.rejected = read, rejected

        final = "failed"
        try:
            summary = run_batch(path, job.folder / "out", city=city or None, as_of=as_of, budget=Budget(),
                                rulebook_paths=self.rulebook_paths, progress=progress, lang=job.lang)
            job.read, job.rejected = summary.read, summary.rejected
            job.summary = {"as_of": summary.as_of, "encoding": summary.encoding, "read": summary.read,
                           "evaluated": summary.evaluated, "rejected": summary.rejected,
                           "result_rows": summary.result_rows, "duplicate_ids": summary.duplicate_ids,
                           "ignored_columns": summary.ignored_columns,
                           "files": sorted(p.name for p in (job.folder / "out").iterdir()
                                           if not p.name.startswith("."))}
            final = "done"
        except InputError as error:
            job.problems = [_shown(p) for p in error.problems]
            shutil.rmtree(job.folder, ignore_errors=True)
        except Exception:  # a bug: the page says so, the server goes on, nothing of the list is kept
            job.problems = [{"message": "内部错误：评估没有完成（请把名单的格式告诉维护者）",
                             "message_en": "internal error: the evaluation did not finish (please tell the maintainers "
                                           "how the list is laid out)", "field": None}]
            shutil.rmtree(job.folder, ignore_errors=True)
        finally:
            if job.folder.exists():  # the list itself is not kept once it has been read
                shutil.rmtree(job.folder / "in", ignore_errors=True)
            job.ended = time.monotonic()
            job.state = final  # last: a client that sees the job ended finds it as it stays
            if self.closed:
                self.forget(job)

    def get(self, job_id: str, client: str) -> Job:
        self.reap()
        job = self.jobs.get(job_id)
        if job is None or job.client != client:  # another client's job does not exist for you
            raise JobError(404, "not_found", Text("没有这个评估任务（结果下载一次或一小时后即删除）",
                                                  "no such job (the results are deleted once downloaded, or after an hour)"),
                           where="job")
        return job

    def download(self, job_id: str, client: str) -> bytes:
        """The outputs as one zip; the job and its files are deleted as it is handed over."""
        job = self.get(job_id, client)
        if job.state != "done":
            raise JobError(409, "not_ready", Text("评估还没有完成", "the evaluation has not finished yet"), where="job")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted((job.folder / "out").iterdir()):
                if not file.name.startswith("."):
                    archive.write(file, file.name)
        self.forget(job)
        return buffer.getvalue()

    def forget(self, job: Job) -> None:
        with self.lock:
            self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def reap(self) -> None:
        """Delete the jobs that ended more than `keep_seconds` ago, with their files."""
        now = time.monotonic()
        for job in list(self.jobs.values()):
            if job.ended is not None and now - job.ended > self.keep_seconds:
                self.forget(job)

    def close(self) -> None:
        """Forget every job and delete its files; a job still running deletes its own when it ends."""
        self.closed = True
        for job in list(self.jobs.values()):
            if job.state != "running":
                self.forget(job)


def _safe_name(name: str) -> str:
    """The uploaded file's name, reduced to a plain file name with a list's suffix (never a path)."""
    base = Path(name.replace("\\", "/")).name.strip() or "名单.csv"
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base)[:120]
    if not base.lower().endswith(SUFFIXES):
        raise JobError(422, "invalid_input", Text(f"不支持的文件类型：{base}", f"this kind of file is not supported: {base}"),
                       Text("上传 CSV（.csv）或 Excel（.xlsx）名单", "upload a list as CSV (.csv) or Excel (.xlsx)"))
    return base


def _shown(problem: Problem) -> dict[str, Any]:
    """A problem of the run, in Chinese and English, with the server's own folders taken out of the file name."""
    where = Path(problem.file).name if problem.file and "/" in problem.file else problem.file

    def text(lang: str) -> str:
        return problem.format(lang).replace(problem.file, where, 1) if problem.file else problem.format(lang)

    return {"message": text("zh"), "message_en": text("en"), "field": problem.field}
