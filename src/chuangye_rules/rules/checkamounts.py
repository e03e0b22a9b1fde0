"""The checks of a benefit's amount: the sums it writes (whole fen, not absurdly large), the fields it reads (they
exist and hold numbers, or grade names), the parameters its formula names. Pure: returns problems."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..base.messages import Text, did_you_mean, field_type
from ..base.problems import Problem
from .amountbounds import INT64_MAX_FEN, MAX_AMOUNT, WIDE_MAX, amount_bound
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
from .values import MAX_MONEY, PARAMETER_DECIMALS, parameter_value_problem
from .visit import AmountVisitor
from .yamlsource import Located

MAX_SUM = Decimal("1e13")  # a sum a rulebook writes, in yuan (profile.MAX_MONEY: the largest an applicant states)
# a grade is matched by its text: a money or decimal value is written in more than one way (5000, 5000.00)
GRADE_TYPES = ("text", "one_of", "int")
SUM_KEYS = ("value", "min", "max", "cumulative_cap", "rate", "rate_min", "rate_max", "cap")


def check_amount(amount, path: tuple, book: Rulebook, located: Located) -> list[Problem]:
    problems = _AmountCheck(book, located).check(amount, path)
    return problems or bound_problems(amount, path, located)


def shown_yuan(value: Fraction) -> str:
    whole = int(value)
    if whole < 10 ** 21:
        return f"{whole:,}"
    mantissa, exponent = f"{Decimal(whole):.2E}".split("E")
    return f"{mantissa}×10^{int(exponent)}"


def rulebook_amount_problems(book: Rulebook, located: Located) -> list[Problem]:
    """What the whole rulebook's sums must keep to: its parameters' values as --param's are checked, and the
    benefits of one applicant together within 64-bit fen (the batch's per-applicant totals)."""
    problems = []
    for name, parameter in (book.parameters or {}).items():
        for i, entry in enumerate(getattr(parameter, "values", None) or []):
            _, wrong = parameter_value_problem(entry.value)
            if wrong is not None:
                problems.append(located.problem(("parameters", name, "values", i, "value"), Text(
                    f"参数 {name} 的{wrong.zh}", f"parameter {name}: {wrong.en}"),
                    Text(f"参数值不小于 0、不大于 {MAX_MONEY:,.0f}，最多 {PARAMETER_DECIMALS} 位小数",
                         f"a parameter's value is at least 0, at most {MAX_MONEY:,.0f}, with at most "
                         f"{PARAMETER_DECIMALS} decimals"), code="out_of_range"))
    bounds = [amount_bound(b.amount) for b in book.benefits]
    if any(b.largest > MAX_AMOUNT or b.wide > WIDE_MAX for b in bounds):
        return problems  # said of that benefit (bound_problems), which explains the total too
    total = sum((b.largest for b in bounds), Fraction(0))
    if total * 100 > INT64_MAX_FEN:
        problems.append(located.problem(("benefits",), Text(
            f"全部待遇合计（一位申请人）在各字段取可填的最大值时可达 {shown_yuan(total)} 元，超出批量计算能精确相加的范围",
            f"all benefits together (one applicant), with each field at the largest value it may hold, reach "
            f"{shown_yuan(total)} yuan, beyond what a batch can add up exactly"), Text(
            "给金额最大的几项加 cap（总额上限）", "give the largest amounts a cap"), code="out_of_range"))
    return problems


def bound_problems(amount, path: tuple, located: Located) -> list[Problem]:
    """An amount no engine computes exactly for the largest values a profile or a list may hold (amountbounds)."""
    bound = amount_bound(amount)
    if bound.wide > WIDE_MAX:
        return [located.problem(path, Text(
            "金额的乘积在各字段取可填的最大值时超出可精确计算的范围（38 位整数），批量计算无法得出准确金额",
            "the amount's product, with each field at the largest value it may hold, is beyond what can be computed "
            "exactly (38 digits), so a batch could not give an exact sum"), Text(
            "给公式的字段因子加 max（如“最长12个月”写 max: 12），或减少因子个数和 number、percent 的小数位；"
            "cap 不能解决（封顶之前的乘积已超出）",
            "give the formula's field factors a max (at most 12 months: max: 12), or use fewer factors and fewer "
            "decimals in number and percent; a cap does not help (the product overflows before it is capped)"),
            code="out_of_range")]
    if bound.largest > MAX_AMOUNT:
        return [located.problem(path, Text(
            f"金额在各字段取可填的最大值时可达 {shown_yuan(bound.largest)} 元，超过一项待遇可精确计算的上限 "
            f"{MAX_AMOUNT:,.0f} 元",
            f"with each field at the largest value it may hold the amount reaches {shown_yuan(bound.largest)} yuan, "
            f"above the {MAX_AMOUNT:,.0f} yuan one benefit can be computed exactly to"), Text(
            "加 cap（总额上限，如 cap: 1000000）" + ("，或给公式的字段因子加 max（如“最长12个月”写 max: 12）"
                                                    if amount.kind == "formula" else ""),
            "add a cap (e.g. cap: 1000000)" + (", or give the formula's field factors a max (at most 12 months: "
                                               "max: 12)" if amount.kind == "formula" else "")),
            code="out_of_range")]
    return []


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
