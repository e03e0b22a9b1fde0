"""The entry point for `spark-submit`: the same run as `chuangye batch --engine spark`, on the session spark-submit
starts (its --master, executors and memory), with no typer CLI to import on the driver.

    spark-submit --master yarn --py-files chuangye_rules-X-py3-none-any.whl \\
        "$(python -c 'import chuangye_rules.spark.submit as s; print(s.__file__)')" LIST -o OUTDIR --as-of 2024-06-01

Exit codes as the CLI's: 0 done, 2 a problem with the input (printed, located, no traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

# absolute imports: spark-submit runs this file as a script, the package coming from the wheel in --py-files
from chuangye_rules.base.messages import Text
from chuangye_rules.base.privacy import mask_text
from chuangye_rules.base.problems import InputError, make_problem
from chuangye_rules.render.endings import NOTHING_WRITTEN

USAGE = Text("spark-submit … submit.py 名单 -o 输出目录 [--as-of 日期] [--city 城市] [--table 库.表] [--param 名称=数值]",
             "spark-submit … submit.py LIST -o OUTDIR [--as-of DATE] [--city CITY] [--table DB.NAME] [--param NAME=VALUE]")


def _parser(lang: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chuangye_rules.spark.submit", usage=USAGE.get(lang))
    parser.add_argument("input", nargs="?", type=Path)
    parser.add_argument("-o", "--outdir")  # a folder, or hdfs://… / s3a://… on a cluster (spark/folders.py)
    parser.add_argument("--as-of")
    parser.add_argument("--city")
    parser.add_argument("--table")
    parser.add_argument("--encoding")
    parser.add_argument("--param", action="append", default=[])
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    return parser


def _options(args: argparse.Namespace) -> tuple[dt.date | None, dict[str, Decimal]]:
    """--as-of and --param read as the CLI reads them (rules/values.py), every problem found reported at once."""
    from chuangye_rules.rules.values import MAX_DATE, MIN_DATE, evaluation_date, parameter_values

    problems = []
    as_of = None
    if args.as_of:
        try:
            as_of = evaluation_date(args.as_of)
        except ValueError as error:
            problems.append(make_problem("--as-of", None, None, Text(
                f"{args.as_of!r} 不是有效日期（应为 YYYY-MM-DD，如 2024-06-01）",
                f"{args.as_of!r} is not a valid date (write YYYY-MM-DD, e.g. 2024-06-01)") if str(error) == "format" else
                Text(f"{args.as_of} 超出可评估的范围（{MIN_DATE} 至 {MAX_DATE}）",
                     f"{args.as_of} is outside the dates that can be evaluated ({MIN_DATE} to {MAX_DATE})")))
    parameters = {}
    try:
        parameters = parameter_values(args.param)
    except ValueError as error:
        problems.append(make_problem("--param", None, None, Text(f"{str(error)!r} 应写作 NAME=数值",
                                                                 f"{str(error)!r} should be NAME=number")))
    if args.outdir is None:
        problems.append(make_problem("-o", None, None, Text("需要输出目录 -o", "an output folder -o is needed")))
    if problems:
        raise InputError(problems)
    return as_of, parameters


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    lang = "en" if "--lang=en" in argv or any(a == "--lang" and b == "en" for a, b in zip(argv, argv[1:])) else "zh"
    args = _parser(lang).parse_args(argv)
    from chuangye_rules.spark.runner import run_spark_batch

    try:
        as_of, parameters = _options(args)
        summary = run_spark_batch(args.input, args.outdir, city=args.city, as_of=as_of, table=args.table, master=None,
                                  encoding=args.encoding, parameters=parameters, overwrite=args.overwrite,
                                  lang=args.lang)
    except InputError as error:
        for problem in error.problems:
            print(problem.format(args.lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(NOTHING_WRITTEN.get(args.lang), file=sys.stderr)
        return 130
    except Exception as error:  # a bug, not bad input: one line, as the CLI's exit 3
        print(mask_text(Text(f"内部错误（请把这条信息和所用文件报告给维护者）：{type(error).__name__}: {error}",
                             f"internal error (please report this line and the files used): {type(error).__name__}: "
                             f"{error}").get(args.lang)), file=sys.stderr)  # a personal number in it, masked
        return 3
    words = Text(f"读取 {summary.read} 行 = 评估 {summary.evaluated} 行 + 拒绝 {summary.rejected} 行；"
                 f"结果 {summary.outputs['results']}（{summary.result_rows} 行）",
                 f"read {summary.read} rows = {summary.evaluated} evaluated + {summary.rejected} rejected; "
                 f"results {summary.outputs['results']} ({summary.result_rows} rows)")
    print(words.get(args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
