"""A list in the browser: the page at `/lists`, and the jobs that run an uploaded list as `chuangye batch --report`
does, one per client at a time, their outputs downloaded once and then deleted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal, Optional
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from ..base.messages import Text
from ..rules.values import MAX_DATE, MIN_DATE
from .errors import ERRORS, NOT_FOUND
from .lists import JobError
from .routes_page import html_page
from .state import ServerState


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


def router(state: ServerState) -> APIRouter:
    routes = APIRouter()
    jobs = state.jobs

    @routes.api_route("/lists", methods=["GET", "HEAD"], include_in_schema=False)
    def lists_page() -> FileResponse:
        return html_page("lists.html")

    @routes.post("/lists/jobs", tags=["lists"], summary="Evaluate an uploaded list", responses=ERRORS, openapi_extra={
        "requestBody": {"required": True, "content": {"application/octet-stream": {"schema": {"type": "string",
                        "format": "binary"}}}}})
    async def start_list(request: Request, name: str, as_of: Optional[dt.date] = None, city: Optional[str] = None,
                         lang: Literal["zh", "en"] = "zh") -> JSONResponse:
        """The list's bytes as the body (CSV in UTF-8 or GB18030, or .xlsx), its file name in `name`: the same run
        as `chuangye batch --report --lang LANG`, on a thread of its own. One job per client at a time (409
        otherwise)."""
        if as_of is not None and not (MIN_DATE <= as_of <= MAX_DATE):
            raise JobError(422, "invalid_input", Text(f"评估日期应在 {MIN_DATE} 至 {MAX_DATE} 之间",
                                                      f"the evaluation date must be from {MIN_DATE} to {MAX_DATE}"), where="as_of")
        if city:
            state.book_or_404(city)
        body = await request.body()
        job = jobs.start(client_of(request), name, body, as_of, city, lang)
        return JSONResponse(job.status(), status_code=202)

    @routes.get("/lists/jobs/{job_id}", tags=["lists"], summary="A list job's progress", responses=NOT_FOUND)
    def list_status(job_id: str, request: Request) -> JSONResponse:
        return JSONResponse(jobs.get(job_id, client_of(request)).status())

    @routes.get("/lists/jobs/{job_id}/download", tags=["lists"], summary="Download the outputs (then deleted)",
                responses=NOT_FOUND)
    def list_download(job_id: str, request: Request) -> Response:
        job = jobs.get(job_id, client_of(request))
        data = jobs.download(job_id, client_of(request))
        named = Path(job.name).stem + ("-结果.zip" if job.lang == "zh" else "-results.zip")
        return Response(data, media_type="application/zip", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(named)}"})

    return routes
