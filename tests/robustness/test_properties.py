"""Property tests (hypothesis, derandomized: see conftest.py): random valid profiles never crash the evaluator;
results are deterministic and independent of rulebook order and of row order in a batch; amounts are
monotone where the documents say "per person" or "by tier" and never exceed their caps; a rulebook dumped
and reloaded evaluates the same; a list read from CSV text gives `check`'s answers; and a randomly mutated
rulebook is either accepted or refused with located problems — never another exception."""

import csv
import datetime as dt
import io
import shutil
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.console import Console

from chuangye_rules import InputError, evaluate, evaluation_json, load_rulebook, load_rulebooks, parse_profile
from chuangye_rules.authoring.validation import validate_paths
from chuangye_rules.batch.columnar import ROW
from chuangye_rules.batch.columns import iter_csv, map_headers, parse_chunk
from chuangye_rules.batch.compile import compile_rulebook, missing_names, result_columns
from chuangye_rules.batch.engine import evaluate_chunk, row_totals
from chuangye_rules.batch.frames import frame_from_profiles
from chuangye_rules.batch.runner import cell_cities
from chuangye_rules.batch.synthetic import interesting_values
from chuangye_rules.engine.amounts import compute_amount
from chuangye_rules.render.reporting import explain_panel, print_evaluation
from chuangye_rules.rules.catalog import catalog
from chuangye_rules.rules.schema import (
    FormulaAmount,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
    RangeAmount,
    TiersAmount,
    UpToAmount,
)
from chuangye_rules.rules.values import MAX_COUNT

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

ROOT = Path(__file__).resolve().parents[2]
RULEBOOKS = ROOT / "rulebooks"
AS_OF_CHOICES = [dt.date(2019, 6, 1), dt.date(2023, 6, 30), dt.date(2024, 6, 1), dt.date(2025, 12, 31)]


@lru_cache(maxsize=1)
def books():
    return tuple(load_rulebooks())


@lru_cache(maxsize=8)
def compiled(as_of: dt.date):
    return {b.slug: compile_rulebook(b.rulebook, as_of) for b in books()}


@lru_cache(maxsize=1)
def interesting():
    """Per field, the thresholds the rulebooks test and their neighbours, on any of the evaluation dates."""
    values: dict[str, list] = {}
    for as_of in AS_OF_CHOICES:
        for name, found in interesting_values([b.rulebook for b in books()], as_of).items():
            values.setdefault(name, []).extend(found)
    return values


# ------------------------------------------------------------------------------------------- strategies

SAFE_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                    min_size=1, max_size=12).filter(lambda s: s == s.strip() and s.strip())
MONEY = st.decimals(min_value=0, max_value=Decimal("9999999999999.99"), places=2, allow_nan=False, allow_infinity=False)
NUMBER = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


def value_of(name: str, spec) -> st.SearchStrategy:
    cat = catalog()
    near = [v for v in interesting().get(name, []) if v is not None]
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "int":
        pool = sorted({int(v) for v in near if 0 <= Decimal(v) <= MAX_COUNT})
        base = st.one_of(st.integers(0, 60), st.integers(0, MAX_COUNT))
        return st.one_of(base, st.sampled_from(pool)) if pool else base
    if spec.type == "money":
        pool = sorted({Decimal(v).quantize(Decimal("0.01")) for v in near if Decimal(v) >= 0})
        base = st.one_of(MONEY, st.decimals(0, 10**7, places=2))
        return st.one_of(base, st.sampled_from(pool)) if pool else base
    if spec.type == "number":
        pool = sorted({Decimal(v) for v in near if abs(Decimal(v)) < 10**6})
        return st.one_of(NUMBER, st.sampled_from(pool)) if pool else NUMBER
    if spec.type == "date":
        pool = sorted({v for v in near if isinstance(v, dt.date)})
        base = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
        return st.one_of(base, st.dates(dt.date(2010, 1, 1), dt.date(2026, 12, 31)), st.sampled_from(pool)) if pool else base
    if spec.type == "one_of":
        return st.sampled_from(sorted(cat.vocabularies[spec.vocabulary].labels))
    if spec.type == "set_of":
        return st.frozensets(st.sampled_from(sorted(cat.vocabularies[spec.vocabulary].labels)), max_size=4)
    if name == "city":
        return st.sampled_from(sorted(b.slug for b in books()))
    if name == "received":  # benefits of any city, with and without the amounts paid
        pool = sorted({v for v in near if isinstance(v, str)})
        return st.lists(st.sampled_from(pool), max_size=3).map("、".join)
    pool = [v for v in near if isinstance(v, str)]
    return st.one_of(SAFE_TEXT, st.sampled_from(pool)) if pool else SAFE_TEXT


