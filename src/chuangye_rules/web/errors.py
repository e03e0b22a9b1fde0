"""What the server answers when a request goes wrong: 4xx with the field and the reason (in Chinese, as the rest
of the API), a body over its size limit refused before it is read, and nothing of the inside on a 500."""

from __future__ import annotations

import errno
import json
from dataclasses import asdict
from typing import Optional

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..base.disks import disk_words
from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem
from ..rules.yamlsource import MESSAGES_EN, MESSAGES_ZH
from .lists import JobError

MAX_BODY_BYTES = 1_000_000  # 1 MB: a rulebook is under 100 kB, a profile under 2 kB


class ProblemModel(BaseModel):
    file: str
    line: Optional[int] = None
    column: Optional[int] = None
    message: str
    hint: Optional[str] = None
    severity: str = "error"
    field: Optional[str] = Field(None, description="the request field, for a malformed request")


class ErrorBody(BaseModel):
    error: str = Field(description="invalid_input | invalid_request | not_found | too_large | internal")
    detail: str
    problems: list[ProblemModel] = Field(default_factory=list)


class ApiError(Exception):
    def __init__(self, status: int, error: str, problems: list[Problem]):
        self.status, self.error, self.problems = status, error, problems


ERRORS = {422: {"model": ErrorBody, "description": "bad input: each problem names the field and the reason"}}
NOT_FOUND = {404: {"model": ErrorBody, "description": "no such city or benefit"}}


def request_problems(errors: list[dict]) -> list[Problem]:
    """FastAPI's request validation errors as located problems in Chinese and English (its words are pydantic's
    English): one per place, the union branches pydantic tries (`dict[str,any]`, `str`) folded into their field."""
    problems, seen = [], set()
    for item in errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path")]
        loc = [p for p in loc if "[" not in p and p not in ("str", "int", "float", "bool", "function-after")]
        where = ".".join(loc)
        kind = item.get("type", "")
        if kind == "json_invalid":
            said = str((item.get("ctx") or {}).get("error", ""))
            message, where = Text("JSON 语法错误：" + said, "JSON syntax error: " + said), "body"
        elif kind == "missing":
            message = Text("缺少必填项", "required, but missing")
        elif kind in ("dict_type", "model_type", "model_attributes_type") and where == "":
            message = Text("请求体应为 JSON 对象，如 {\"profile\": {…}}",
                           "the request body should be a JSON object, e.g. {\"profile\": {…}}")
        elif where == "profile" and kind in ("dict_type", "string_type"):
            message = Text("应为“字段: 值”的对象，或申请人信息文件的 YAML/JSON 文本",
                           "should be an object of 'field: value', or a profile file's YAML/JSON text")
        else:
            message = Text(MESSAGES_ZH.get(kind) or "取值无效", MESSAGES_EN.get(kind) or "not a valid value")
        if (where, message.zh) in seen:
            continue
        seen.add((where, message.zh))
        problem = make_problem("<request>", None, None, Text(f"{where}：{message.zh}", f"{where}: {message.en}")
                               if where else message)
        problem.field = where or None
        problems.append(problem)
    return problems


def _error_response(status: int, error: str, problems: list[Problem | dict]) -> JSONResponse:
    items = [{"field": None, **(asdict(p) if isinstance(p, Problem) else p)} for p in problems]
    for item in items:  # a profile's field is named where the request has it: profile.<field>
        if item.get("file") == "<profile>" and item.get("field") and not item["field"].startswith("profile."):
            item["field"] = "profile." + item["field"]
    detail = items[0]["message"] if items else error
    return JSONResponse(status_code=status, content={"error": error, "detail": detail, "problems": items})


def _internal_response() -> JSONResponse:
    return JSONResponse(status_code=500, content={"error": "internal", "detail": "内部错误 / internal error",
                                                  "problems": []})


def install_error_handlers(app: FastAPI) -> None:
    """Every error as `{error, detail, problems}`: the same shape whatever raised it."""

    @app.exception_handler(InputError)
    async def _input_error(request: Request, error: InputError) -> JSONResponse:
        return _error_response(422, "invalid_input", error.problems)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        return _error_response(error.status, error.error, error.problems)

    @app.exception_handler(RequestValidationError)
    async def _request_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return _error_response(422, "invalid_request", request_problems(error.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # a body that is no JSON at all: too deep, a number too long, binary bytes
            unreadable = make_problem("<request>", None, None, Text(
                "请求体不是可以读取的 JSON（可能嵌套过深、数字过长，或不是 UTF-8 文本）",
                "the request body is not JSON that can be read (nested too deep, a number too long, or not UTF-8 "
                "text)"), Text("发送 JSON 对象，如 {\"profile\": {\"kind\": \"individual\"}}",
                               "send a JSON object, e.g. {\"profile\": {\"kind\": \"individual\"}}"))
            unreadable.field = "body"
            return _error_response(422, "invalid_request", [unreadable])
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(error.status_code, "http_error")
        detail = {404: "没有这个地址 / not found", 405: "不支持这种请求方法 / method not allowed"}.get(
            error.status_code, str(error.detail))
        return JSONResponse(status_code=error.status_code, headers=getattr(error, "headers", None),
                            content={"error": code, "detail": detail, "problems": []})

    @app.exception_handler(OSError)
    async def _server_disk(request: Request, error: OSError) -> JSONResponse:
        # the server's own disk (a temporary folder) full or failing: not a bug, and said as such; other OS errors
        # are what they are, internal
        if error.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO):
            return _internal_response()
        why = disk_words(error)
        return _error_response(507, "server_disk", [make_problem("<server>", None, None, Text(
            f"服务器无法写临时文件：{why.zh}", f"the server cannot write its temporary files: {why.en}"),
            Text("请稍后再试，或告诉服务器的管理员", "try again later, or tell the server's administrator"))])

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> JSONResponse:
        return _internal_response()

    @app.exception_handler(JobError)
    async def _job_error(request: Request, error: JobError) -> JSONResponse:
        return _error_response(error.status, error.error, error.problems)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"请求过大（上限 {limit} 字节） / request body too large (limit {limit} bytes)")


class BodyLimit:
    """413 for a body over the limit: at once from Content-Length, else while it is read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, larger: dict[str, int] | None = None) -> None:
        self.app, self.base, self.larger = app, limit, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # an uploaded list may be larger than a profile or a rulebook: its own limit
        self.limit = next((n for prefix, n in self.larger.items() if scope.get("path", "").startswith(prefix)),
                          self.base)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._reject(send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except BodyTooLarge:
            if started:
                raise
            await self._reject(send)

    async def _reject(self, send: Send) -> None:
        error = BodyTooLarge(self.limit)
        body = json.dumps({"error": "too_large", "detail": error.detail, "problems": []}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
