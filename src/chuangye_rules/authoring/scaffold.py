"""`chuangye new CITY`: a new city's rulebook and case file from a template, valid from the first minute.

The rulebook gets the document's metadata, the `# yaml-language-server: $schema=...` line for editors, and
one placeholder benefit (marked TODO) whose quote is the document's first sentence and whose amount is
not_stated, so that `chuangye validate` and `chuangye test` pass before the first real rule is written.
The official text is copied to `<rulebooks>/sources/<city>.txt` (converted to UTF-8 if it was GBK).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..base.messages import Text
from ..base.problems import InputError, Problem, make_problem

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
SCHEMA_LINE = "# yaml-language-server: $schema={}"
DEFAULT_SCHEMA = "../docs/schema/rulebook.schema.json"
SENTENCE_END = re.compile(r"[。；;！？!?\n]")
MIN_QUOTE_CHARS = 8  # as lint.MIN_QUOTE_CHARS: a shorter quote gives a warning
MAX_QUOTE_CHARS = 60
PLACEHOLDER_ID = "todo_first_benefit"

# The questions `chuangye new` asks, in order: (key, question, required). Each has an option of its own.
PROMPTS = [
    ("zh", "城市中文名（如 淄博）", True),
    ("en", "城市英文名（如 Zibo）", True),
    ("title", "文件标题", True),
    ("number", "文号（如 淄政办发〔2023〕1号；没有则直接回车）", False),
    ("issuer", "发文单位（如 淄博市人民政府办公室）", True),
    ("issued", "印发日期 YYYY-MM-DD（不知道则直接回车）", False),
    ("in_force_from", "生效日期 YYYY-MM-DD", True),
    ("in_force_to", "截止日期 YYYY-MM-DD（文件没写则直接回车）", False),
    ("source", "原文文本文件的路径（UTF-8 或 GBK 的 .txt）", True),
]
QUESTIONS_EN = {  # the same questions with `--lang en`
    "zh": "the city's Chinese name (e.g. 淄博)",
    "en": "the city's English name (e.g. Zibo)",
    "title": "the document's title",
    "number": "the document number (e.g. 淄政办发〔2023〕1号; press Enter if there is none)",
    "issuer": "the issuing body (e.g. 淄博市人民政府办公室)",
    "issued": "the date it was issued, YYYY-MM-DD (press Enter if unknown)",
    "in_force_from": "the date it takes effect, YYYY-MM-DD",
    "in_force_to": "the date it ends, YYYY-MM-DD (press Enter if the document does not say)",
    "source": "the path of the official text (a .txt in UTF-8 or GBK)",
}
OPTIONS = {"zh": "--zh", "en": "--en", "title": "--title", "number": "--number", "issuer": "--issuer",
           "issued": "--issued", "in_force_from": "--from", "in_force_to": "--to", "source": "--source"}
DATES = ("issued", "in_force_from", "in_force_to")


@dataclass
class NewCity:
    slug: str
    zh: str
    en: str
    title: str
    issuer: str
    in_force_from: dt.date
    source: Path
    number: str | None = None
    issued: dt.date | None = None
    in_force_to: dt.date | None = None
    draft: bool = False


@dataclass
class Scaffolded:
    rulebook: Path
    cases: Path
    source: Path
    converted_from: str | None = None  # the source text's encoding when it was not UTF-8
    problems: list[Problem] = field(default_factory=list)  # what `chuangye validate` says of the new file

    def summary(self, lang: str = "zh") -> list[str]:
        errors = [p for p in self.problems if p.severity == "error"]
        if lang == "en":
            return [f"Wrote the rulebook {self.rulebook}", f"Wrote the test cases {self.cases}",
                    f"Copied the official text to {self.source}"
                    + (f" (converted from {self.converted_from} to UTF-8)" if self.converted_from else ""),
                    "chuangye validate: " + ("passed" if not errors else f"{len(errors)} error(s)"),
                    *[f"  {p.format(lang)}" for p in self.problems],
                    "Next:",
                    f"  1. Read {self.source} through and write each benefit as an item under benefits in {self.rulebook} "
                    "(the format is in docs/rulebook-format.md)",
                    f"  2. Once the first real benefit is written, delete the placeholder benefit {PLACEHOLDER_ID} and the "
                    f"placeholder case in {self.cases}",
                    f"  3. chuangye validate {self.rulebook}",
                    f"  4. chuangye test {self.cases} --rulebooks {self.rulebook.parent}"]
        lines = [f"已生成规则库 {self.rulebook}", f"已生成测试用例 {self.cases}", f"已复制原文 {self.source}"
                 + (f"（已从 {self.converted_from} 转为 UTF-8）" if self.converted_from else "")]
        lines.append("chuangye validate: " + ("通过" if not errors else f"{len(errors)} 个错误"))
        lines += [f"  {p.format()}" for p in self.problems]
        lines += ["下一步:",
                  f"  1. 通读 {self.source}，把每项待遇写成 {self.rulebook} 中 benefits 下的一项（格式见 docs/rulebook-format.md）",
                  f"  2. 写好第一项真实待遇后，删除占位待遇 {PLACEHOLDER_ID} 和 {self.cases} 中的占位用例",
                  f"  3. chuangye validate {self.rulebook}",
                  f"  4. chuangye test {self.cases} --rulebooks {self.rulebook.parent}"]
        return lines


# ------------------------------------------------------------------------------------------ answers


def answer_problem(key: str, text: str | None, lang: str = "zh") -> str | None:
    """Why an answer to one question cannot be used ("--option: why"), or None when it can."""
    why = _why_not(key, text)
    return f"{OPTIONS[key]}: {why.get(lang)}" if why else None


def _why_not(key: str, text: str | None) -> Text | None:
    text = (text or "").strip()
    required = next(r for k, _, r in PROMPTS if k == key)
    if not text:
        return Text("必须填写", "required") if required else None
    if key in DATES:
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return Text(f"{text!r} 不是有效日期，应写作 YYYY-MM-DD，如 2023-01-01",
                        f"{text!r} is not a valid date; write YYYY-MM-DD, e.g. 2023-01-01")
    if key == "source" and not Path(text).expanduser().is_file():
        return Text(f"找不到文件 {text}", f"no such file: {text}")
    return None


def new_city(slug: str, answers: dict, draft: bool = False) -> NewCity:
    """The metadata from the answers (options or prompts); InputError names every answer that cannot be used."""
    problems = []
    if not SLUG.match(slug or ""):
        suggestion = re.sub(r"[^a-z0-9]+", "_", str(slug).lower()).strip("_")
        problems.append(make_problem(
            "CITY", None, None, Text(f"城市标识 {slug!r} 无效", f"the city identifier {slug!r} is not valid"),
            Text("用小写英文字母、数字和下划线，以字母开头（通常是城市拼音），" + (f"如 {suggestion}" if suggestion else "如 zibo"),
                 f"use lower-case letters, digits and underscores, starting with a letter (usually the city's pinyin), "
                 f"e.g. {suggestion or 'zibo'}")))
    for key, _, _ in PROMPTS:
        why = _why_not(key, answers.get(key))
        if why:
            missing = not str(answers.get(key) or "").strip()
            problems.append(make_problem(OPTIONS[key], None, None, why,
                                         Text(f"用 {OPTIONS[key]} 给出，或不加 --no-input 按提示填写",
                                              f"give it with {OPTIONS[key]}, or run without --no-input and answer the question")
                                         if missing else None))
    if problems:
        raise InputError(problems)

    def value(key):
        text = str(answers.get(key) or "").strip()
        return text or None

    def date(key):
        return dt.date.fromisoformat(value(key)) if value(key) else None

    meta = NewCity(slug=slug, zh=value("zh"), en=value("en"), title=value("title"), issuer=value("issuer"),
                   in_force_from=date("in_force_from"), source=Path(value("source")).expanduser(),
                   number=value("number"), issued=date("issued"), in_force_to=date("in_force_to"), draft=draft)
    if meta.in_force_to and meta.in_force_to < meta.in_force_from:
        raise InputError([make_problem("--to", None, None,
                                       Text(f"截止日期 {meta.in_force_to} 早于生效日期 {meta.in_force_from}",
                                            f"the end date {meta.in_force_to} is before the date it takes effect, "
                                            f"{meta.in_force_from}"),
                                       Text("检查年份", "check the year"))])
    return meta


# ------------------------------------------------------------------------------------------ templates


def first_sentence(text: str) -> str:
    """The document's first sentence of at least MIN_QUOTE_CHARS characters (cut at MAX_QUOTE_CHARS): an exact
    passage of the text, for the placeholder's quote."""
    for chunk in SENTENCE_END.split(text):
        chunk = chunk.strip()
        if len(re.sub(r"\s+", "", chunk)) >= MIN_QUOTE_CHARS:
            return chunk[:MAX_QUOTE_CHARS].strip()
    raise InputError([make_problem("--source", None, None,
                                   Text(f"原文太短：找不到一句 {MIN_QUOTE_CHARS} 个字以上的话",
                                        f"the text is too short: it has no sentence of {MIN_QUOTE_CHARS} characters or more"),
                                   Text("检查是否选对了文件（应为文件全文）",
                                        "check that this is the right file (the document's full text)"))])


