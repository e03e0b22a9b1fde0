"""The HTTP API and the self-service web screener (`chuangye serve`), on the same library API as the CLI.

    from chuangye_rules.web import create_app
    app = create_app()                      # or create_app(["my_rulebooks/"])
    # uvicorn.run(app, host="127.0.0.1", port=8000)

`POST /evaluate` calls `chuangye_rules.evaluate` and returns `Evaluation.to_dict()` — the same JSON as
`chuangye check --format json`. `POST /validate` runs `validation.validate_paths`, as `chuangye validate`
does. Nothing here decides eligibility or formats money on its own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Optional, Union
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline  # Swagger UI and ReDoc served from the package, not from a CDN
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import evaluate
from ..authoring.validation import validate_paths
from ..base.problems import InputError, Problem
from ..engine.results import Evaluation
from ..render.i18n import CATEGORY, label
from ..rules.catalog import catalog
from ..rules.loading import LoadedRulebook, bundled_rulebook_dir, load_rulebooks
from ..rules.profile import MAX_DATE, MAX_MONEY, MIN_DATE, parse_profile
from ..rules.yamlsource import MESSAGES_ZH, load_located
from .display import evaluation_display
from .lists import LIST_MAX_BYTES, JobError, Jobs
from .questions import applicant_kinds, find_book, questions, vocab_label

STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 1_000_000  # 1 MB: a rulebook is under 100 kB, a profile under 2 kB
DEFAULT_HOST = "127.0.0.1"

# The page: everything from this server, nothing from another (no CDN, no fonts, no analytics).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# ------------------------------------------------------------------ request and response models


class EvaluateRequest(BaseModel):
    """An applicant's facts, as in a profile file (field names in English or Chinese; see `GET /fields`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "profile": {"kind": "individual_business", "identities": ["高校毕业生", "返乡人员"],
                    "graduation_date": "2022-06-30", "business_in_city": True},
        "city": "huaibei", "as_of": "2024-06-01", "lang": "zh"}]})

    profile: Union[dict[str, Any], str] = Field(
        description="the facts (an object), or the text of a YAML/JSON profile file; a fact left out is unknown")
    city: Optional[str] = Field(None, description="only this city's rulebook (slug or Chinese name); "
                                                  "default: the profile's city, else every city")
    as_of: Optional[dt.date] = Field(None, ge=MIN_DATE, le=MAX_DATE,
                                     description="evaluation date (default: today)")
    parameters: dict[str, Decimal] = Field(default_factory=dict,
                                           description="values for named parameters, e.g. a minimum wage")
    lang: Literal["zh", "en"] = Field("zh", description="language of reasons and descriptions")


class ValidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="the rulebook YAML")
    filename: str = Field("rulebook.yaml", description="a name for the file in messages")
    source_text: Optional[str] = Field(None, description="the document's official text, for the quote check; "
                                                         "default: the bundled text the rulebook's document.source names")


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


class ValidationBody(BaseModel):
    files: list[str]
    errors: int
    warnings: int
    valid: bool
    problems: list[ProblemModel]


class ApiError(Exception):
    def __init__(self, status: int, error: str, problems: list[Problem]):
        self.status, self.error, self.problems = status, error, problems


ERRORS = {422: {"model": ErrorBody, "description": "bad input: each problem names the field and the reason"}}
NOT_FOUND = {404: {"model": ErrorBody, "description": "no such city or benefit"}}


def request_problems(errors: list[dict]) -> list[dict]:
    """FastAPI's request validation errors as located Chinese problems (its words are pydantic's English): one
    per place, the union branches pydantic tries (`dict[str,any]`, `str`) folded into their field."""
    problems, seen = [], set()
    for item in errors:
        loc = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path")]
        loc = [p for p in loc if "[" not in p and p not in ("str", "int", "float", "bool", "function-after")]
        where = ".".join(loc)
        kind = item.get("type", "")
        if kind == "json_invalid":
            message, where = "JSON 语法错误：" + str((item.get("ctx") or {}).get("error", "")), "body"
        elif kind == "missing":
            message = "缺少必填项"
        elif kind in ("dict_type", "model_type", "model_attributes_type") and where == "":
            message = "请求体应为 JSON 对象，如 {\"profile\": {…}}"
        elif where == "profile" and kind in ("dict_type", "string_type"):
            message = "应为“字段: 值”的对象，或申请人信息文件的 YAML/JSON 文本"
        else:
            message = MESSAGES_ZH.get(kind) or "取值无效"
        if (where, message) in seen:
            continue
        seen.add((where, message))
        problems.append({"file": "<request>", "line": None, "column": None, "hint": None, "severity": "error",
                         "message": f"{where}：{message}" if where else message, "field": where or None})
    return problems


