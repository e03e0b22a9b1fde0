"""The HTTP API and the self-service web screener (`chuangye serve`), on the same library API as the CLI.

    from chuangye_rules.web import create_app
    app = create_app()                      # or create_app(["my_rulebooks/"])
    # uvicorn.run(app, host="127.0.0.1", port=8000)

`POST /evaluate` calls `chuangye_rules.evaluate` and returns render.jsondoc.evaluation_dict — the same JSON as
`chuangye check --format json`. `POST /validate` runs `validation.validate_paths`, as `chuangye validate`
does. Nothing here decides eligibility or formats money on its own.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline  # Swagger UI and ReDoc served from the package, not from a CDN

from ..rules.loading import load_rulebooks
from .errors import MAX_BODY_BYTES, BodyLimit, install_error_handlers
from .lists import LIST_MAX_BYTES
from .routes_evaluate import router as evaluate_routes
from .routes_lists import router as list_routes
from .routes_page import STATIC_DIR
from .routes_page import router as page_routes
from .routes_rulebooks import router as rulebook_routes
from .routes_validate import router as validate_routes
from .state import ServerState

__all__ = ["DEFAULT_HOST", "MAX_BODY_BYTES", "create_app"]

DEFAULT_HOST = "127.0.0.1"


def create_app(rulebook_paths: list[Path | str] | None = None, max_body_bytes: int = MAX_BODY_BYTES,
               list_max_bytes: int = LIST_MAX_BYTES) -> FastAPI:
    """The API and the page over the bundled rulebooks (or those under `rulebook_paths`).

    Raises `InputError` when a rulebook cannot be loaded, as the CLI commands do, or when there is none."""
    state = ServerState(load_rulebooks(rulebook_paths or None), rulebook_paths)
    app = FastAPIOffline(
        title="chuangye-rules 创业政策规则引擎",
        version=_version(),
        description="Every benefit an applicant qualifies for under Chinese cities' entrepreneurship (创业) plans: "
                    "the same evaluator and JSON as `chuangye check --format json`. The screener page is at `/`.",
        openapi_tags=[{"name": "evaluate"}, {"name": "rulebooks"}, {"name": "validate"},
                      {"name": "web page", "description": "what the screener page at / calls"}],
    )
    app.state.books = state.books
    app.state.jobs = state.jobs
    app.router.on_shutdown.append(state.jobs.close)  # a stopped server keeps no list or result on its disk
    app.add_middleware(BodyLimit, limit=max_body_bytes, larger={"/lists/jobs": list_max_bytes})
    install_error_handlers(app)
    # in the order the routes were always matched and listed in the OpenAPI document
    app.include_router(page_routes())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(evaluate_routes(state))
    app.include_router(list_routes(state))
    app.include_router(rulebook_routes(state))
    app.include_router(validate_routes())
    return app


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("chuangye-rules")
    except Exception:  # noqa: BLE001 - running from a checkout without metadata
        return "0"
