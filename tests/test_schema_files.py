"""The committed JSON Schemas (for editors) match the Pydantic models."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from chuangye_rules.authoring.jsonschema import SCHEMA_FILES, schema_text
from chuangye_rules.rules.catalog import catalog

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("which", sorted(SCHEMA_FILES))
def test_committed_schema_is_up_to_date(which):
    committed = (ROOT / SCHEMA_FILES[which]).read_text(encoding="utf-8")
    assert committed == schema_text(which), f"run: chuangye schema {which} -o {SCHEMA_FILES[which]}"


def test_bundled_rulebooks_point_editors_at_the_schema():
    for path in sorted((ROOT / "rulebooks").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../docs/schema/rulebook.schema.json", path.name


def _properties(node):
    """Every (name, sub-schema) under a "properties" anywhere in a JSON Schema."""
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield name, sub
        for value in node.values():
            yield from _properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value)


@pytest.mark.parametrize("which", sorted(SCHEMA_FILES))
def test_every_property_has_a_chinese_and_english_description(which):
    properties = list(_properties(json.loads(schema_text(which))))
    assert len(properties) > 100
    for name, sub in properties:
        description = sub.get("description", "")
        assert re.search(r"[\u4e00-\u9fff]", description) and re.search(r"[A-Za-z]", description), (which, name)


def test_profile_schema_takes_every_name_and_value_the_loader_takes():
    data = json.loads(schema_text("profile"))
    cat = catalog()
    assert data["additionalProperties"] is False
    assert set(data["properties"]) == set(cat.names)
    for name, field in cat.names.items():
        spec = cat.fields[field]
        others = {spec.name, spec.zh, *spec.aliases} - {name}
        assert all(other in data["properties"][name]["description"] for other in others), name
        vocab = cat.vocabulary_of(field)
        if vocab:
            text = json.dumps(data["properties"][name], ensure_ascii=False)
            assert all(f'"{value}"' in text for pair in vocab.labels.items() for value in pair), name


def _plain(value):
    """YAML dates are datetime.date; JSON Schema sees them as ISO strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_bundled_files_validate_against_the_json_schemas():
    jsonschema = pytest.importorskip("jsonschema")

    def validator(which):
        schema = json.loads((ROOT / SCHEMA_FILES[which]).read_text(encoding="utf-8"))
        return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())

    def problems(check, data):
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in check.iter_errors(_plain(data))]

    rulebook, profile = validator("rulebook"), validator("profile")
    rulebooks = sorted((ROOT / "rulebooks").glob("*.yaml"))
    profiles = sorted((ROOT / "examples" / "profiles").glob("*.yaml"))
    assert rulebooks and profiles
    for path in rulebooks:
        assert not problems(rulebook, yaml.safe_load(path.read_text(encoding="utf-8"))), path.name
    for path in profiles:
        assert not problems(profile, yaml.safe_load(path.read_text(encoding="utf-8"))), path.name
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            assert not problems(profile, case["profile"]), (path.name, case["name"])
    # and the schemas still catch what the loader rejects
    assert problems(profile, {"employes": 3}) and problems(profile, {"身份": ["退伍军人"]})
    assert not problems(profile, {"就业人数": 3, "身份": "高校毕业生、返乡人员", "类型": "企业"})
