"""`chuangye batch list.parquet --format parquet`: a Parquet list with typed columns gives the rows, rejections
and results of the same list as CSV text, and a float money column is refused (money is exact)."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from chuangye_rules.base.problems import InputError
from chuangye_rules.batch.runner import run_batch

AS_OF = dt.date(2024, 6, 1)
CSV = """编号,城市,类型,身份,毕业时间,营业执照登记日期,带动就业人数,研发投入,已享受待遇
A-1,淮北,个人,高校毕业生|退役军人,2022-07-01,2024-01-10,3,12345.67,
A-2,ordos,enterprise,无,,2023-05-01,12,,one_time_startup_subsidy
A-3,淮北,个人,宇航员,2022-07-01,,,,
A-4,,individual,college_graduate,2023-02-30,2024-01-01,1,5.00,
A-5,青岛,individual,college_graduate,2021-06-30,2024-02-29,0,0.01,
"""


def typed_frame() -> pl.DataFrame:
    """The CSV above as a Parquet file types it: dates DATE, counts INT, money DECIMAL(20,2), sets lists."""
    d = dt.date
    return pl.DataFrame({
        "applicant_id": ["A-1", "A-2", "A-3", "A-4", "A-5"],
        "city": ["淮北", "ordos", "淮北", None, "青岛"],
        "kind": ["个人", "enterprise", "个人", "individual", "individual"],
        "identities": [["高校毕业生", "退役军人"], [], ["宇航员"], ["college_graduate"], ["college_graduate"]],
        "graduation_date": ["2022-07-01", None, "2022-07-01", "2023-02-30", "2021-06-30"],  # text: one bad date
        "business_registered_date": [d(2024, 1, 10), d(2023, 5, 1), None, d(2024, 1, 1), d(2024, 2, 29)],
        "employees": [3, 12, None, 1, 0],
        "rd_investment": [Decimal("12345.67"), None, None, Decimal("5.00"), Decimal("0.01")],
        "received": [None, "one_time_startup_subsidy", None, None, None],
    }, schema_overrides={"rd_investment": pl.Decimal(20, 2)})


def test_parquet_list_equals_the_csv_list(tmp_path):
    (tmp_path / "list.csv").write_text(CSV, encoding="utf-8")
    typed_frame().write_parquet(tmp_path / "list.parquet")
    text = run_batch(tmp_path / "list.csv", tmp_path / "csv", as_of=AS_OF, fmt="csv")
    typed = run_batch(tmp_path / "list.parquet", tmp_path / "pq", as_of=AS_OF, fmt="parquet")
    assert (typed.read, typed.evaluated, typed.rejected) == (5, 3, 2) == (text.read, text.evaluated, text.rejected)
    assert typed.encoding == "parquet" and typed.balanced
    got = pl.read_parquet(tmp_path / "pq" / "results.parquet")
    want = pl.read_csv(tmp_path / "csv" / "results.csv", infer_schema=False)
    assert got.height == want.height == typed.result_rows > 0
    assert got.schema["amount_max"] == pl.Decimal(38, 2)
    key = ["applicant_id", "city", "benefit_id"]
    got_text = got.with_columns(pl.col(pl.Decimal).cast(pl.String)).select(
        *key, "status", "amount_kind", "amount_value", "amount_min", "amount_max", "missing_facts").sort(key)
    want_text = want.select(*key, "status", "amount_kind", "amount_value", "amount_min", "amount_max",
                            "missing_facts").sort(key)
    assert got_text.equals(want_text)
    # the rows differ by one (CSV counts the header line), the reasons are the same
    errors = pl.read_csv(tmp_path / "pq" / "errors.csv")
    assert errors["row"].to_list() == [3, 4] and errors["column"].to_list() == ["identities", "graduation_date"]
    assert pl.read_csv(tmp_path / "csv" / "errors.csv")["reason"].to_list() == errors["reason"].to_list()


def test_a_float_money_column_is_refused(tmp_path):
    typed_frame().with_columns(pl.col("rd_investment").cast(pl.Float64)).write_parquet(tmp_path / "f.parquet")
    with pytest.raises(InputError, match="rd_investment.*浮点数"):
        run_batch(tmp_path / "f.parquet", tmp_path / "out", as_of=AS_OF, fmt="parquet")
    assert not (tmp_path / "out").exists()


def test_not_a_parquet_file_is_a_message(tmp_path):
    (tmp_path / "x.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="无法读取 Parquet 文件"):
        run_batch(tmp_path / "x.parquet", tmp_path / "out", as_of=AS_OF)
