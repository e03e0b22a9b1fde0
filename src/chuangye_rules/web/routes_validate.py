"""`POST /validate`: `chuangye validate` on a rulebook sent as text, with its problems located in that text."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..authoring.validation import validate_paths
from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..rules.loading import bundled_rulebook_dir
from ..rules.yamlsource import load_located
from .errors import ERRORS, ApiError, ProblemModel


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the rulebook YAML")
    filename: str = Field("rulebook.yaml", description="a name for the file in messages")
    source_text: Optional[str] = Field(None, description="the document's official text, for the quote check; "
                                                         "default: the bundled text the rulebook's document.source names")



class ValidationBody(BaseModel):
    files: list[str]
    errors: int
    warnings: int
    valid: bool
    problems: list[ProblemModel]


def router() -> APIRouter:
    routes = APIRouter()

    @routes.post("/validate", tags=["validate"], summary="Validate a rulebook", response_model=ValidationBody, responses=ERRORS,
                 openapi_extra={
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": ValidateRequest.model_json_schema()},
            "application/yaml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}}}}})
    async def validate_endpoint(request: Request) -> JSONResponse:
        """Check a rulebook (its YAML text, sent as JSON `{text, filename, source_text}` or as the raw body):
        the same problems as `chuangye validate`, each with its line and column."""
        raw = await request.body()
        if "json" in request.headers.get("content-type", ""):
            try:
                body = ValidateRequest.model_validate_json(raw)
            except ValueError as error:
                errors = getattr(error, "errors", lambda: [])()
                raise RequestValidationError(errors or [{"loc": ("body",), "msg": str(error), "type": "value_error"}])
        else:
            try:
                body = ValidateRequest(text=raw.decode("utf-8-sig"))
            except UnicodeDecodeError as error:
                line = raw[: error.start].count(b"\n") + 1
                raise ApiError(422, "invalid_input", [make_problem("rulebook.yaml", line, None, Text(
                    "文件不是 UTF-8 编码", "the file is not UTF-8 text"), Text("请另存为 UTF-8", "save it as UTF-8"))])
        report = await run_in_threadpool(validate_text, body.text, body.filename, body.source_text)
        return JSONResponse(report)

    return routes


def validate_text(text: str, filename: str = "rulebook.yaml", source_text: str | None = None) -> dict[str, Any]:
    """`chuangye validate` on a rulebook given as text: it is written to a temporary folder, with the
    document's official text beside it (the one given, else the bundled one its `document.source` names)."""
    name = re.sub(r"[^\w.\-]", "_", Path(filename or "rulebook.yaml").name) or "rulebook.yaml"
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    with tempfile.TemporaryDirectory(prefix="chuangye-validate-") as tmp:
        root = Path(tmp).resolve()
        path = root / name
        path.write_text(text, encoding="utf-8")
        source = _declared_source(text)
        if source:
            target = (root / source).resolve()
            if target.is_relative_to(root) and target != path:
                target.parent.mkdir(parents=True, exist_ok=True)
                if source_text is not None:
                    target.write_text(source_text, encoding="utf-8")
                else:
                    bundled_root = bundled_rulebook_dir().resolve()
                    bundled = (bundled_root / source).resolve()
                    if bundled.is_relative_to(bundled_root) and bundled.is_file():
                        shutil.copyfile(bundled, target)
        report = validate_paths([path], cases=False)  # the server's working directory is no author's test folder
    problems = []
    for p in report.problems:
        item = asdict(p)
        if item["file"] == str(path):
            item["file"] = filename
        problems.append(item)
    return {"files": [filename], "errors": report.errors, "warnings": report.warnings, "valid": report.errors == 0,
            "problems": problems}


def _declared_source(text: str) -> str | None:
    try:
        data = load_located(text, "<rulebook>").data
    except InputError:
        return None
    document = data.get("document") if isinstance(data, dict) else None
    source = document.get("source") if isinstance(document, dict) else None
    return source if isinstance(source, str) and source.strip() else None
