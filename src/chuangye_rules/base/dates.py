"""Calendar arithmetic for conditions such as 毕业5年内 (no third-party date library needed)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Shift by whole months, clamping to the month's last day (2024-02-29 minus 12 months → 2023-02-28)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def shift(day: dt.date, years: int = 0, months: int = 0, days: int = 0, sign: int = 1) -> dt.date:
    moved = add_months(day, sign * (years * 12 + months))
    return moved + dt.timedelta(days=sign * days)
