"""The checks of a benefit's amount: the sums it writes (whole fen, not absurdly large), the fields it reads (they
exist and hold numbers, or grade names), the parameters its formula names. Pure: returns problems."""

from __future__ import annotations

from decimal import Decimal

from ..base.messages import Text, did_you_mean, field_type
from ..base.problems import Problem
from .catalog import NUMERIC_TYPES, catalog
from .checkconditions import field_problem
from .schema import (
    FixedAmount,
    FormulaAmount,
    GradesAmount,
    InKindAmount,
    NotStatedAmount,
    PartsAmount,
    PercentageAmount,
    PerUnitAmount,
    RangeAmount,
    Rulebook,
    TiersAmount,
    UpToAmount,
)
from .visit import AmountVisitor
from .yamlsource import Located

MAX_SUM = Decimal("1e13")  # a sum a rulebook writes, in yuan (profile.MAX_MONEY: the largest an applicant states)
# a grade is matched by its text: a money or decimal value is written in more than one way (5000, 5000.00)
GRADE_TYPES = ("text", "one_of", "int")
SUM_KEYS = ("value", "min", "max", "cumulative_cap", "rate", "rate_min", "rate_max", "cap")


def check_amount(amount, path: tuple, book: Rulebook, located: Located) -> list[Problem]:
    return _AmountCheck(book, located).check(amount, path)


class _AmountCheck(AmountVisitor[list[Problem]]):
    def __init__(self, book: Rulebook, located: Located):
        self.book, self.located = book, located

    def check(self, amount, path: tuple) -> list[Problem]:
        """The sums any kind writes, then what its kind reads."""
        problems = []
        for name in SUM_KEYS:
            problems += _sum_problems(getattr(amount, name, None), path + (name,), self.located)
        for name in ("tiers", "grades"):
            for i, item in enumerate(getattr(amount, name, None) or []):
                problems += _sum_problems(item.value, path + (name, i, "value"), self.located)
        return problems + self.visit(amount, path)

    def _numeric_field(self, name: str | None, at: tuple, allowed: tuple[str, ...] = NUMERIC_TYPES,
                       use: Text | None = None, purpose: Text = Text("计算金额", "in an amount")) -> list[Problem]:
        if name is None:
            return []
        missing = field_problem(name, at, self.located)
        if missing:
            return [missing]
        spec = catalog().fields[name]
        if spec.type in allowed:
            return []
        kind = field_type(spec.type)
        return [self.located.problem(
            at, Text(f"字段 {name} 的类型为{kind.zh}，不能用来{purpose.zh}", f"{name} is {kind.en} and cannot be used {purpose.en}"),
            use or Text("用类型为整数、金额或数字的字段（chuangye fields 列出类型）",
                        "use a whole-number, money or number field (`chuangye fields` lists the types)"),
            code="type_mismatch")]

    def per_unit(self, rule: PerUnitAmount, path: tuple) -> list[Problem]:
        return self._numeric_field(rule.unit_field, path + ("unit_field",), ("int",), Text(
            "unit_field 写人数、户数、个数这样的整数字段，如 graduates_retained（chuangye fields 列出类型）",
            "unit_field counts people, households or businesses: use a whole-number field, e.g. graduates_retained"))

    def percentage(self, rule: PercentageAmount, path: tuple) -> list[Problem]:
        return self._numeric_field(rule.of_field, path + ("of_field",))

    def tiers(self, rule: TiersAmount, path: tuple) -> list[Problem]:
        return self._numeric_field(rule.field, path + ("field",))

    def up_to(self, rule: UpToAmount | RangeAmount, path: tuple) -> list[Problem]:
        problems = self._numeric_field(rule.received_field, path + ("received_field",), ("money",), Text(
            "received_field 写已领取金额（元）的金额字段，如 carrier_awards_received",
            "received_field holds the sum already received, in yuan: use a money field, e.g. carrier_awards_received"))
        if (rule.cumulative_cap is None) != (rule.received_field is None):
            problems.append(self.located.problem(
                path, Text("cumulative_cap（累计上限）与 received_field（已领取金额的字段）须同时给出",
                           "cumulative_cap and received_field go together"),
                Text("如 cumulative_cap: 2000000, received_field: carrier_awards_received",
                     "e.g. cumulative_cap: 2000000, received_field: carrier_awards_received"), code="incomplete_amount"))
        return problems

    range = up_to

    def grades(self, rule: GradesAmount, path: tuple) -> list[Problem]:
        return self._numeric_field(rule.field, path + ("field",), GRADE_TYPES, Text(
            "grades 的 field 写存放等级名称的文本或选项字段，如 project_grade；按金额、数量分档请用 kind: tiers",
            "the field of grades holds the grade's name: use a text or choice field, e.g. project_grade; for "
            "thresholds of a sum or a count use kind: tiers"), Text("评定等级", "as a grade"))

    def formula(self, rule: FormulaAmount, path: tuple) -> list[Problem]:
        problems = []
        parameters = self.book.parameters
        for i, factor in enumerate(rule.factors):
            if factor.parameter is not None and factor.parameter not in parameters:
                hint = did_you_mean(factor.parameter, sorted(parameters)) or Text(
                    "在文件顶层的 parameters 下定义它（description、unit、source、values），见 docs/rulebook-format.md",
                    "define it under the top-level parameters (description, unit, source, values)")
                problems.append(self.located.problem(
                    path + ("factors", i, "parameter"),
                    Text(f"公式引用的参数 {factor.parameter} 没有在 parameters 中定义",
                         f"the formula uses parameter {factor.parameter}, which parameters does not define"),
                    hint, code="unknown_parameter"))
            if factor.field is not None:
                problems += self._numeric_field(factor.field, path + ("factors", i, "field"))
        return problems

    def parts(self, rule: PartsAmount, path: tuple) -> list[Problem]:
        return [p for i, part in enumerate(rule.parts) for p in self.check(part.amount, path + ("parts", i, "amount"))]

    def fixed(self, rule: FixedAmount | NotStatedAmount | InKindAmount, path: tuple) -> list[Problem]:
        return []

    not_stated = in_kind = fixed


def _sum_problems(value, at: tuple, located: Located) -> list[Problem]:
    """A sum in yuan the rulebook writes: whole fen, and not absurdly large."""
    if not isinstance(value, Decimal):
        return []
    shown = format(value, "f") if value.is_finite() and abs(value.adjusted()) < 40 else str(value)
    if value > MAX_SUM:
        return [located.problem(at, Text(f"金额 {shown} 元过大（上限 {MAX_SUM:,.0f} 元）",
                                         f"the sum {shown} yuan is too large (at most {MAX_SUM:,.0f} yuan)"),
                                Text("金额以元为单位：1万元写 10000，1亿元写 100000000",
                                     "sums are in yuan: 1万元 is 10000, 1亿元 is 100000000"), code="out_of_range")]
    if value != value.quantize(Decimal("0.01")):
        return [located.problem(at, Text(f"金额 {shown} 元不是整分：金额最多两位小数", f"the sum {shown} yuan is not a whole "
                                         "number of fen: a sum has at most two decimals"),
                                Text("金额以元为单位，写到分为止，如 1234.56", "sums are in yuan, to the fen, e.g. 1234.56"),
                                code="fraction_of_fen")]
    return []
