from datetime import date

import pandas as pd
import pytest

from layers import dates


@pytest.mark.parametrize("text,start,precision,human,edtf", [
    ("2026-01-17", date(2026, 1, 17), "day", "17 Jan 2026", "2026-01-17"),
    ("2014-08", date(2014, 8, 1), "month", "Aug 2014", "2014-08"),
    ("2014", date(2014, 1, 1), "year", "2014", "2014"),
])
def test_a_date_sorts_at_the_start_of_its_period_and_reads_at_its_precision(text, start, precision, human, edtf):
    d, p = dates.parse(text)
    assert (d, p) == (start, precision)
    assert dates.human(d, p) == human
    assert dates.edtf(d, p) == edtf


@pytest.mark.parametrize("text", ["2026-02-30", "17/01/2026", "Jan 2026", "", "2026-1-7"])
def test_malformed_dates_are_refused(text):
    with pytest.raises(dates.DateError):
        dates.parse(text)


def test_declared_precision_must_match_the_written_form():
    with pytest.raises(dates.DateError, match="month"):
        dates.parse("2014-08", "day")


def test_vectorised_parse_agrees_with_the_scalar_one():
    s = pd.Series(["2026-01-17", "2014-08", "2014", "nonsense", "2026-02-30", None])
    start, precision = dates.parse_series(s)
    assert list(precision) == ["day", "month", "year", "", "day", ""]
    assert start.iloc[1] == pd.Timestamp("2014-08-01")
    assert start.iloc[3:].isna().all()


def test_vectorised_edtf_agrees_with_the_scalar_one():
    d = pd.Series(pd.to_datetime(["2026-01-17", "2014-08-01", "2014-01-01", None]))
    p = pd.Series(["day", "month", "year", "day"])
    assert list(dates.edtf_series(d, p, open_end="..")) == ["2026-01-17", "2014-08", "2014", ".."]
    assert list(dates.edtf_series(d, p))[:3] == [dates.edtf(x, q) for x, q in zip(d[:3], p[:3])]
