"""Where `batch --engine spark` writes: OUTDIR on the driver's disk (local mode, NFS), or a folder of a Hadoop
file system the cluster shares (`hdfs://…`, `s3a://…`, `abfs://…`, or `file://…`), with batch/outfolder.py's
promise kept on both: nothing that exists is written over, and the outputs appear only when the whole run
succeeded.

Three kinds of output: files Python writes on the driver (summary.json, benefits.csv, the report; `path`),
datasets Spark writes or reads on the executors (results/, the staged list, a table's errors; `dataset`), and
the hand-over between the two (`publish`: the driver's staged list where the executors can read it;
`take_part`: the one part file Spark wrote as a named file). On a Hadoop file system the driver's files wait in
a local temporary folder and are uploaded into the run's hidden folder in OUTDIR when the run succeeded; then
every output is renamed into OUTDIR (a rename within one file system), or none is.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from ..base.messages import Text
from ..base.outfile import quietly
from ..base.problems import InputError, make_problem
from ..batch.outfolder import (  # noqa: F401  (is_uri: importable from here, where the URIs are written)
    MANIFEST,
    MANIFEST_SCHEMA,
    STAGING_PREFIX,
    OutFolder,
    _changed,
    is_uri,
    place_held,
)


def _refused_replace(where: str) -> InputError:
    return InputError([make_problem(where, None, None, Text(
        "--engine spark 不替换上次运行的结果，未做任何改动",
        "--engine spark does not replace an earlier run's results; nothing was changed"),
        Text("用 -o 指定另一个目录，或先移走上次的结果", "choose another folder with -o, or move the earlier results away"))])


class SparkOutFolder(OutFolder):
    """OUTDIR on the driver's disk, shared with the executors (local mode, NFS). Outputs may be directories
    (Spark writes a dataset as a folder of part files)."""

    def dataset(self, name: str) -> str:
        return str(self.path(name))

    def publish(self, name: str) -> None:
        """The staged list is already where the executors read it."""

    def has_files(self, name: str, suffix: str) -> bool:
        return any(self.path(name).rglob(f"*{suffix}"))

    def make_dataset(self, name: str) -> None:
        self.path(name).mkdir()

    def take_part(self, name: str, target: str) -> bool:
        part = next(self.path(name).glob("part-*"), None)
        if part is not None:
            part.replace(self.path(target))
        shutil.rmtree(self.path(name), ignore_errors=True)
        return part is not None

    def remove(self, name: str) -> None:
        shutil.rmtree(self.path(name), ignore_errors=True)

    def _remove_staging(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            if not self.staging.exists():
                self.staging = None

    def _place_all(self, names: list[str]) -> None:
        placed: list[str] = []
        try:
            for name in names:
                self._place(name, {})
                placed.append(name)
            self._write_manifest(names)
        except BaseException:
            for name in placed:
                target = self.final(name)
                shutil.rmtree(target, ignore_errors=True) if target.is_dir() else quietly(os.unlink, target)
            raise

    def check(self) -> None:
        super().check()
        if self.replacing:  # an earlier run's results folder is not replaced in place (its files are not stamped)
            raise _refused_replace(str(self.outdir))


class HadoopOutFolder:
    """OUTDIR on a Hadoop file system, through the JVM's org.apache.hadoop.fs.FileSystem (what Spark writes
    with): `file://` in local mode (the tests), `hdfs://` or `s3a://` on a cluster."""

    def __init__(self, session, outdir: str, names: list[str]) -> None:
        self.outdir = outdir.rstrip("/")
        self.names = list(names)
        self._jvm = session._jvm
        self._fs = self._hpath(self.outdir).getFileSystem(session._jsc.hadoopConfiguration())
        self.staging: str | None = None
        self.local: Path | None = None
        self.created: list = []
        self.earlier: dict[str, list[int]] = {}
        self.late_interrupt = False

    def _hpath(self, location: str):
        return self._jvm.org.apache.hadoop.fs.Path(location)

    def _exists(self, location: str) -> bool:
        return bool(self._fs.exists(self._hpath(location)))

    # ------------------------------------------------------------------ before the run

    def check(self) -> None:
        problems = []
        for name in self.names + [MANIFEST]:
            if self._exists(self.final(name)):
                if name == MANIFEST:
                    raise _refused_replace(self.outdir)
                problems.append(make_problem(self.final(name), None, None, Text(
                    "输出目录中已有同名文件，不会覆盖，未做任何改动",
                    "the output folder already has a file of this name, which is never overwritten; nothing was changed"),
                    Text("用 -o 指定另一个目录，或先移走这个文件", "name another folder with -o, or move this file away first")))
        if problems:
            raise InputError(problems)

    def open(self) -> None:
        missing, folder = [], self._hpath(self.outdir)
        while folder is not None and not self._fs.exists(folder):
            missing.append(folder)
            folder = folder.getParent()
        if missing:
            self._fs.mkdirs(missing[0])
        self.created = missing  # OUTDIR and the parents this run made, innermost first
        self.local = Path(tempfile.mkdtemp(prefix="chuangye-spark-"))
        self.staging = f"{self.outdir}/{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        self._fs.mkdirs(self._hpath(self.staging))

    def path(self, name: str) -> Path:
        assert self.local is not None
        return self.local / name

    def dataset(self, name: str) -> str:
        assert self.staging is not None
        return f"{self.staging}/{name}"

    def final(self, name: str) -> str:
        return f"{self.outdir}/{name}"

    # ------------------------------------------------------------------ during the run

    def publish(self, name: str) -> None:
        self._fs.copyFromLocalFile(False, True, self._hpath(str(self.path(name))), self._hpath(self.dataset(name)))
        shutil.rmtree(self.path(name), ignore_errors=True)

    def has_files(self, name: str, suffix: str) -> bool:
        if not self._exists(self.dataset(name)):
            return False
        files = self._fs.listFiles(self._hpath(self.dataset(name)), True)
        while files.hasNext():
            if files.next().getPath().getName().endswith(suffix):
                return True
        return False

    def make_dataset(self, name: str) -> None:
        self._fs.mkdirs(self._hpath(self.dataset(name)))

    def take_part(self, name: str, target: str) -> bool:
        parts = self._fs.globStatus(self._hpath(self.dataset(name) + "/part-*")) or []
        taken = len(parts) > 0 and bool(self._fs.rename(parts[0].getPath(), self._hpath(self.dataset(target))))
        self.remove(name)
        return taken

    def remove(self, name: str) -> None:
        self._fs.delete(self._hpath(self.dataset(name)), True)
        shutil.rmtree(self.path(name), ignore_errors=True)

    # ------------------------------------------------------------------ at the end

    def commit(self, names: list[str]) -> None:
        for name in names:  # the driver's files join the datasets in the hidden folder (not yet in OUTDIR)
            if self.path(name).exists():
                self._fs.copyFromLocalFile(False, True, self._hpath(str(self.path(name))),
                                           self._hpath(self.dataset(name)))
        self.late_interrupt = place_held(lambda: self._place_all(names))
        self._clean()

    def _place_all(self, names: list[str]) -> None:
        placed: list[str] = []
        try:
            for name in names:
                # rename refuses a target that exists (HDFS, S3A): a file that appeared meanwhile stays
                if self._exists(self.final(name)) or not self._fs.rename(
                        self._hpath(self.dataset(name)), self._hpath(self.final(name))):
                    raise _changed(self.final(name))
                placed.append(name)
            self._write_manifest(names)
        except BaseException:
            for name in placed:
                self._fs.delete(self._hpath(self.final(name)), True)
            raise

    def _write_manifest(self, names: list[str]) -> None:
        stamps = {}
        for name in names:
            status = self._fs.getFileStatus(self._hpath(self.final(name)))
            stamps[name] = [int(status.getLen()), int(status.getModificationTime())]
        data = {"schema": MANIFEST_SCHEMA, "note": "chuangye batch --engine spark 写出的文件 / files written by chuangye batch",
                "files": stamps}
        staged = self.path(MANIFEST)
        staged.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        self._fs.copyFromLocalFile(False, False, self._hpath(str(staged)), self._hpath(self.final(MANIFEST)))

    def discard(self) -> None:
        """Remove the hidden folder, the driver's files and an OUTDIR this run made; never raises."""
        try:
            self._clean()
            for folder in self.created:
                if self._fs.listStatus(folder):
                    break
                self._fs.delete(folder, False)
        except Exception:  # the file system gone (Py4JError): the failure that brought us here is what to report
            pass

    def _clean(self) -> None:
        if self.staging is not None:
            self._fs.delete(self._hpath(self.staging), True)
            self.staging = None
        if self.local is not None:
            shutil.rmtree(self.local, ignore_errors=True)
            self.local = None
