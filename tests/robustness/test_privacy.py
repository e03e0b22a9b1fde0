"""Personal ID numbers (身份证号) and phone numbers never appear whole in anything the engine writes for people:
messages, errors.csv, summary.json, report.md, the result files, stdout and stderr — wherever in the input
they were (the ID column, the applicant id, a bad cell, an unknown column, a header)."""

import json

import pytest

from chuangye_rules.base.privacy import mask_text

ID = "340602199001011234"
ID_X = "11010519491231002X"
OLD_ID = "340602900101123"
MOBILE = "13912345678"
SECRETS = [ID, ID_X, OLD_ID, MOBILE, "139-1234-5678", "+86 139 1234 5678", "8613912345678"]


@pytest.mark.parametrize("text, masked", [
    (f"身份证 {ID} 电话 {MOBILE}", "身份证 340*************34 电话 139****5678"),
    (ID_X, "110*************2X"),
    (ID_X.lower(), "110*************2x"),
    (OLD_ID, "340**********23"),
    ("139-1234-5678", "139****5678"),
    ("139 1234 5678", "139****5678"),
    ("+86 13912345678", "+86 139****5678"),
    ("+8613912345678", "+86139****5678"),
    (f"编号{ID}号", "编号340*************34号"),
])
def test_mask_text(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", ["5000", "2024-06-01", "20240601", "HB-0001", "1234567", "3000000.00",
                                  "12345678901234567890", "一次性创业补贴5000元"])
def test_ordinary_numbers_are_left_alone(text):
    assert mask_text(text) == text


def no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} in {where}"
    compact = text.replace(" ", "").replace("-", "")
    for secret in (ID, ID_X, OLD_ID, MOBILE):
        assert secret not in compact, f"{secret} (with separators) in {where}"


HEADER = f"编号,城市,申请人类型,身份,注册登记日期,首次创业,正常经营,正常申报纳税,吸纳就业人数,身份证号,联系电话,备注,{ID}"
ROWS = [
    f"{ID},鄂尔多斯,个人,残疾人,2022-03-01,是,是,是,2,{ID},{MOBILE},身份证{ID},x",           # ID as the applicant id
    f"A2,鄂尔多斯,个人,残疾人,{ID},是,是,是,2,{ID_X},{MOBILE},电话{MOBILE},x",                 # ID in a bad date cell
    f"A3,鄂尔多斯,个人,残疾人,2022-03-01,是,是,是,{MOBILE},{OLD_ID},139-1234-5678,,x",       # phone in a bad count cell
    f"+86 139 1234 5678,鄂尔多斯,个人,{ID},2022-03-01,是,是,是,2,,,,x",                     # a phone as the id; ID as an identity
    f"{ID},鄂尔多斯,个人,残疾人,2022-03-01,是,是,是,2,{ID},{MOBILE},,x",                      # the same ID again: a duplicate
    f"A6,鄂尔多斯,个人,残疾人,2022-03-01,是,是,是,2,{ID}",                                   # too few cells
]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_a_batch_with_personal_numbers_everywhere_shows_none_of_them(tmp_path, cli, fmt):
    path = tmp_path / "list.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("batch", path, "-o", out, "--as-of", "2024-06-01", "--report", "--format", fmt)
    assert done.returncode == 0, done.stderr
    no_secret(done.stdout + done.stderr, "the command's output")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["rejected"] == 4 and summary["duplicate_ids"] == 1
    assert any(c.startswith("340") and "*" in c for c in summary["ignored_columns"])
    for file in sorted(out.iterdir()):
        if file.suffix == ".xlsx":
            import zipfile

            with zipfile.ZipFile(file) as archive:
                text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        else:
            text = file.read_text("utf-8-sig")
        no_secret(text, file.name)
    errors = (out / "errors.csv").read_text("utf-8-sig")
    assert "340*************34" in errors and "139****5678" in errors, "masked, yet recognisable"


def test_a_check_with_personal_numbers_shows_none_of_them(tmp_path, cli):
    profile = tmp_path / "p.yaml"
    profile.write_text(f"applicant_id: '{ID}'\nkind: individual\nid_number: '{ID}'\nphone: '{MOBILE}'\ncity: 淮北\n",
                       encoding="utf-8")
    for args in (["--format", "json"], ["--show-all"], ["--lang", "en"]):
        done = cli("check", profile, "--as-of", "2024-06-01", *args)
        assert done.returncode == 0, done.stderr
        no_secret(done.stdout + done.stderr, f"check {args}")
    done = cli("explain", profile, "returnee_startup_subsidy", "--as-of", "2024-06-01")
    no_secret(done.stdout + done.stderr, "explain")