@lru_cache(maxsize=1)
def field_strategies():
    return {name: value_of(name, spec) for name, spec in catalog().fields.items()}


@st.composite
def profiles(draw, city: bool = True):
    fields = field_strategies()
    names = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=40))
    facts = {name: draw(fields[name]) for name in names if city or name != "city"}
    return facts


AS_OF = st.one_of(st.sampled_from(AS_OF_CHOICES), st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)))


# ------------------------------------------------------------------------------------------- evaluator


@settings(max_examples=40)
@given(facts=profiles(), as_of=AS_OF, lang=st.sampled_from(["zh", "en"]))
def test_random_valid_profiles_never_crash_the_evaluator(facts, as_of, lang):
    profile = parse_profile(facts)
    result = evaluate(profile, list(books()), as_of=as_of)
    result.to_json()
    evaluation_json(result, lang)
    console = Console(file=io.StringIO(), width=160)
    print_evaluation(result, console, lang, show_all=True)
    for city in result.cities:
        for benefit in city.benefits[:5]:
            console.print(explain_panel(benefit, lang))


@settings(max_examples=25)
@given(facts=profiles(), as_of=AS_OF)
def test_results_are_deterministic_and_independent_of_rulebook_order(facts, as_of):
    profile = parse_profile(facts)
    first = evaluate(profile, list(books()), as_of=as_of)
    again = evaluate(profile, list(books()), as_of=as_of)
    reverse = evaluate(profile, list(reversed(books())), as_of=as_of)
    assert first.to_json() == again.to_json()
    by_city = {c.city: c.to_json() for c in first.cities}
    assert by_city == {c.city: c.to_json() for c in reverse.cities}


def wide_rows(frame: pl.DataFrame, book) -> list[dict]:
    wide = evaluate_chunk(frame, book).sort(ROW)
    sums = row_totals(wide, book).sort(ROW)
    return [dict(w, **{f"total:{k}": v for k, v in s.items()}) for w, s in zip(wide.to_dicts(), sums.to_dicts())]


@settings(max_examples=20)
@given(facts=st.lists(profiles(city=False), min_size=2, max_size=12), data=st.data(),
       as_of=st.sampled_from(AS_OF_CHOICES))
def test_batch_results_do_not_depend_on_row_order(facts, data, as_of):
    frame = frame_from_profiles([parse_profile(f) for f in facts])
    order = data.draw(st.permutations(list(range(frame.height))))
    shuffled = frame[order]
    for book in compiled(as_of).values():
        assert wide_rows(frame, book) == wide_rows(shuffled, book)


# ------------------------------------------------------------------------------------------- amounts


def amount_rules():
    """(book, benefit, rule) for every amount rule in the bundled books, parts included."""

    def walk(rule):
        yield rule
        if isinstance(rule, PartsAmount):
            for part in rule.parts:
                yield from walk(part.amount)

    return [(b, benefit, rule) for b in books() for benefit in b.rulebook.benefits for rule in walk(benefit.amount)]


def compute(book, rule, facts, as_of=dt.date(2024, 6, 1)):
    return compute_amount(rule, facts, as_of, book.rulebook.parameters, {})


