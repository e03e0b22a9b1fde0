"""The committed JSON Schemas (for editors) match the Pydantic models."""

from pathlib import Path

import pytest

from chuangye_rules.jsonschema import SCHEMA_FILES, schema_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("which", sorted(SCHEMA_FILES))
def test_committed_schema_is_up_to_date(which):
    committed = (ROOT / SCHEMA_FILES[which]).read_text(encoding="utf-8")
    assert committed == schema_text(which), f"run: chuangye schema {which} -o {SCHEMA_FILES[which]}"


def test_bundled_rulebooks_point_editors_at_the_schema():
    for path in sorted((ROOT / "rulebooks").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../docs/schema/rulebook.schema.json", path.name
