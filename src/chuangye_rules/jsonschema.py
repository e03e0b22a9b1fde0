"""JSON Schemas of the rulebook and profile formats, for editors (completion, red squiggles)."""

from __future__ import annotations

import json

SCHEMA_FILES = {"rulebook": "docs/schema/rulebook.schema.json", "profile": "docs/schema/profile.schema.json"}


def schema_text(which: str) -> str:
    if which == "rulebook":
        from .schema import Rulebook

        data = Rulebook.model_json_schema(by_alias=True)
        data["title"] = "chuangye-rules rulebook（创业政策规则库）"
    else:
        from .profile import profile_model

        data = profile_model().model_json_schema()
        data["title"] = "chuangye-rules applicant profile（申请人信息）"
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
