"""`POST /evaluate` (the JSON of `chuangye check --format json`) and `POST /ui/evaluate` (the same, with the words
the screener page shows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal, Optional, Union

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from .. import evaluate
from ..base.messages import Text
from ..base.problems import make_problem
from ..engine.results import Evaluation
from ..render.jsondoc import evaluation_dict
from ..rules.profile import parse_profile
from ..rules.values import MAX_DATE, MAX_MONEY, MIN_DATE
from ..rules.yamlsource import load_located
from .display import evaluation_display
from .errors import ERRORS, ApiError
from .questions import find_book
from .state import ServerState


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


def run(state: ServerState, request: EvaluateRequest) -> tuple[Any, Evaluation]:
    """The request's profile, checked against the server's cities and parameters, and its evaluation."""
    books = state.books
    if isinstance(request.profile, str):
        located = load_located(request.profile, "<profile>")
        profile = parse_profile(located.data, "<profile>", located)
    else:
        profile = parse_profile(request.profile, "<profile>")
    city = request.city or profile.get("city")
    if city and find_book(books, city) is None:
        where = "city" if request.city else "profile.city"
        raise ApiError(422, "invalid_input", [make_problem(where, None, None, Text(
            f"没有城市 {city!r} 的规则库", f"no rulebook for the city {city!r}"), state.known_cities_hint())])
    problems = []
    names = {name for b in books for name in b.rulebook.parameters}
    for name, value in request.parameters.items():
        if name not in names:
            problems.append(make_problem(f"parameters.{name}", None, None, Text(
                f"没有参数 {name!r}", f"there is no parameter {name!r}"), Text(
                "可选: " + ("、".join(sorted(names)) or "（无）"), "one of: " + (", ".join(sorted(names)) or "(none)"))))
        elif not value.is_finite() or abs(value) > MAX_MONEY:
            problems.append(make_problem(f"parameters.{name}", None, None, Text(
                f"参数 {name} 的值 {value} 无效", f"the value {value} of parameter {name} is not valid")))
    if problems:
        raise ApiError(422, "invalid_input", problems)
    evaluation = evaluate(profile, books, as_of=request.as_of, city=request.city, parameters=request.parameters)
    return profile, evaluation


def router(state: ServerState) -> APIRouter:
    routes = APIRouter()

    @routes.post("/evaluate", tags=["evaluate"], summary="Evaluate an applicant",
                 responses={200: {"description": "the `chuangye.evaluation/2` "
                 "document, exactly as `chuangye check --format json` prints it"}, **ERRORS})
    def evaluate_endpoint(request: EvaluateRequest) -> JSONResponse:
        """Every benefit of the chosen rulebooks for this applicant: status, amount, reasons, missing facts,
        departments, clause and quote."""
        _, evaluation = run(state, request)
        return JSONResponse(evaluation_dict(evaluation, request.lang))

    @routes.post("/ui/evaluate", tags=["web page"], summary="Evaluate, with the words the page shows", responses=ERRORS)
    def ui_evaluate(request: EvaluateRequest) -> JSONResponse:
        """`{evaluation, display}`: the same evaluation as `POST /evaluate`, plus the words the page shows —
        amounts and totals as the CLI writes them, failing reasons, and the question to answer next."""
        profile, evaluation = run(state, request)
        kind = profile.get("kind")
        asked = {c.city: {q["field"] for q in state.asked_fields(c.city, kind)} for c in evaluation.cities}
        rulebooks = {b.slug: b.rulebook for b in state.books}
        display = evaluation_display(evaluation, rulebooks, asked, set(profile.known()), request.lang)
        return JSONResponse({"evaluation": evaluation_dict(evaluation, request.lang), "display": display})

    return routes
