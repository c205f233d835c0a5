"""Dates that know their precision, as conflict data sets record them.

A claim may be known to the day, the month or the year (ACLED's time_precision,
UCDP's date_prec).  Such a date sorts at the start of its period, reads as
"17 Jan 2026", "Aug 2014" or "2014", and is written as EDTF ("2014-08").
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

PRECISIONS = ("day", "month", "year")
_FORMS = {
    "day": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "month": re.compile(r"^\d{4}-\d{2}$"),
    "year": re.compile(r"^\d{4}$"),
}


class DateError(ValueError):
    pass


def precision_of(text: str) -> str:
    """The precision a date string is written in (day, month or year)."""
    for p, form in _FORMS.items():
        if form.match(text):
            return p
    raise DateError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def parse(text: str, precision: str | None = None) -> tuple[date, str]:
    """(first day of the period, precision) for a date string."""
    text = (text or "").strip()
    found = precision_of(text)
    if precision and precision != found:
        raise DateError(f"{text!r} is written to the {found}, not to the {precision}")
    parts = [int(x) for x in text.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2]), found
    except ValueError as exc:
        raise DateError(f"{text!r} is not a calendar date ({exc})") from None


def parse_day(text: str) -> date:
    """A date the user types on the command line: YYYY-MM-DD, YYYY-MM or YYYY."""
    return parse(text)[0]


def parse_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse``: (datetime64[D] start of period, precision); NaT where bad."""
    text = values.fillna("").astype(str).str.strip()
    precision = pd.Series(np.select(
        [text.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), text.str.fullmatch(r"\d{4}-\d{2}"),
         text.str.fullmatch(r"\d{4}")],
        list(PRECISIONS), default=""), index=values.index)
    padded = text.where(precision != "month", text + "-01")
    padded = padded.where(precision != "year", text + "-01-01")
    parsed = pd.to_datetime(padded.where(precision != ""), format="%Y-%m-%d", errors="coerce")
    return parsed.astype("datetime64[s]"), precision


_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def human(d: date | pd.Timestamp | None, precision: str = "day") -> str:
    """How a person reads a date of this precision: 17 Jan 2026, Aug 2014, 2014."""
    if d is None or pd.isna(d):
        return ""
    if precision == "year":
        return f"{d.year}"
    if precision == "month":
        return f"{_MONTHS[d.month - 1]} {d.year}"
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def edtf(d: date | pd.Timestamp | None, precision: str = "day") -> str:
    """The EDTF (ISO 8601-2) string of a date at its precision."""
    if d is None or pd.isna(d):
        return ""
    if precision == "year":
        return f"{d.year:04d}"
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def edtf_series(values: pd.Series, precision: pd.Series, open_end: str = "") -> pd.Series:
    """Vectorised ``edtf``: one string per row; ``open_end`` where the date is missing
    (".." is EDTF for an open end)."""
    d = pd.to_datetime(values)
    text = pd.Series(np.select(
        [precision.to_numpy() == "year", precision.to_numpy() == "month"],
        [d.dt.strftime("%Y").to_numpy(), d.dt.strftime("%Y-%m").to_numpy()],
        default=d.dt.strftime("%Y-%m-%d").to_numpy()), index=values.index, dtype=object)
    return text.where(d.notna().to_numpy(), open_end)