def figure(amount):
    return amount.value if amount.kind == "exact" else amount.max


PER_UNIT = [(b, r) for b, _, r in amount_rules() if isinstance(r, PerUnitAmount)]
TIERS = [(b, r) for b, _, r in amount_rules() if isinstance(r, TiersAmount)]
PERCENT = [(b, r) for b, _, r in amount_rules() if isinstance(r, PercentageAmount)]
CUMULATIVE = [(b, r) for b, _, r in amount_rules() if isinstance(r, (UpToAmount, RangeAmount)) and r.cumulative_cap]
FORMULAS = [(b, r) for b, _, r in amount_rules() if isinstance(r, FormulaAmount)]


def test_the_rulebooks_have_the_amount_kinds_these_properties_are_about():
    assert PER_UNIT and TIERS and PERCENT and CUMULATIVE and FORMULAS


@settings(max_examples=60)
@given(data=st.data(), a=st.integers(0, MAX_COUNT), b=st.integers(0, MAX_COUNT))
def test_more_units_never_lower_a_per_unit_amount_and_it_never_exceeds_its_cap(data, a, b):
    book, rule = data.draw(st.sampled_from(PER_UNIT))
    low, high = sorted((a, b))
    one, two = compute(book, rule, {rule.unit_field: low}), compute(book, rule, {rule.unit_field: high})
    for bound in ("value", "min", "max"):
        x, y = getattr(one, bound), getattr(two, bound)
        if x is not None and y is not None:
            assert x <= y, (rule, low, high)
    if rule.cap is not None:
        assert figure(two) <= rule.cap and figure(one) <= rule.cap


@settings(max_examples=60)
@given(data=st.data(), a=MONEY, b=MONEY)
def test_a_higher_measure_never_lowers_a_tier_award(data, a, b):
    """"Higher tax paid never lowers a cumulative tier award" (Huaibei's referral reward) — and tiers whose
    awards rise with the threshold are monotone too."""
    book, rule = data.draw(st.sampled_from(TIERS))
    values = [t.value for t in rule.tiers]
    assume(rule.cumulative or values == sorted(values))
    low, high = sorted((a, b))
    assert figure(compute(book, rule, {rule.field: low})) <= figure(compute(book, rule, {rule.field: high}))
    top = sum(values) if rule.cumulative else values[-1]
    assert figure(compute(book, rule, {rule.field: high})) <= top


@settings(max_examples=60)
@given(data=st.data(), a=MONEY, b=MONEY)
def test_a_percentage_grows_with_its_base_up_to_its_cap(data, a, b):
    book, rule = data.draw(st.sampled_from(PERCENT))
    low, high = sorted((a, b))
    one, two = figure(compute(book, rule, {rule.of_field: low})), figure(compute(book, rule, {rule.of_field: high}))
    assert one <= two
    if rule.cap is not None:
        assert two <= rule.cap


@settings(max_examples=40)
@given(data=st.data(), a=MONEY, b=MONEY)
def test_what_was_received_only_lowers_what_is_left_under_a_cumulative_cap(data, a, b):
    book, rule = data.draw(st.sampled_from(CUMULATIVE))
    low, high = sorted((a, b))
    one, two = compute(book, rule, {rule.received_field: low}), compute(book, rule, {rule.received_field: high})
    assert Decimal(0) <= figure(two) <= figure(one) <= rule.max


@settings(max_examples=60)
@given(facts=profiles(), as_of=AS_OF)
def test_no_amount_exceeds_its_cap(facts, as_of):
    """Whatever the facts, every cash figure stays under the caps its rule states."""
    for book, benefit, rule in amount_rules():
        amount = compute_amount(rule, facts, as_of, book.rulebook.parameters, {})
        top = figure(amount)
        if top is None:
            continue
        assert top >= 0, (benefit.id, amount)
        cap = getattr(rule, "cap", None)
        if cap is not None:
            assert top <= cap, (benefit.id, amount)
        if isinstance(rule, (UpToAmount, RangeAmount)):
            assert top <= rule.max, (benefit.id, amount)