def scalar(value: str, flow: bool = False) -> str:
    """A YAML scalar for `value`: plain when it reads back unchanged, otherwise double-quoted."""
    text = str(value)
    risky = ": " in text or " #" in text or text != text.strip() or (flow and any(c in text for c in ",[]{}"))
    if not risky:
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def schema_line(rulebooks_dir: Path) -> str:
    """The editor line, pointing at docs/schema/rulebook.schema.json of the repository the folder is in."""
    for parent in [rulebooks_dir.resolve(), *rulebooks_dir.resolve().parents]:
        candidate = parent / "docs" / "schema" / "rulebook.schema.json"
        if candidate.is_file():
            return SCHEMA_LINE.format(Path(os.path.relpath(candidate, rulebooks_dir.resolve())).as_posix())
    return SCHEMA_LINE.format(DEFAULT_SCHEMA)


def render_rulebook(meta: NewCity, source: str, quote: str, schema: str, today: dt.date) -> str:
    def line(key: str, value, note: str = "", raw: bool = False) -> str:
        if not value:
            return f"  # {key}:          # {note}（没有时不写）"
        text = str(value) if raw else scalar(value)
        return f"  {key}: {text}" + (f"    # {note}" if note else "")

    doc = "\n".join([
        line("title", meta.title),
        line("number", meta.number, "文号"),
        line("issuer", meta.issuer),
        line("issued", meta.issued, "印发日期", raw=True),
        line("in_force_from", meta.in_force_from, raw=True),
        line("in_force_to", meta.in_force_to, "截止日期", raw=True),
        line("source", source, "原文，相对于本文件"),
        line("draft", "true" if meta.draft else "false", "征求意见稿写 true：每条结果都会注明", raw=True),
    ])
    return f"""{schema}
# {meta.zh}（{meta.en}）规则库，由 `chuangye new {meta.slug}` 于 {today} 生成。格式说明见 docs/rulebook-format.md。
# 下一步：
#   1. 通读 {source}，把每项待遇写成 benefits 下的一项（quote 从原文原样复制）；
#   2. 写好第一项真实待遇后，删除占位待遇 {PLACEHOLDER_ID}（及 tests/cases/{meta.slug}.yaml 中的占位用例）；
#   3. 运行 chuangye validate、chuangye test 和 chuangye coverage {meta.slug}。
city: {{slug: {meta.slug}, zh: {scalar(meta.zh, flow=True)}, en: {scalar(meta.en, flow=True)}}}

document:
{doc}

parameters: {{}}     # 文件引用而未写数值的标准（如最低工资标准），见 docs/rulebook-format.md「参数」

targets: []        # 文件的主要目标（如“每年扶持创业3000人”），不是对申请人的待遇

benefits:
  # TODO 占位待遇：让新文件立即通过 chuangye validate。写好第一项真实待遇后删除本项。
  - id: {PLACEHOLDER_ID}
    name: 待填写：第一项待遇
    name_en: "TODO: first benefit"
    clause: 待填写
    category: service
    applicant_kinds: [individual]
    amount: {{kind: not_stated, set_by: 待填写（TODO）}}
    departments:
      lead: [待填写]
    quote: {scalar(quote)}
    notes: TODO（占位）：这一项由 chuangye new 生成，引文是原文的第一句。请换成真实的待遇后删除本项。

not_encoded: []    # 带金额、期限或待遇却不编码的句子，每句写明理由
"""


