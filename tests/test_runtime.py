"""The plain rule objects `chuangye check` builds from the cache (rules/runtime.py) hold what the validated models
hold — every field, with its type — and evaluate alike, on the bundled rulebooks and on generated ones that use every
operator and amount kind (issue 16: start-up without Pydantic)."""

import datetime as dt
import glob
import random
import typing
from decimal import Decimal

import pytest
from pydantic import BaseModel
from test_generated_rulebooks import validated

from chuangye_rules.base.problems import InputError
from chuangye_rules.batch.synthetic import generated_facts, interesting_values, random_facts, relative_pairs
from chuangye_rules.engine.evaluation import evaluate
from chuangye_rules.render.jsondoc import evaluation_json
from chuangye_rules.rules import rulecache, runtime, schema
from chuangye_rules.rules.books import LoadedRulebook, cached_rulebooks
from chuangye_rules.rules.loading import load_rulebooks
from chuangye_rules.rules.profile import load_profile, parse_profile
from chuangye_rules.rules.runtime import node_data

AS_OF = [dt.date(2019, 6, 1), dt.date(2024, 6, 1), dt.date(2026, 1, 1)]


def _models(annotation, found: dict) -> dict:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__name__ not in found:
            found[annotation.__name__] = annotation
            for info in annotation.model_fields.values():
                _models(info.annotation, found)
        return found
    for arg in typing.get_args(annotation):
        _models(arg, found)
    return found


def test_every_class_of_the_format_has_a_plain_twin_with_its_behaviour():
    models = _models(schema.Rulebook, {})
    assert set(runtime.NAMES) == set(models)
    for name, model in models.items():
        behaviour = [base for base in model.__mro__ if base.__module__ == "chuangye_rules.rules.core"]
        plain = [base for base in runtime.CLASSES[name].__mro__ if base.__module__ == "chuangye_rules.rules.core"]
        assert plain == behaviour, name


def assert_same(model):
    plain = runtime.build(runtime.typed(model))
    assert runtime.typed(plain) == runtime.typed(model) and runtime.runtime_tree(model) is not None
    assert node_data(plain) == model.model_dump(mode="json", by_alias=True)
    return plain


def _twins(books: list[LoadedRulebook]) -> list[LoadedRulebook]:
    return [LoadedRulebook(assert_same(b.rulebook), b.path, None, b.source_text) for b in books]


@pytest.fixture(scope="module")
def bundled():
    books = load_rulebooks()
    return books, _twins(books)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Four generated rulebooks (every operator and amount kind in each), as validate accepts them."""
    folder, rng = tmp_path_factory.mktemp("generated"), random.Random("runtime")
    books = [validated(folder, rng, f"gen{i}", AS_OF[1]) for i in range(4)]
    return books, _twins(books)


def _facts(facts: dict) -> dict:
    facts.pop("city", None)  # a generated city name would choose no rulebook
    return facts


def _same_evaluations(models, plain, profiles, as_of, parameters=None, worded=()):
    """The same results (and, for the profiles `worded`, the same words: the amounts' words read the rules)."""
    for profile in profiles:
        expected = evaluate(profile, models, as_of=as_of, parameters=parameters)
        got = evaluate(profile, plain, as_of=as_of, parameters=parameters)
        assert got.to_dict() == expected.to_dict()
        for lang in ("zh", "en") if profile in worded else ():
            assert evaluation_json(got, lang) == evaluation_json(expected, lang)


def test_bundled_rulebooks_evaluate_alike(bundled):
    models, plain = bundled
    examples = [load_profile(p) for p in sorted(glob.glob("examples/profiles/*.yaml"))]
    rng = random.Random("bundled")
    for as_of in AS_OF:
        interesting = interesting_values([b.rulebook for b in models], as_of)
        profiles = examples + [parse_profile(_facts(random_facts(rng, as_of, interesting))) for _ in range(30)]
        _same_evaluations(models, plain, profiles, as_of, worded=examples)


def test_generated_rulebooks_evaluate_alike(generated):
    models, plain = generated
    rng, as_of = random.Random("generated"), AS_OF[1]
    interesting = interesting_values([b.rulebook for b in models], as_of)
    pairs = [pair for b in models for pair in relative_pairs(b.rulebook)]
    profiles = [parse_profile(_facts(generated_facts(rng, as_of, interesting, pairs))) for _ in range(80)]
    for book, twin in zip(models, plain):
        given = {"wage_open": Decimal("0.3333")} if "wage_open" in book.rulebook.parameters else None
        _same_evaluations([book], [twin], profiles, as_of, given, worded=profiles[:10])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUANGYE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CHUANGYE_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_cached_rulebooks_come_only_from_the_cache(cache, tmp_path):
    assert cached_rulebooks() is None  # nothing cached yet: the ordinary loading reads, checks and caches
    models = load_rulebooks()
    plain = cached_rulebooks()
    assert [type(b.rulebook).__name__ for b in plain] == ["Rulebook"] * len(models)
    assert not isinstance(plain[0].rulebook, BaseModel)
    assert [node_data(b.rulebook) for b in plain] == [node_data(b.rulebook) for b in models]
    entry = next(cache.glob("*.json"))
    entry.write_bytes(entry.read_bytes()[:-5])  # damaged: a miss, never a wrong rulebook
    assert cached_rulebooks() is None
    with pytest.raises(InputError) as missing:
        cached_rulebooks([tmp_path / "no-such-folder"])
    with pytest.raises(InputError) as reported:
        load_rulebooks([tmp_path / "no-such-folder"])
    assert missing.value.problems == reported.value.problems


def test_a_rulebook_whose_tree_would_not_hold_it_is_not_cached(bundled):
    model = bundled[0][0].rulebook.model_copy(deep=True)
    assert runtime.runtime_tree(model) is not None
    model.benefits[0].conditions = schema.Compare(field="graduation_date", eq=dt.datetime(2024, 1, 1, 10, 0))
    assert runtime.runtime_tree(model) is None


def test_a_tree_that_does_not_build_is_a_miss(cache):
    load_rulebooks()
    for entry in cache.glob("*.json"):
        data = rulecache._read(entry)
        if "typed" in data:
            data["typed"]["@"] = "NoSuchClass"
            rulecache._write(entry, data)
    assert cached_rulebooks() is None