@pytest.mark.parametrize("text", [
    f"kind: individual\nemployees: {ID}\n",                  # an ID in a bad value
    f"kind: individual\napplicant_id: {ID}\n",               # an ID written as a number: not text
    f"kind: individual\n{ID}: 1\n",                          # an ID as a field name
    f"kind: individual\nidentities: [{MOBILE}]\n",          # a phone as an identity
    f"kind: individual\nid_number: {ID}\n",                  # the personal field, wrongly typed
    f"kind: individual\nphone: [{MOBILE}]\n",
    f"kind: individual\ngraduation_date: {MOBILE}\n",
])
def test_errors_about_a_profile_never_show_the_number(tmp_path, chuangye, text):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = chuangye("check", path, "--as-of", "2024-06-01")
    assert code == 2, (out, err)
    no_secret(out + err, "check's message")


def test_an_internal_error_message_is_masked_too(chuangye, monkeypatch):
    """Even the last-resort one-line message (exit 3) never prints a number whole."""
    from chuangye_rules.cli import batch as batch_command

    def boom(*args, **kwargs):
        raise RuntimeError(f"unexpected while reading {ID}")

    monkeypatch.setattr(batch_command, "_show_columns", boom)
    code, out, err = chuangye("batch", "--show-columns")
    assert code == 3 and "内部错误" in err
    no_secret(err, "the internal error")


# ------------------------------------------------------------------ every common way of writing them

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytestmark = pytest.mark.slow  # the slow set: `python -m pytest -m "not slow"` leaves it out (README, Development)

_AROUND = st.text(alphabet="编号身份证电话:： ，,abcXYZ（）()", max_size=6)


def _spaced(draw, digits: str) -> str:
    """The digits with a space or a dash, or nothing, in any gap (at most one each)."""
    out = digits[0]
    for ch in digits[1:]:
        out += draw(st.sampled_from(["", "", "", " ", "-"])) + ch
    return out


@st.composite
def written_numbers(draw):
    kind = draw(st.sampled_from(["id18", "id15", "mobile", "landline"]))
    if kind == "id18":
        digits = draw(st.from_regex(r"[1-6][0-9]{16}", fullmatch=True)) + draw(st.sampled_from("0123456789Xx"))
        return digits, _spaced(draw, digits)
    if kind == "id15":
        digits = draw(st.from_regex(r"[1-6][0-9]{14}", fullmatch=True))
        return digits, _spaced(draw, digits)
    if kind == "mobile":
        digits = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
        prefix = draw(st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "0086 ", "86", "86 ", "(+86)", "(86) "]))
        return digits, prefix + _spaced(draw, digits)
    area = draw(st.from_regex(r"0[1-9][0-9]{1,2}", fullmatch=True))
    local = draw(st.from_regex(r"[2-8][0-9]{6,7}", fullmatch=True))
    form = draw(st.sampled_from(["{a}-{l}", "{a} {l}", "({a}){l}", "（{a}）{l}", "({a}) {l}", "{a}{l}"]))
    shown_local = _spaced(draw, local) if "{a}{l}" != form else local
    return area + local, form.format(a=area, l=shown_local)


def _compact(text: str) -> str:
    return "".join(ch for ch in text if ch not in " -").upper()


@settings(max_examples=400, deadline=None)
@given(written_numbers(), _AROUND, _AROUND)
def test_every_common_way_of_writing_a_personal_number_is_masked(number, before, after):
    digits, written = number
    text = before + written + after
    masked = mask_text(text)
    assert digits.upper() not in _compact(masked), (text, masked)
    assert "*" in masked


@pytest.mark.parametrize("written", ["340602 20000101 1234", "340602-20000101-1234", "3406 0220 0001 0112 34",
                                     "0561-3051234", "(0561)3051234", "010-87654321", "+86 139-1234-5678"])
def test_the_numbers_seen_unmasked_in_a_batch_are_masked_everywhere(tmp_path, cli, written):
    """Issue #13 item 6: written with spaces or dashes, and landlines, they were printed and written whole."""
    path = tmp_path / "list.csv"
    path.write_text("编号,城市,申请人类型,身份,联系电话,吸纳就业人数\n"
                    f"\"{written}\",鄂尔多斯,个人,残疾人,\"{written}\",2\n"
                    f"A2,鄂尔多斯,个人,残疾人,\"{written}\",\"{written}\"\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli("batch", path, "-o", out, "--as-of", "2024-06-01", "--report")
    assert done.returncode == 0, done.stderr
    secret = _compact(written).lstrip("(").replace("(", "").replace(")", "").replace("+86", "")
    assert secret not in _compact(done.stdout + done.stderr)
    for file in out.iterdir():
        text = _compact(file.read_text("utf-8-sig").replace("(", "").replace(")", ""))
        assert secret not in text, file.name