def render_cases(meta: NewCity, rulebook_name: str) -> str:
    return f"""# {meta.zh}（{meta.en}）规则库 {rulebook_name} 的测试用例，由 `chuangye new {meta.slug}` 生成。
# 运行：chuangye test tests/cases/{meta.slug}.yaml。每项有条件的待遇至少写两个用例：一个符合条件，一个只差一项。
rulebook: {meta.slug}
cases:
  # TODO 占位用例：对应占位待遇 {PLACEHOLDER_ID}，写好真实用例后删除。
  - name: 占位用例（TODO）
    as_of: {meta.in_force_from}
    profile: {{kind: individual}}
    expect:
      {PLACEHOLDER_ID}: {{status: eligible, amount: {{kind: not_stated}}}}
"""


# ------------------------------------------------------------------------------------------ writing


def _read_source(path: Path) -> tuple[str, str | None]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        raise InputError([make_problem(str(path), None, None,
                                       Text("原文既不是 UTF-8 也不是 GBK 编码", "the text is neither UTF-8 nor GBK"),
                                       Text("用文本编辑器另存为 UTF-8 的 .txt 文件",
                                            "save it as a UTF-8 .txt file in a text editor"))]) from None


def scaffold(meta: NewCity, rulebooks_dir: Path, cases_dir: Path, force: bool = False,
             today: dt.date | None = None) -> Scaffolded:
    """Write <rulebooks_dir>/<slug>.yaml, <cases_dir>/<slug>.yaml and <rulebooks_dir>/sources/<slug>.txt."""
    from ..base.outfile import place_files
    from .validation import validate_paths

    rulebooks_dir, cases_dir = Path(rulebooks_dir), Path(cases_dir)
    rulebook = rulebooks_dir / f"{meta.slug}.yaml"
    cases = cases_dir / f"{meta.slug}.yaml"
    source = rulebooks_dir / "sources" / f"{meta.slug}.txt"
    text, encoding = _read_source(meta.source)
    same_source = source.exists() and source.resolve() == meta.source.resolve()
    existing = [p for p in (rulebook, cases) if p.exists()] + ([source] if source.exists() and not same_source else [])
    if existing and not force:
        raise InputError([make_problem(str(p), None, None, Text("文件已存在，没有覆盖", "the file exists and was not overwritten"),
                                       Text("换一个城市标识，或加 --force 覆盖",
                                            "choose another city identifier, or add --force to overwrite"))
                          for p in existing])
    quote = first_sentence(text)
    files = [(source, text.encode("utf-8"))] if not same_source or encoding else []
    files += [(rulebook, render_rulebook(meta, f"sources/{meta.slug}.txt", quote, schema_line(rulebooks_dir),
                                         today or dt.date.today()).encode("utf-8")),
              (cases, render_cases(meta, f"{rulebooks_dir.name}/{rulebook.name}").encode("utf-8"))]
    place_files(files, overwrite=True)  # (what is there was refused above unless --force): all three, or none
    report = validate_paths([rulebook], cases=cases)
    return Scaffolded(rulebook, cases, source, encoding, report.problems)
