"""base/privacy.mask_text as a Spark column expression: the executors run no Python, so a personal number in a
`--table`'s applicant ids or bad cells is masked by Spark SQL with the same patterns (privacy.FORMS, in Java's
regex), the same digits kept: an ID's first three and last two, a mobile's first three and last four (its +86
kept as written), a landline's first three and last two; the separators inside a masked number dropped.

Each form is found with regexp_extract_all and every match replaced by its masked text (aggregate), the forms
in mask_text's order. tests/test_spark.py compares it with mask_text on numbers written every common way."""

from __future__ import annotations

from ..base.privacy import FORMS


def java_pattern(python_pattern: str) -> str:
    """A privacy.FORMS pattern in Java's syntax: named groups written (?<name>…), and \\d, \\s Unicode-aware as
    in Python (a full-width ０-９ is a digit there too)."""
    return "(?U)" + python_pattern.replace("(?P<", "(?<")


def _digits(text):
    from pyspark.sql import functions as F

    return F.regexp_replace(text, r"(?U)[^\dXx]", "")


def _masked_match(kind: str, match, pattern: str):
    """What mask_text writes for one match of form `kind`."""
    from pyspark.sql import functions as F

    if kind == "mobile":
        cc, digits = F.regexp_extract(match, pattern, 1), _digits(F.regexp_extract(match, pattern, 2))
        return F.concat(cc, digits.substr(F.lit(1), F.lit(3)), F.lit("****"), digits.substr(F.length(digits) - 3, F.lit(4)))
    digits = _digits(match)
    middle = digits.substr(F.lit(4), F.length(digits) - 5)
    return F.concat(digits.substr(F.lit(1), F.lit(3)), F.regexp_replace(middle, ".", "*"),
                    digits.substr(F.length(digits) - 1, F.lit(2)))


def masked(value):
    """`value` (a string column) with every personal number masked as mask_text masks it."""
    from pyspark.sql import functions as F

    for kind, python_pattern in FORMS.items():
        pattern = java_pattern(python_pattern)
        matches = F.regexp_extract_all(value, F.lit(pattern), F.lit(0))
        value = F.aggregate(matches, value, _replacer(kind, pattern))
    return value


def _replacer(kind: str, pattern: str):
    from pyspark.sql import functions as F

    return lambda text, match: F.replace(text, match, _masked_match(kind, match, pattern))