@settings(max_examples=30)
@given(facts=profiles(city=False), a=st.integers(0, 500), b=st.integers(0, 500), as_of=st.sampled_from(AS_OF_CHOICES))
def test_more_new_hires_never_lower_a_per_hire_subsidy(facts, a, b, as_of):
    """The same through evaluate(): two applicants alike but for the number of people hired (or students,
    households: the rule's unit); where both get an exact figure, the one with more gets no less."""
    low, high = sorted((a, b))
    per_unit = {(book.slug, benefit.id): (book, benefit.amount.unit_field) for book in books()
                for benefit in book.rulebook.benefits if isinstance(benefit.amount, PerUnitAmount)}
    for book, unit_field in {(book.slug, field): (book, field) for book, field in per_unit.values()}.values():
        one = evaluate(parse_profile({**facts, unit_field: low}), [book], as_of=as_of, city=book.slug).cities[0]
        two = evaluate(parse_profile({**facts, unit_field: high}), [book], as_of=as_of, city=book.slug).cities[0]
        for x, y in zip(one.benefits, two.benefits):
            if (book.slug, x.id) in per_unit and x.amount.kind == y.amount.kind == "exact":
                assert x.amount.value <= y.amount.value, (x.id, low, high)


def test_a_list_shuffled_gives_the_same_results(tmp_path):
    """The example list (GB18030, broken rows included) with its rows in reverse and shuffled: the same
    results and errors for every applicant, only the row numbers differ."""
    import random

    from chuangye_rules.batch.runner import run_batch

    source = ROOT / "examples" / "lists" / "applicants-gb18030.csv"
    header, *rows = source.read_bytes().decode("gb18030").splitlines()
    orders = [rows, rows[::-1], random.Random(6).sample(rows, len(rows))]
    seen = []
    for i, order in enumerate(orders):
        path = tmp_path / f"list{i}.csv"
        path.write_bytes(("\n".join([header, *order]) + "\n").encode("gb18030"))
        summary = run_batch(path, tmp_path / f"out{i}", as_of=dt.date(2024, 6, 1))
        results = pl.read_csv(tmp_path / f"out{i}" / "results.csv", infer_schema=False).drop("row")
        applicants = pl.read_csv(tmp_path / f"out{i}" / "applicants.csv", infer_schema=False).drop("row")
        seen.append((summary.read, summary.evaluated, summary.rejected, sorted(results.rows(), key=str),
                     sorted(applicants.rows(), key=str)))
    assert seen[0] == seen[1] == seen[2]


# ------------------------------------------------------------------------------------------- round trip


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:int" if value == value.to_integral_value() else "tag:yaml.org,2002:float",
    format(value.normalize(), "f")))


