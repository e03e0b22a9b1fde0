"""Every ```yaml example in docs/rulebook-format.md is valid, so the reference for authors cannot rot.

Each block is checked as what it shows: a whole rulebook (validated like `chuangye validate`, against its
official text), a case file (its cases must pass against the bundled rulebooks), a list of benefits, targets or
not_encoded entries, or a fragment whose top-level keys are keys of a rulebook, a document or a benefit
(`amount:`, `conditions:`, `quote:`, ...), each validated by the model of that key and, for conditions and
amounts, against the profile field catalog. Every quote in an example must be a passage of one of the official
texts in rulebooks/sources/ (the examples are copied from the real rulebooks, not invented).
"""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from chuangye_rules.authoring.casefiles import load_cases, run_case
from chuangye_rules.authoring.validation import validate_paths
from chuangye_rules.rules.loading import _check_amount, _check_condition, check_rulebook, load_rulebook
from chuangye_rules.rules.schema import Amount, Benefit, City, Condition, Document, NotEncoded, Rulebook, Target
from chuangye_rules.rules.yamlsource import Located

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rulebook-format.md"
SOURCES = {p.name: re.sub(r"\s+", "", p.read_text(encoding="utf-8")) for p in (ROOT / "rulebooks" / "sources").glob("*.txt")}
BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)


def yaml_blocks() -> list[tuple[int, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 1, m.group(1)) for m in BLOCK.finditer(text)]


BLOCKS = yaml_blocks()


def _every_benefit_id() -> set[str]:
    ids = set()
    for path in (ROOT / "rulebooks").glob("*.yaml"):
        for b in yaml.safe_load(path.read_text(encoding="utf-8")).get("benefits") or []:
            ids.add(b["id"])
    return ids


class _AnyName(dict):
    """Parameters for fragments: a formula may name the parameter its rulebook defines."""

    def __contains__(self, name) -> bool:
        return True


def _located(data) -> Located:
    return Located(data, str(DOC))


def _assert_no_problems(problems, line):
    assert not [p for p in problems if p.severity == "error"], f"docs line {line}: " + "; ".join(p.format() for p in problems)


def _check_benefits(raw: list, line: int) -> None:
    benefits = [Benefit.model_validate(b) for b in raw]
    book = Rulebook.model_construct(city=City(slug="doc", zh="文档", en="doc"), document=None, parameters=_AnyName(),
                                    targets=[], benefits=benefits, not_encoded=[])
    _assert_no_problems(check_rulebook(book, _located({"benefits": raw}), known_ids=_every_benefit_id()), line)


def _check_fragment(key: str, value, line: int) -> None:
    if key == "benefits":
        _check_benefits(value, line)
        return
    for model in (Rulebook, Benefit, Document):
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        if key in fields:
            annotation = {"amount": Amount, "conditions": Condition}.get(key, fields[key].annotation)
            checked = TypeAdapter(annotation).validate_python(value)
            break
    else:
        pytest.fail(f"docs line {line}: {key!r} is not a key of a rulebook, a document or a benefit")
    if key == "conditions":
        _assert_no_problems(_check_condition(checked, (), _located(value)), line)
    if key == "amount":
        book = Rulebook.model_construct(parameters=_AnyName())
        _assert_no_problems(_check_amount(checked, (), book, _located(value)), line)
    if key == "applicant_kinds":
        _check_benefits([{"id": "x", "name": "x", "name_en": "x", "clause": "x", "category": "service",
                          "applicant_kinds": value, "amount": {"kind": "in_kind", "description": "x"},
                          "departments": {"lead": ["x"]}, "quote": "x"}], line)
    if key == "source":
        assert (ROOT / "rulebooks" / value).is_file(), f"docs line {line}: no {value}"


def _quotes(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quote":
                yield from [value] if isinstance(value, str) else value
            else:
                yield from _quotes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _quotes(item)


def test_the_doc_has_examples_of_every_amount_kind_and_operator():
    text = "\n".join(block for _, block in BLOCKS)
    for kind in ("fixed", "up_to", "range", "per_unit", "percentage", "tiers", "grades", "formula", "not_stated",
                 "in_kind", "parts"):
        assert f"kind: {kind}" in text, kind
    for op in ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "contains_any", "contains_all",
               "within_last", "at_least_ago", "same_year_as_evaluation", "within_after", "all", "any", "not"):
        assert re.search(rf"[{{\s]{op}:", text), op
    for key in ("cumulative_cap", "rate_min", "up_to: true", "cumulative: true", "description_en", "exclusive_with",
                "valid_to", "period_note", "parameters", "targets", "not_encoded", "rulebook:", "draft: true"):
        assert key in text, key


@pytest.mark.parametrize("line, block", BLOCKS, ids=[f"line{line}" for line, _ in BLOCKS])
def test_every_yaml_example_is_valid(line, block, tmp_path, monkeypatch):
    data = yaml.safe_load(block)
    for quote in _quotes(data):
        squashed = re.sub(r"\s+", "", quote)
        assert any(squashed in source for source in SOURCES.values()), f"docs line {line}: not in any source: {quote}"

    if isinstance(data, dict) and {"city", "document", "benefits"} <= set(data):  # a whole rulebook
        (tmp_path / "sources").mkdir()
        source = data["document"]["source"]
        shutil.copy(ROOT / "rulebooks" / source, tmp_path / source)
        (tmp_path / "book.yaml").write_text(block, encoding="utf-8")
        monkeypatch.chdir(tmp_path)  # no tests/cases here: no "no test case" warnings
        report = validate_paths([tmp_path / "book.yaml"])
        assert not report.problems, f"docs line {line}:\n" + report.text()
    elif isinstance(data, dict) and {"rulebook", "cases"} <= set(data):  # a case file: its cases must pass
        (tmp_path / "cases.yaml").write_text(block, encoding="utf-8")
        book = load_rulebook(ROOT / "rulebooks" / f"{data['rulebook']}.yaml")  # only that city's rulebook
        for case in load_cases(tmp_path / "cases.yaml"):
            failures = run_case(case, [book])
            assert not failures, f"docs line {line}: " + "\n".join(f.format() for f in failures)
    elif isinstance(data, list):
        first = data[0]
        if "amount" in first:
            _check_benefits(data, line)
        elif "reason" in first:
            [NotEncoded.model_validate(item) for item in data]
        else:
            [Target.model_validate(item) for item in data]
    elif isinstance(data, dict):
        for key, value in data.items():
            _check_fragment(key, value, line)
    else:
        pytest.fail(f"docs line {line}: an example must be a mapping or a list")
