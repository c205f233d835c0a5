"""Control and presence tracks: hand-computed histories, and properties on random data."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.dataset import load
from layers.timeline import Timeline, control_intervals, presence_intervals
from tests.helpers import event, write_dataset


def ts(text):
    return pd.Timestamp(text)


def test_hand_computed_history(tmp_path):
    rows = [
        event("a", "north-base", "2014-06-10", "control", "rebels", published="2014-06-11"),
        event("b", "north-base", "2016-07", "control", "gov", published="2016-08-01"),
        event("b2", "north-base", "2017", "control", "gov", published="2017-06-01"),   # re-affirms
        event("c", "north-base", "2016-09", "presence_start", "allies", role="advisers", published="2016-10-01"),
        event("d", "north-base", "2020-03-26", "presence_end", "allies", published="2020-03-27"),
    ]
    tl = Timeline.from_dataset(load(write_dataset(tmp_path / "d", rows)))
    c = tl.control
    assert list(c["actor_id"]) == ["rebels", "gov"]
    assert list(c["valid_from"]) == [ts("2014-06-10"), ts("2016-07-01")]
    assert c["valid_to"].iloc[0] == ts("2016-07-01") and pd.isna(c["valid_to"].iloc[1])
    assert c["valid_from_precision"].iloc[1] == "month"
    assert c["event_ids"].iloc[1] == "b|b2"  # every source of the stretch is kept
    p = tl.presence
    assert len(p) == 1 and p["role"].iloc[0] == "advisers"
    assert (p["valid_from"].iloc[0], p["valid_to"].iloc[0]) == (ts("2016-09-01"), ts("2020-03-26"))
    st_ = tl.status_at([date(2015, 1, 1), date(2018, 1, 1), date(2020, 3, 26)])
    north = st_[st_["site_id"] == "north-base"]
    assert list(north["controller"]) == ["rebels", "gov", "gov"]
    assert list(north["present"]) == [[], ["allies"], []]  # half-open: gone on the day of departure
    south = st_[st_["site_id"] == "south-field"]
    assert south["controller"].isna().all()


def test_a_weak_early_report_does_not_end_a_stay_that_strong_sources_end_later(tmp_path):
    rows = [
        event("s", "south-field", "2014-11", "presence_start", "allies", published="2014-11-20"),
        event("e-weak", "south-field", "2025-12", "presence_end", "allies", confidence="low", published="2025-12-31"),
        event("e-strong", "south-field", "2026-01-17", "presence_end", "allies", published="2026-01-18"),
    ]
    ds = load(write_dataset(tmp_path / "d", rows))
    tl = Timeline.from_dataset(ds)
    assert tl.presence["valid_to"].iloc[0] == ts("2026-01-17")
    assert set(tl.presence["event_ids"].iloc[0].split("|")) == {"s", "e-weak", "e-strong"}
    assert any("sources disagree on when allies leaves south-field" in p.message for p in ds.report.warnings)


def test_same_day_conflict_the_best_attested_claim_holds(tmp_path):
    rows = [
        event("x", "south-field", "2017-05-01", "control", "gov", confidence="low"),
        event("y", "south-field", "2017-05-01", "control", "rebels", confidence="high"),
    ]
    tl = Timeline.from_dataset(load(write_dataset(tmp_path / "d", rows)))
    assert list(tl.control["actor_id"]) == ["rebels"]


def test_the_motivating_case(timeline):
    """19 January 2026: Ain al-Asad under Iraqi control, the coalition gone; June 2025: present."""
    st_ = timeline.status_at([date(2025, 6, 1), date(2026, 1, 19)]).set_index(["site_id", "date"])
    before = st_.loc[("ain-al-asad-air-base", ts("2025-06-01"))]
    after = st_.loc[("ain-al-asad-air-base", ts("2026-01-19"))]
    assert before["controller"] == after["controller"] == "isf"
    assert "coalition" in before["present"] and "coalition" not in after["present"]
    assert "coalition" not in st_.loc[("joc-hq-baghdad", ts("2026-01-19"))]["present"]
    assert "coalition" in st_.loc[("erbil-air-base", ts("2026-01-19"))]["present"]


def test_history_changes_and_footprint(timeline):
    h = timeline.history("ain-al-asad-air-base")
    assert set(h["track"]) == {"control", "presence"}
    assert h["valid_from"].is_monotonic_increasing
    ch = timeline.changes(date(2026, 1, 17), date(2026, 1, 19))
    assert {"ain-al-asad-air-base", "joc-hq-baghdad"} <= set(ch["site_id"])
    fp = timeline.footprint("coalition", [date(2013, 1, 1), date(2017, 1, 1), date(2026, 3, 1)])
    counts = list(fp["sites"])
    assert counts[0] == 0 and counts[1] > counts[2] > 0
    assert "erbil-air-base" in fp["site_ids"].iloc[2]


# -- properties on random data -------------------------------------------------------------
SITES, ACTORS = ["s0", "s1", "s2"], ["a", "b", "c"]
DAY0 = date(2010, 1, 1)


@st.composite
def random_events(draw):
    n = draw(st.integers(1, 40))
    rows = []
    for i in range(n):
        rows.append({
            "id": f"e{i}", "site_id": draw(st.sampled_from(SITES)),
            "kind": draw(st.sampled_from(["control", "presence_start", "presence_end"])),
            "actor_id": draw(st.sampled_from(ACTORS)),
            "start": pd.Timestamp(DAY0 + timedelta(days=draw(st.integers(0, 60)))),
            "confidence": draw(st.sampled_from(["low", "medium", "high"])),
        })
    df = pd.DataFrame(rows)
    df["date_precision"] = "day"
    df["published_date"] = df["start"]
    for c in ("role", "source_url", "source_title", "published", "evidence"):
        df[c] = ""
    df["_line"] = np.arange(2, len(df) + 2)
    df["start"] = df["start"].astype("datetime64[s]")
    return df


def naive_controller(events: pd.DataFrame, site: str, day: pd.Timestamp):
    """The definition, written plainly: the last effective claim on or before the day."""
    rank = {"low": 0, "medium": 1, "high": 2}
    ctl = events[(events["kind"] == "control") & (events["site_id"] == site) & (events["start"] <= day)]
    if ctl.empty:
        return None
    ctl = ctl.assign(r=ctl["confidence"].map(rank))
    ctl = ctl.sort_values(["start", "r", "published_date", "_line"], kind="stable")
    return ctl["actor_id"].iloc[-1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_events())
def test_control_intervals_tile_the_track_and_match_a_naive_reference(events):
    c = control_intervals(events)
    for site, g in c.groupby("site_id"):
        g = g.sort_values("valid_from")
        # no overlap, no gap: each interval ends where the next begins; only the last is open
        assert (g["valid_to"].iloc[:-1].to_numpy() == g["valid_from"].iloc[1:].to_numpy()).all()
        assert pd.isna(g["valid_to"].iloc[-1])
        assert (g["valid_from"] < g["valid_to"].fillna(pd.Timestamp("2200-01-01"))).all()
        first = events[(events["site_id"] == site) & (events["kind"] == "control")]["start"].min()
        assert g["valid_from"].iloc[0] == first
        assert (g["actor_id"].to_numpy()[1:] != g["actor_id"].to_numpy()[:-1]).all()
    tl = Timeline(pd.DataFrame({"id": SITES, "name": SITES, "kind": "base", "country": "IQ",
                                "lat": [1.0, 2.0, 3.0], "lon": [1.0, 2.0, 3.0]}),
                  c, presence_intervals(events), pd.DataFrame({"id": ACTORS}), events)
    days = [DAY0 + timedelta(days=d) for d in range(-1, 63, 3)]
    got = tl.status_at(days)
    for row in got.itertuples():
        assert row.controller == naive_controller(events, row.site_id, pd.Timestamp(row.date))
    actors, matrix = tl.controller_matrix(days)
    for i, site in enumerate(SITES):
        for j, d in enumerate(days):
            want = naive_controller(events, site, pd.Timestamp(d))
            assert (actors[matrix[i, j]] if matrix[i, j] >= 0 else None) == want


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_events())
def test_presence_intervals_never_overlap_within_a_track(events):
    p = presence_intervals(events)
    for _, g in p.groupby(["site_id", "actor_id"]):
        g = g.sort_values("valid_from")
        ends = g["valid_to"].fillna(pd.Timestamp("2200-01-01")).to_numpy()
        assert (ends[:-1] <= g["valid_from"].to_numpy()[1:]).all()
        assert (g["valid_from"].to_numpy() < ends).all()
        assert g["valid_to"].iloc[:-1].notna().all()  # only the last stay may be open