def dump(book) -> str:
    data = book.rulebook.model_dump(mode="python", by_alias=True, exclude_none=True)

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, Enum):  # the format's enums (category, period) as the text a rulebook writes
            return value.value
        return value

    return yaml.dump(plain(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def reloaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roundtrip")
    shutil.copytree(RULEBOOKS / "sources", folder / "sources")
    pairs = []
    for book in books():
        path = folder / f"{book.slug}.yaml"
        path.write_text(dump(book), encoding="utf-8")
        pairs.append((book, load_rulebook(path)))
    return pairs


def test_a_dumped_and_reloaded_rulebook_is_the_same_rulebook(reloaded):
    for original, again in reloaded:
        assert again.rulebook.model_dump() == original.rulebook.model_dump(), original.slug


@settings(max_examples=25)
@given(facts=profiles(city=False), as_of=AS_OF)
def test_a_dumped_and_reloaded_rulebook_evaluates_the_same(reloaded, facts, as_of):
    profile = parse_profile(facts)
    for original, again in reloaded:
        assert evaluate(profile, [original], as_of=as_of).to_json() == evaluate(profile, [again], as_of=as_of).to_json()


# ------------------------------------------------------------------------------------------- batch = check


def cell(name: str, value, draw) -> str:
    """A fact as someone would type it into a list, in one of the spellings the batch accepts."""
    cat = catalog()
    spec = cat.fields[name]
    if spec.type == "bool":
        return draw(st.sampled_from(["是", "1", "true", "Y"] if value else ["否", "0", "false", "N"]))
    if spec.type == "date":
        return draw(st.sampled_from([value.isoformat(), f"{value.year}/{value.month}/{value.day}", value.strftime("%Y%m%d"),
                                     f"{value.year}年{value.month}月{value.day}日"]))
    if spec.type == "money":
        text = format(value, "f")
        return draw(st.sampled_from([text, f"¥{text}", f"{text}元", f"{value:,.2f}"]))
    if spec.type == "one_of":
        vocab = cat.vocabularies[spec.vocabulary]
        return draw(st.sampled_from([value, vocab.labels[value]]))
    if spec.type == "set_of":
        if not value:
            return "无"
        vocab = cat.vocabularies[spec.vocabulary]
        labels = draw(st.booleans())
        return draw(st.sampled_from(["、", "|", "；"])).join(vocab.labels[v] if labels else v for v in sorted(value))
    if name == "city":
        book = next(b for b in books() if b.slug == value)
        return draw(st.sampled_from([value, book.rulebook.city.zh, book.rulebook.city.zh + "市"]))
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@settings(max_examples=25)
@given(people=st.lists(profiles(), min_size=1, max_size=8), as_of=st.sampled_from(AS_OF_CHOICES), data=st.data())
def test_batch_from_csv_text_equals_check(tmp_path_factory, people, as_of, data):
    """A small hypothesis-driven variant of tests/test_batch_equivalence.py that goes through CSV text: the
    facts written as people write them (是/1/Y, 2023/7/1, 2023年7月1日, ¥, labels or codes), read back by the
    batch reader and evaluated in columns — the same statuses, amounts and missing facts as `check`."""
    names = sorted({name for facts in people for name in facts})
    assume(names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([catalog().fields[n].zh for n in names])
    for facts in people:
        writer.writerow([cell(n, facts[n], data.draw) if n in facts else "" for n in names])
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    header_names, chunks = iter_csv(path, "utf-8")
    header = map_headers(header_names)
    cities = cell_cities(list(books()))
    frames = []
    for raw in chunks:
        parsed = parse_chunk(raw, header, cities)
        assert parsed.errors.height == 0, parsed.errors.to_dicts()
        frames.append(parsed.frame)
    frame = pl.concat(frames)
    assert frame.height == len(people)
    for slug, book in compiled(as_of).items():
        book_benefits = {b.id: b for b in book.rulebook.benefits}
        has_city = "city" in frame.columns
        part = frame.filter(pl.col("city").is_null() | (pl.col("city") == slug)) if has_city else frame
        if part.height == 0:
            continue
        wide = evaluate_chunk(part, book).to_dicts()
        for got in wide:
            facts = people[got[ROW] - 2]
            expected = evaluate(parse_profile(facts), [b for b in books() if b.slug == slug], as_of=as_of, city=slug)
            for r in expected.cities[0].benefits:
                c = result_columns(r.id)
                fen = lambda v: None if v is None else int(Decimal(v) * 100)  # noqa: E731
                want = (r.status.value, r.amount.kind, fen(r.amount.value), fen(r.amount.min), fen(r.amount.max),
                        r.missing_facts, r.excluded_by)
                have = (got[c["status"]], got[c["kind"]], got[c["value"]], got[c["min"]], got[c["max"]],
                        missing_names(book_benefits[r.id], got[c["missing"]]), got[f"{r.id}::excluded_by"])
                assert have == want, f"{slug}.{r.id} row {got[ROW]}: batch {have} != check {want}\n{facts}"


# ------------------------------------------------------------------------------------------- mutations

GARBAGE = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**20), st.floats(allow_nan=True),
                    st.text(max_size=30), st.dates(), st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
                    st.sampled_from(["2023-02-30", "__import__('os').system('true')", "=1+1", "", "*", "&a",
                                     "!!python/none"]))


def paths_in(data, prefix=()):
    """Every path to a mapping key or list item in parsed YAML data."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append(prefix + (key,))
            found += paths_in(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.append(prefix + (i,))
            found += paths_in(value, prefix + (i,))
    return found


def parent_of(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw):
    """A bundled rulebook (or the broken-rulebook baseline) with one random mutation of its data or its text."""
    source = draw(st.sampled_from([RULEBOOKS / "luan.yaml", RULEBOOKS / "weihai.yaml",
                                   ROOT / "tests" / "broken_rulebooks" / "baseline.yaml"]))
    text = source.read_text(encoding="utf-8")
    kind = draw(st.sampled_from(["delete", "retype", "rename", "insert", "text"]))
    if kind == "text":
        lines = text.split("\n")
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["drop", "duplicate", "indent", "dedent", "garbage"]))
        if edit == "drop":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        elif edit == "indent":
            lines[at] = "  " + lines[at]
        elif edit == "dedent":
            lines[at] = lines[at][2:]
        else:
            spot = draw(st.integers(0, len(lines[at])))
            junk = draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8))
            lines[at] = lines[at][:spot] + junk + lines[at][spot:]
        return source, "\n".join(lines)
    data = yaml.safe_load(text)
    path = draw(st.sampled_from(paths_in(data)))
    parent, key = parent_of(data, path), path[-1]
    if kind == "delete":
        del parent[key]
    elif kind == "retype":
        parent[key] = draw(GARBAGE)
    elif kind == "rename" and isinstance(parent, dict):
        new = draw(st.sampled_from([str(key) + "x", str(key)[:-1], str(key).upper(), "kind", "field", "eq", "all", "not"]))
        parent[new] = parent.pop(key)
    elif kind == "insert":
        target = parent[key] if isinstance(parent[key], (dict, list)) else parent
        if isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=8))] = draw(GARBAGE)
        else:
            target.insert(draw(st.integers(0, len(target))), draw(GARBAGE))
    return source, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=50)  # each example loads and checks a whole rulebook
@given(case=mutated())
def test_a_mutated_rulebook_is_accepted_or_refused_with_located_problems(tmp_path_factory, case):
    source, text = case
    folder = tmp_path_factory.mktemp("mutant")
    shutil.copytree(source.parent / "sources", folder / "sources")
    path = folder / source.name
    path.write_text(text, encoding="utf-8")
    report = validate_paths([path], cases=ROOT / "tests" / "cases")
    errors = [p for p in report.problems if p.severity == "error"]
    for problem in errors:
        assert problem.file == str(path), problem.format()
        assert problem.line is not None, f"a problem without a line: {problem.format()}"
    try:
        load_rulebook(path)  # loading checks less than validate (no quotes, no lint), never more
    except InputError as error:
        assert errors and error.problems


# ------------------------------------------------------------------------------------------- any bytes

LIST_HEADER = "编号,城市,申请人类型,身份,注册登记日期,首次创业,吸纳就业人数\n".encode("utf-8")
PIECES = st.sampled_from([b",", b'"', b'""', b"\n", b"\r\n", b"\r", b"\x00", b"\xff\xfe", b"\xe6\xb7", "淮北".encode(),
                          "残疾人".encode(), "是".encode(), b"2022-03-01", b"2023-02-30", b"12", b"-3", b" ", b"=1+1",
                          "个人".encode(), "、".encode(), "退役军人".encode("gb18030"), b"A1"])


@settings(max_examples=60)
@given(body=st.lists(PIECES, max_size=80).map(b"".join), encoding=st.sampled_from([None, "utf-8", "gb18030"]),
       chunk=st.sampled_from(["16", "0.0001"]))
def test_any_bytes_after_a_header_are_read_without_a_crash_and_every_row_counted(tmp_path_factory, body, encoding,
                                                                               chunk):
    """Random bytes — quotes, commas, NUL, CR, broken UTF-8, GB18030 — after a valid header: the reader
    never fails, and every record is either read or rejected with a reason, once."""
    import os
    from unittest import mock

    from chuangye_rules.batch.columns import detect_encoding

    path = tmp_path_factory.mktemp("bytes") / "list.csv"
    path.write_bytes(LIST_HEADER + body)
    with mock.patch.dict(os.environ, {"CHUANGYE_CHUNK_MB": chunk}):
        try:
            names, chunks = iter_csv(path, encoding or detect_encoding(path))
        except InputError as error:  # rows in GB18030 make the UTF-8 header look undecodable: said so, at line 1
            assert error.problems[0].line == 1 and "--encoding" in error.problems[0].format()
            return
        header = map_headers(names)
        cities = cell_cities(list(books()))
        rows = []
        for raw in chunks:
            parsed = parse_chunk(raw, header, cities)
            rows += parsed.frame[ROW].to_list() + sorted(set(parsed.errors["row"].to_list()))
            assert parsed.rejected == len(set(parsed.errors["row"].to_list()))
            assert all(parsed.errors["reason"].to_list())
    assert len(rows) == len(set(rows)), "each record is counted once"


CELLS = st.sampled_from(["", "a", "12", "淮北", " ", "x\ry", "\r", "是 "])


@st.composite
def unquoted_lines(draw):
    """Lines of 2–4 cells with CRLF, LF or CR inside: mostly right, some short, long or blank."""
    lines = draw(st.lists(st.lists(CELLS, min_size=0, max_size=4).map(",".join), min_size=1, max_size=8))
    endings = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=len(lines), max_size=len(lines)))
    text = "".join(line + end for line, end in zip(lines, endings))
    return text if draw(st.booleans()) else text.rstrip("\n")


@settings(max_examples=300)
@given(text=unquoted_lines(), width=st.integers(2, 4), max_row=st.sampled_from([6, 1024]))
def test_a_block_read_the_fast_way_reads_as_the_careful_way(text, width, max_row):
    """split_block lets polars parse a clean block, proving by an account of its bytes that no line had too
    few cells; whatever the block, it must give the rows and errors that the line-by-line path gives."""
    from chuangye_rules.batch.columns import _decode_lines, split_block, split_records

    block = text.encode("utf-8")
    fast = split_block(block, "utf-8", width, 2, max_row)
    careful = split_records(_decode_lines(block, "utf-8"), width, 2, max_row)

    def cells(frame):  # the fast path reads an empty cell as null, the careful one as "": both are empty
        return frame.with_columns(pl.col(pl.String).replace("", None)).to_dicts()

    assert cells(fast.frame) == cells(careful.frame)
    assert sorted(fast.errors) == sorted(careful.errors)
    assert (fast.blank_lines, fast.next_row) == (careful.blank_lines, careful.next_row)


YAML_PIECES = st.sampled_from(["a", ": ", "- ", "\n", "  ", "[", "]", "{", "}", ",", "&x ", "*x", "!!python/object ", "!foo ",
                               "? ", "<<: ", "'", '"', "\\", "#", "|", ">", "---", "...", "%YAML 1.1", "\t", "\x00", "\x85",
                               "2023-02-30", "1e999", "9" * 60, ".nan", "~", "淮北", "\ud800", "\ufeff", "@", "`"])


@settings(max_examples=150)
@given(text=st.lists(YAML_PIECES, max_size=40).map("".join))
def test_any_text_is_read_or_refused_with_a_located_message(text):
    """Whatever text a YAML file holds, reading it gives data or an InputError in Chinese — nothing else."""
    from chuangye_rules.rules.yamlsource import load_located

    try:
        load_located(text, "x.yaml")
    except InputError as error:
        assert error.problems and all(p.file == "x.yaml" and p.message for p in error.problems)