def _error_response(status: int, error: str, problems: list[Problem | dict]) -> JSONResponse:
    items = [{"field": None, **(asdict(p) if isinstance(p, Problem) else p)} for p in problems]
    for item in items:  # a profile's field is named where the request has it: profile.<field>
        if item.get("file") == "<profile>" and item.get("field") and not item["field"].startswith("profile."):
            item["field"] = "profile." + item["field"]
    detail = items[0]["message"] if items else error
    return JSONResponse(status_code=status, content={"error": error, "detail": detail, "problems": items})


# ------------------------------------------------------------------ request size


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


# ------------------------------------------------------------------ the app


def create_app(rulebook_paths: list[Path | str] | None = None, max_body_bytes: int = MAX_BODY_BYTES,
               list_max_bytes: int = LIST_MAX_BYTES) -> FastAPI:
    """The API and the page over the bundled rulebooks (or those under `rulebook_paths`).

    Raises `InputError` when a rulebook cannot be loaded, as the CLI commands do."""
    books: list[LoadedRulebook] = load_rulebooks(rulebook_paths or None)
    question_cache: dict[tuple[str, Optional[str], str], list[dict[str, Any]]] = {}

    app = FastAPIOffline(
        title="chuangye-rules 创业政策规则引擎",
        version=_version(),
        description="Every benefit an applicant qualifies for under Chinese cities' entrepreneurship (创业) plans: "
                    "the same evaluator and JSON as `chuangye check --format json`. The screener page is at `/`.",
        openapi_tags=[{"name": "evaluate"}, {"name": "rulebooks"}, {"name": "validate"},
                      {"name": "web page", "description": "what the screener page at / calls"}],
    )
    app.state.books = books
    jobs = Jobs(rulebook_paths)
    app.state.jobs = jobs
    app.router.on_shutdown.append(jobs.close)  # a stopped server keeps no list or result on its disk
    app.add_middleware(BodyLimit, limit=max_body_bytes, larger={"/lists/jobs": list_max_bytes})

    # -------------------------------------------------------------- errors: 4xx with the field and the reason

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
            return _error_response(422, "invalid_request", [{
                "file": "<request>", "line": None, "column": None, "severity": "error", "field": "body",
                "message": "请求体不是可以读取的 JSON（可能嵌套过深、数字过长，或不是 UTF-8 文本）",
                "hint": "发送 JSON 对象，如 {\"profile\": {\"kind\": \"individual\"}}"}])
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(error.status_code, "http_error")
        detail = {404: "没有这个地址 / not found", 405: "不支持这种请求方法 / method not allowed"}.get(
            error.status_code, str(error.detail))
        return JSONResponse(status_code=error.status_code, headers=getattr(error, "headers", None),
                            content={"error": code, "detail": detail, "problems": []})

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse(status_code=500, content={"error": "internal", "detail": "内部错误 / internal error",
                                                      "problems": []})

    # -------------------------------------------------------------- helpers

    def book_or_404(city: str) -> LoadedRulebook:
        book = find_book(books, city)
        if book is None:
            known = "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in books)
            raise ApiError(404, "not_found", [Problem("city", None, None, f"没有城市 {city!r} 的规则库", f"可选: {known}")])
        return book

    def kind_code(kind: Optional[str]) -> Optional[str]:
        if kind is None or kind == "":
            return None
        code = catalog().vocabularies["applicant_kind"].normalise(kind)
        if code is None:
            allowed = "、".join(f"{c}（{z}）" for c, z in catalog().vocabularies["applicant_kind"].labels.items())
            raise ApiError(422, "invalid_request",
                           [Problem("kind", None, None, f"未知的申请人类型 {kind!r}", f"可选: {allowed}")])
        return code

    def asked_fields(city: str, kind: Optional[str], lang: str = "zh") -> list[dict[str, Any]]:
        key = (city, kind, lang)
        if key not in question_cache:
            question_cache[key] = questions(book_or_404(city).rulebook, kind, lang)
        return question_cache[key]

    def run(request: EvaluateRequest) -> tuple[Any, Evaluation]:
        if isinstance(request.profile, str):
            located = load_located(request.profile, "<profile>")
            profile = parse_profile(located.data, "<profile>", located)
        else:
            profile = parse_profile(request.profile, "<profile>")
        city = request.city or profile.get("city")
        if city and find_book(books, city) is None:
            known = "、".join(f"{b.slug}（{b.rulebook.city.zh}）" for b in books)
            where = "city" if request.city else "profile.city"
            raise ApiError(422, "invalid_input", [Problem(where, None, None, f"没有城市 {city!r} 的规则库", f"可选: {known}")])
        problems = []
        names = {name for b in books for name in b.rulebook.parameters}
        for name, value in request.parameters.items():
            if name not in names:
                problems.append(Problem(f"parameters.{name}", None, None, f"没有参数 {name!r}",
                                        "可选: " + ("、".join(sorted(names)) or "（无）")))
            elif not value.is_finite() or abs(value) > MAX_MONEY:
                problems.append(Problem(f"parameters.{name}", None, None, f"参数 {name} 的值 {value} 无效"))
        if problems:
            raise ApiError(422, "invalid_input", problems)
        evaluation = evaluate(profile, books, as_of=request.as_of, city=request.city, parameters=request.parameters,
                              lang=request.lang)
        return profile, evaluation

    # -------------------------------------------------------------- the page

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # -------------------------------------------------------------- evaluate

    @app.post("/evaluate", tags=["evaluate"], summary="Evaluate an applicant",
              responses={200: {"description": "the `chuangye.evaluation/1` "
              "document, exactly as `chuangye check --format json` prints it"}, **ERRORS})
    def evaluate_endpoint(request: EvaluateRequest) -> JSONResponse:
        """Every benefit of the chosen rulebooks for this applicant: status, amount, reasons, missing facts,
        departments, clause and quote."""
        _, evaluation = run(request)
        return JSONResponse(evaluation.to_dict())

    @app.post("/ui/evaluate", tags=["web page"], summary="Evaluate, with the words the page shows", responses=ERRORS)
    def ui_evaluate(request: EvaluateRequest) -> JSONResponse:
        """`{evaluation, display}`: the same evaluation as `POST /evaluate`, plus the words the page shows —
        amounts and totals as the CLI writes them, failing reasons, and the question to answer next."""
        profile, evaluation = run(request)
        kind = profile.get("kind")
        asked = {c.city: {q["field"] for q in asked_fields(c.city, kind)} for c in evaluation.cities}
        rulebooks = {b.slug: b.rulebook for b in books}
        display = evaluation_display(evaluation, rulebooks, asked, set(profile.known()), request.lang)
        return JSONResponse({"evaluation": evaluation.to_dict(), "display": display})

    # -------------------------------------------------------------- a list in the browser

    @app.api_route("/lists", methods=["GET", "HEAD"], include_in_schema=False)
    def lists_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "lists.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @app.exception_handler(JobError)
    async def _job_error(request: Request, error: JobError) -> JSONResponse:
        return _error_response(error.status, error.error, error.problems)

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "?"

    @app.post("/lists/jobs", tags=["lists"], summary="Evaluate an uploaded list", responses=ERRORS, openapi_extra={
        "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string",
                        "format": "binary"}}}}})
    async def start_list(request: Request, name: str, as_of: Optional[dt.date] = None,
                         city: Optional[str] = None) -> JSONResponse:
        """The list's bytes as the body (CSV in UTF-8 or GB18030, or .xlsx), its file name in `name`: the same run
        as `chuangye batch --report`, on a thread of its own. One job per client at a time (409 otherwise)."""
        if as_of is not None and not (MIN_DATE <= as_of <= MAX_DATE):
            raise JobError(422, "invalid_input", f"评估日期应在 {MIN_DATE} 至 {MAX_DATE} 之间", where="as_of")
        if city:
            book_or_404(city)
        body = await request.body()
        job = jobs.start(client_of(request), name, body, as_of, city)
        return JSONResponse(job.status(), status_code=202)

    @app.get("/lists/jobs/{job_id}", tags=["lists"], summary="A list job's progress", responses=NOT_FOUND)
    def list_status(job_id: str, request: Request) -> JSONResponse:
        return JSONResponse(jobs.get(job_id, client_of(request)).status())

    @app.get("/lists/jobs/{job_id}/download", tags=["lists"], summary="Download the outputs (then deleted)",
             responses=NOT_FOUND)
    def list_download(job_id: str, request: Request) -> Response:
        job = jobs.get(job_id, client_of(request))
        data = jobs.download(job_id, client_of(request))
        stem = Path(job.name).stem
        return Response(data, media_type="application/zip", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stem + '-结果.zip')}"})

    # -------------------------------------------------------------- rulebooks

    def summary(book: LoadedRulebook, lang: str = "zh") -> dict[str, Any]:
        rb, doc = book.rulebook, book.rulebook.document
        return {
            "city": rb.city.slug, "city_zh": rb.city.zh, "city_en": rb.city.en,
            "document": {"title": doc.title, "number": doc.number, "issuer": doc.issuer, "issued": _iso(doc.issued),
                         "in_force_from": _iso(doc.in_force_from), "in_force_to": _iso(doc.in_force_to),
                         "draft": doc.draft, "implements": doc.implements, "notes": doc.notes},
            "benefits": len(rb.benefits),
            "applicant_kinds": applicant_kinds(rb, lang),
        }

    @app.get("/rulebooks", tags=["rulebooks"], summary="List the rulebooks")
    def list_rulebooks(lang: Literal["zh", "en"] = "zh") -> list[dict[str, Any]]:
        """The rulebooks: city, document, validity, whether it is a draft, benefits and applicant kinds."""
        return [summary(b, lang) for b in books]

    @app.get("/rulebooks/{city}", tags=["rulebooks"], summary="One rulebook", responses=NOT_FOUND)
    def get_rulebook(city: str, lang: Literal["zh", "en"] = "zh") -> dict[str, Any]:
        """One rulebook with its benefits (id, name, category, clause, applicant kinds, lead departments)."""
        book = book_or_404(city)
        out = summary(book, lang)
        out["benefits"] = [{"id": b.id, "name": b.name, "name_en": b.name_en, "clause": b.clause,
                            "category": b.category.value, "category_label": label(CATEGORY, b.category.value, lang),
                            "applicant_kinds": b.applicant_kinds, "lead_departments": b.departments.lead}
                           for b in book.rulebook.benefits]
        return out

    @app.get("/rulebooks/{city}/benefits/{benefit_id}", tags=["rulebooks"], summary="One benefit", responses=NOT_FOUND)
    def get_benefit(city: str, benefit_id: str) -> dict[str, Any]:
        """One benefit as the rulebook encodes it: conditions, amount rule, departments, clause and quote."""
        book = book_or_404(city)
        benefit = book.rulebook.benefit(benefit_id)
        if benefit is None:
            import difflib

            ids = [b.id for b in book.rulebook.benefits]
            close = difflib.get_close_matches(benefit_id, ids, n=3)
            raise ApiError(404, "not_found", [Problem("benefit_id", None, None, f"{book.slug} 没有待遇 {benefit_id!r}",
                                                      f"是否想查 {'、'.join(close)}？" if close else None)])
        data = benefit.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["city"] = book.slug
        data["document"] = {"title": book.rulebook.document.title, "number": book.rulebook.document.number,
                            "draft": book.rulebook.document.draft}
        return data

    @app.get("/rulebooks/{city}/questions", tags=["web page"], summary="The questions for a city and kind of applicant",
             responses={**NOT_FOUND, **ERRORS})
    def get_questions(city: str, kind: Optional[str] = Query(None, description="applicant kind, e.g. individual; "
                                                                                "default: every kind"),
                      lang: Literal["zh", "en"] = "zh") -> dict[str, Any]:
        """The questions that matter for this city and kind of applicant, derived from the rulebook: the
        facts its conditions and amounts use, with the input each needs (by the field's catalog type)."""
        book = book_or_404(city)
        code = kind_code(kind)
        return {"city": book.slug, "kind": code, "lang": lang, "kinds": applicant_kinds(book.rulebook, lang),
                "questions": asked_fields(book.slug, code, lang)}

    @app.get("/fields", tags=["rulebooks"], summary="The profile fields")
    def fields(lang: Literal["zh", "en"] = "zh") -> list[dict[str, Any]]:
        """The profile fields (as `chuangye fields`): name, Chinese name, type and allowed values."""
        cat = catalog()
        out = []
        for spec in cat.fields.values():
            vocab = cat.vocabularies.get(spec.vocabulary) if spec.vocabulary else None
            out.append({"name": spec.name, "zh": spec.zh, "en": spec.en, "type": spec.type, "aliases": list(spec.aliases),
                        "values": [{"value": c, "label": vocab_label(vocab, c, lang)} for c in vocab.labels]
                        if vocab else None})
        return out

    # -------------------------------------------------------------- validate

    @app.post("/validate", tags=["validate"], summary="Validate a rulebook", response_model=ValidationBody, responses=ERRORS,
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
                raise ApiError(422, "invalid_input", [Problem("rulebook.yaml", line, None, "文件不是 UTF-8 编码",
                                                              "请另存为 UTF-8")])
        report = await run_in_threadpool(validate_text, body.text, body.filename, body.source_text)
        return JSONResponse(report)

    return app


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


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("chuangye-rules")
    except Exception:  # noqa: BLE001 - running from a checkout without metadata
        return "0"
