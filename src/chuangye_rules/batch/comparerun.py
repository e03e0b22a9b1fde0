"""`chuangye compare` on a list file: read once, both versions evaluated on every block, and the outputs
(changes.csv, errors.csv, report.md, report.html, summary.json) placed only when the whole run succeeded."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl

from ..base.disks import WRITING_OUTDIR, disk_problem
from ..base.messages import Text
from ..base.problems import InputError, make_problem
from ..engine.evaluation import checked_overrides
from ..rules.history import benefit_keys
from ..rules.loading import LoadedRulebook, choose_city
from .columnar import ROW
from .columns import parse_chunk
from .compare import CHANGES, Comparison, _compare_compiled, compare_html, markdown
from .compile import compile_rulebook
from .failures import SignalsNoted, interrupted
from .outfolder import OutFolder

# ------------------------------------------------------------------------------------------- a list file


def _compared_cities(input_path: Path, base: list[LoadedRulebook], reform: list[LoadedRulebook], city: str | None):
    """(base, reform, the cities both have): a reform file of one city is compared with that city, not with all five."""
    if not input_path.is_file():
        raise InputError([make_problem(str(input_path), None, None, Text("找不到输入文件", "the input file does not exist"))])
    if city:
        base, reform = choose_city(base, city), choose_city(reform, city)
    shared = {b.slug for b in base} & {b.slug for b in reform}
    if not shared:
        raise InputError([make_problem("--reform", None, None, Text(
            "改革前后的规则库没有共同的城市，无法比较", "the rulebooks before and after the reform share no city to compare"),
            Text("--base 和 --reform 应是同一城市的两个版本", "--base and --reform should be two versions of the same city's rulebook"))])
    return [b for b in base if b.slug in shared], [b for b in reform if b.slug in shared], shared


def run_compare(input_path: Path, outdir: Path, base: list[LoadedRulebook], reform: list[LoadedRulebook],
                as_of: dt.date, reform_as_of: dt.date | None = None, city: str | None = None,
                parameters: dict | None = None, reform_parameters: dict | None = None, encoding: str | None = None,
                overwrite: bool = False, lang: str = "zh") -> Comparison:
    """The list read once, both versions evaluated on every block; the outputs written as `batch` writes its own."""
    input_path, outdir = Path(input_path), Path(outdir)
    base, reform, shared = _compared_cities(input_path, base, reform, city)
    names = ["changes.csv", "errors.csv", "report.md", "summary.json", "report.html"]
    folder = OutFolder(outdir, names, input_path, overwrite)
    folder.check()
    # as in batch (runner.run_batch): a Ctrl-C or SIGTERM polars swallows is still an interruption, and a disk
    # that fails is the user's message, not an internal error
    noted = SignalsNoted().__enter__()
    try:
        return _compare(input_path, folder, names, base, reform, shared, as_of, reform_as_of, city, parameters,
                        reform_parameters, encoding, lang, noted)
    except BaseException as error:
        folder.discard()
        if not isinstance(error, KeyboardInterrupt) and (noted.received or interrupted(error)):
            raise KeyboardInterrupt from None
        if isinstance(error, OSError):
            raise disk_problem(error, outdir, WRITING_OUTDIR) from None
        raise
    finally:
        noted.__exit__()


def _compare(input_path, folder, names, base, reform, shared, as_of, reform_as_of, city, parameters,
             reform_parameters, encoding, lang, noted) -> Comparison:
    from .columns import ERROR_SCHEMA
    from .runner import _open_list, cell_cities, neutralise

    reform_as_of = reform_as_of or as_of
    before = checked_overrides(parameters, [*base, *reform])
    after = checked_overrides(reform_parameters if reform_parameters is not None else parameters, [*base, *reform])
    compiled_base = {b.slug: compile_rulebook(b.rulebook, as_of, before) for b in base}
    compiled_reform = {b.slug: compile_rulebook(b.rulebook, reform_as_of, after) for b in reform}
    every = list({b.slug: b for b in [*base, *reform]}.values())
    used, header, chunks = _open_list(input_path, encoding, 200_000)
    comparison = Comparison()
    known: dict = {}
    benefits = benefit_keys(b.rulebook for b in every)
    # a row of another city the bundled rulebooks know is not compared, and not an error either
    cities = {**{name: slug for name, slug in _bundled_cities().items()}, **cell_cities(every)}
    errors = []
    folder.open()
    for raw in chunks:
        parsed = parse_chunk(raw, header, cities, known, benefits, lang)
        errors.append(parsed.errors)
        frame = parsed.frame
        if "city" in frame.columns and not city:
            other = frame["city"].is_not_null() & ~frame["city"].is_in(list(shared))
            comparison.other_cities += int(other.sum())
            frame = frame.filter(~other)
        comparison.read += parsed.frame.height + parsed.rejected
        comparison.rejected += parsed.rejected
        comparison.evaluated += frame.height
        _compare_compiled(frame, compiled_base, compiled_reform, comparison, city, as_of)
    _write_outputs(folder, comparison, as_of, reform_as_of, lang)
    found = neutralise(pl.concat(errors, how="vertical_relaxed") if errors else pl.DataFrame(schema=ERROR_SCHEMA))
    if lang == "zh":
        found = found.rename({"row": "行号", "column": "列", "value": "内容", "reason": "原因"})
    folder.path("errors.csv").write_bytes(b"\xef\xbb\xbf" + found.write_csv().encode("utf-8"))
    if noted.received:  # a Ctrl-C or SIGTERM that something on the way swallowed: the user asked to stop
        raise KeyboardInterrupt
    folder.commit(names)
    return comparison


def _bundled_cities() -> dict[str, str]:
    from ..rules.loading import load_rulebooks
    from .runner import cell_cities

    try:
        return cell_cities(load_rulebooks())
    except InputError:  # the bundled rulebooks are checked by their own tests; here they only name cities
        return {}


def _write_outputs(folder: OutFolder, comparison: Comparison, as_of: dt.date, reform_as_of: dt.date, lang: str) -> None:
    from ..render.i18n import CHANGE, CHANGE_COLUMNS_ZH, STATUS, label
    from ..render.reportwords import report_word
    from .runner import yuan_text

    changes = comparison.changes_frame()
    names = pl.DataFrame([{"city": c, "benefit_id": b, "benefit_name": n} for (c, b), n in comparison.names.items()],
                         schema={"city": pl.String, "benefit_id": pl.String, "benefit_name": pl.String})
    reasons = pl.DataFrame([{"city": c, "benefit_id": b, "reason": t} for (c, b), t in
                            (comparison.reasons if lang == "zh" else comparison.reasons_en).items()],
                           schema={"city": pl.String, "benefit_id": pl.String, "reason": pl.String})
    out = (changes.join(names, on=["city", "benefit_id"], how="left").join(reasons, on=["city", "benefit_id"], how="left")
           .sort(ROW, "city", "benefit_id")
           .select(pl.col(ROW).alias("row"), "applicant_id", "city", "benefit_id", "benefit_name", "change",
                   "status_before", "status_after",
                   *(yuan_text(pl.col(c)).cast(pl.String).alias(c) for c in ("amount_before", "amount_after")),
                   pl.col("reason").fill_null(report_word("no_rule_change", lang))))
    from .columns import mask_column
    from .runner import neutralise  # the id comes from the list: masked if personal, never run as a formula

    out = neutralise(out.with_columns(pl.lit(mask_column(out["applicant_id"])).alias("applicant_id")))
    if lang == "zh":
        words = {code: label(STATUS, code, "zh") for code in STATUS}
        out = out.with_columns(pl.col("city").replace_strict(comparison.city_names(), default=pl.col("city")),
                               pl.col("change").replace_strict({k: label(CHANGE, k, "zh") for k in CHANGE},
                                                               default=pl.col("change")),
                               pl.col("status_before").replace_strict(words, default=pl.col("status_before")),
                               pl.col("status_after").replace_strict(words, default=pl.col("status_after")))
        out = out.rename({c: CHANGE_COLUMNS_ZH[c] for c in out.columns})
    folder.path("changes.csv").write_bytes(b"\xef\xbb\xbf" + out.write_csv().encode("utf-8"))
    title = report_word("compare_title", lang, before=as_of, after=reform_as_of)
    folder.path("report.md").write_text(markdown(comparison, title, lang), encoding="utf-8")
    if "report.html" in folder.names:
        folder.path("report.html").write_text(compare_html(comparison, title, lang), encoding="utf-8")
    summary = {"read": comparison.read, "evaluated": comparison.evaluated, "rejected": comparison.rejected,
               "other_cities": comparison.other_cities,
               "balanced": comparison.read == comparison.evaluated + comparison.rejected + comparison.other_cities,
               "as_of": as_of.isoformat(), "reform_as_of": reform_as_of.isoformat(),
               "changes": {k: int((changes["change"] == k).sum()) for k in CHANGES},
               "cities": [{k: (v if not isinstance(v, Decimal) else str(v)) for k, v in row.items()}
                          for row in comparison.city_table().to_dicts()]}
    folder.path("summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


