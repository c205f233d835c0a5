"""Control over time, derived from events: tracks of half-open intervals and the
queries that analysts ask of them.

Per site there is one controller track and, per actor, one presence track.  Each
interval is ``[valid_from, valid_to)``; ``valid_to`` is NaT while it still holds.
All queries work on whole arrays (numpy ``searchsorted`` over sorted keys), never a
Python loop over sites or events.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import dates

if TYPE_CHECKING:
    from .dataset import Dataset

_CONF_RANK = {"low": 0, "medium": 1, "high": 2}
_INTERVAL_SOURCE_COLUMNS = ["source_url", "source_title", "published", "evidence", "confidence"]
NAT = np.datetime64("NaT", "s")


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column, for grouping (equal values, equal codes)."""
    return pd.factorize(values, sort=False)[0]


def _order(events: pd.DataFrame) -> np.ndarray:
    """Row positions of events in the order their claims take effect.

    Same-day claims are ordered by confidence, then publication, then file order:
    the best-attested, latest-published claim of a day is the one that holds.
    (lexsort over integer codes keeps this fast for millions of events.)
    """
    conf = events["confidence"].map(_CONF_RANK).fillna(0).to_numpy(dtype="int8")
    published = events["published_date"].to_numpy().astype("datetime64[s]").astype("int64")
    return np.lexsort((np.arange(len(events)), published, conf,
                       events["start"].to_numpy().astype("datetime64[s]").astype("int64"),
                       _codes(events["site_id"])))


def _joined(groups: np.ndarray, values: np.ndarray, unique: bool = False) -> np.ndarray:
    """'|'-joined values per group (groups sorted ascending, numbered 0..n-1).

    Most groups hold one value, so those are taken as they are; only the rest are
    joined, slice by slice.
    """
    n = int(groups[-1]) + 1 if len(groups) else 0
    out = np.empty(n, dtype=object)
    counts = np.bincount(groups, minlength=n)
    single = counts[groups] == 1
    out[groups[single]] = values[single]
    g, v = groups[~single], values[~single].tolist()
    cuts = (np.flatnonzero(np.diff(g)) + 1).tolist()
    for lo, hi in zip([0, *cuts], [*cuts, len(g)]) if len(g) else ():
        chunk = v[lo:hi]
        out[g[lo]] = "|".join(dict.fromkeys(chunk) if unique else chunk)
    return out


def control_intervals(events: pd.DataFrame) -> pd.DataFrame:
    """One row per stretch of one controller at one site."""
    ev = events[events["kind"] == "control"]
    if ev.empty:
        return _empty_intervals(presence=False)
    order = _order(ev)
    site = _codes(ev["site_id"])[order]
    day = ev["start"].to_numpy().astype("datetime64[s]").astype("int64")[order]
    actor = _codes(ev["actor_id"])[order]
    # the last claim of each (site, day) is the one that holds that day
    last_of_day = np.ones(len(ev), dtype=bool)
    last_of_day[:-1] = (site[1:] != site[:-1]) | (day[1:] != day[:-1])
    eff = np.flatnonzero(last_of_day)
    change = np.ones(len(eff), dtype=bool)
    change[1:] = (site[eff][1:] != site[eff][:-1]) | (actor[eff][1:] != actor[eff][:-1])
    firsts = eff[change]
    fs = site[firsts]
    same_site_next = np.zeros(len(firsts), dtype=bool)
    same_site_next[:-1] = fs[1:] == fs[:-1]
    # every claim that names the stretch's controller, from its start to its end, supports it
    starts_here = np.zeros(len(ev), dtype=np.int64)
    starts_here[firsts] = 1
    stretch = np.cumsum(starts_here) - 1
    agree = (stretch >= 0) & (actor == actor[firsts][stretch.clip(0)])
    first_rows = ev.iloc[order[firsts]].reset_index(drop=True)
    nxt_start = np.roll(first_rows["start"].to_numpy(), -1)
    nxt_prec = np.roll(first_rows["date_precision"].to_numpy(dtype=object), -1)
    out = pd.DataFrame({
        "site_id": first_rows["site_id"],
        "actor_id": first_rows["actor_id"],
        "valid_from": first_rows["start"].to_numpy(),
        "valid_from_precision": first_rows["date_precision"],
        "valid_to": np.where(same_site_next, nxt_start, NAT).astype("datetime64[s]"),
        "valid_to_precision": np.where(same_site_next, nxt_prec, ""),
    })
    for c in _INTERVAL_SOURCE_COLUMNS:
        out[c] = first_rows[c].to_numpy()
    groups = stretch[agree]
    out["event_ids"] = _joined(groups, ev["id"].to_numpy(dtype=object)[order][agree])
    out["sources"] = _joined(groups, ev["source_url"].to_numpy(dtype=object)[order][agree], unique=True)
    return out


def presence_runs(events: pd.DataFrame) -> pd.DataFrame:
    """Presence claims grouped into runs: consecutive arrivals, or consecutive departures,
    of one actor at one site.  Each run is one claimed change, however many sources
    report it and whatever dates they give.

    A run's date is taken from its representative claim: for arrivals the earliest
    (later claims re-affirm the stay), for departures the best-attested, then the
    earliest (a weak early report of a withdrawal does not end a stay that stronger
    sources end later).
    """
    ev = events[events["kind"] != "control"]
    ev = ev.assign(arrival=ev["kind"].eq("presence_start"),
                   _conf=ev["confidence"].map(_CONF_RANK).fillna(0).astype("int8"))
    # on one day a departure is read before an arrival (a rotation, not a gap)
    ev = ev.sort_values(["site_id", "actor_id", "start", "arrival", "published_date", "id"], kind="stable")
    ev = ev.reset_index(drop=True)
    new_track = ev["site_id"].ne(ev["site_id"].shift()) | ev["actor_id"].ne(ev["actor_id"].shift())
    ev["_run"] = (new_track | ev["arrival"].ne(ev["arrival"].shift())).cumsum()
    ev["first_of_track"] = new_track.groupby(ev["_run"]).transform("any")
    rank = np.where(ev["arrival"], 0, -ev["_conf"].to_numpy())
    ev["_rank"] = rank
    reps = ev.sort_values(["_run", "_rank", "start"], kind="stable").drop_duplicates("_run")
    runs = ev.groupby("_run").agg(event_ids=("id", "|".join),
                                  sources=("source_url", lambda x: "|".join(dict.fromkeys(x))),
                                  dates=("start", "nunique"), lines=("_line", list))
    return reps.set_index("_run").join(runs).reset_index()


def presence_intervals(events: pd.DataFrame) -> pd.DataFrame:
    """One row per stay of one actor's forces at one site."""
    runs = presence_runs(events) if (events["kind"] != "control").any() else None
    if runs is None or runs.empty:
        return _empty_intervals(presence=True)
    nxt = runs.shift(-1)
    same_track = (nxt["site_id"] == runs["site_id"]) & (nxt["actor_id"] == runs["actor_id"])
    starts = runs["arrival"].to_numpy()
    has_end = (same_track & ~nxt["arrival"].fillna(True).astype(bool)).to_numpy()[starts]
    st = runs[starts]
    out = pd.DataFrame({
        "site_id": st["site_id"].to_numpy(),
        "actor_id": st["actor_id"].to_numpy(),
        "role": st["role"].to_numpy(),
        "valid_from": st["start"].to_numpy(),
        "valid_from_precision": st["date_precision"].to_numpy(),
        "valid_to": np.where(has_end, nxt["start"].to_numpy()[starts], NAT).astype("datetime64[s]"),
        "valid_to_precision": np.where(has_end, nxt["date_precision"].to_numpy()[starts], ""),
    })
    for c in _INTERVAL_SOURCE_COLUMNS:
        out[c] = st[c].to_numpy()
    end_ids = np.where(has_end, nxt["event_ids"].to_numpy()[starts], "")
    out["event_ids"] = [a + ("|" + b if b else "") for a, b in zip(st["event_ids"], end_ids)]
    end_src = np.where(has_end, nxt["sources"].to_numpy()[starts], "")
    out["sources"] = ["|".join(dict.fromkeys((a + "|" + b).strip("|").split("|")))
                      for a, b in zip(st["sources"], end_src)]
    return out.sort_values(["site_id", "valid_from", "actor_id"], kind="stable").reset_index(drop=True)


def track_warnings(events: pd.DataFrame) -> list[tuple[int, str, str, str]]:
    """(line, field, value, message) for every place where sources disagree.

    The timeline is still derived; these tell the analyst which claims to check.
    """
    out: list[tuple[int, str, str, str]] = []
    ok = events.dropna(subset=["start"])
    ctl = ok[ok["kind"] == "control"]
    if len(ctl):
        site = _codes(ctl["site_id"])
        day = ctl["start"].to_numpy().astype("datetime64[s]").astype("int64")
        order = np.lexsort((ctl["_line"].to_numpy(), day, site))
        site, day, actor = site[order], day[order], _codes(ctl["actor_id"])[order]
        cuts = np.flatnonzero((site[1:] != site[:-1]) | (day[1:] != day[:-1])) + 1
        lo = np.r_[0, cuts]
        hi = np.r_[cuts, len(site)]
        split = np.minimum.reduceat(actor, lo) != np.maximum.reduceat(actor, lo)
        if split.any():
            lines = ctl["_line"].to_numpy()[order].tolist()
            actors = ctl["actor_id"].to_numpy(dtype=object)[order].tolist()
            urls = ctl["source_url"].to_numpy(dtype=object)[order].tolist()
            sites = ctl["site_id"].to_numpy(dtype=object)[order].tolist()
            starts = ctl["start"].to_numpy()[order]
            for a, b in zip(lo[split].tolist(), hi[split].tolist()):
                out.append((int(lines[a]), "actor_id", ", ".join(sorted(set(actors[a:b]))),
                            f"different controllers of {sites[a]} on {dates.edtf(pd.Timestamp(starts[a]))} "
                            f"(lines {', '.join(map(str, lines[a:b]))}; sources {', '.join(sorted(set(urls[a:b])))})"))
    if not (ok["kind"] != "control").any():
        return out
    runs = presence_runs(ok)
    for r in runs.itertuples():
        verb = "arrives at" if r.arrival else "leaves"
        if not r.arrival and r.first_of_track:
            out.append((int(min(r.lines)), "kind", "presence_end",
                        f"{r.actor_id} leaves {r.site_id} with no recorded arrival before it"))
        if r.dates > 1:
            out.append((int(min(r.lines)), "date", dates.edtf(r.start, r.date_precision),
                        f"sources disagree on when {r.actor_id} {verb} {r.site_id} (lines "
                        f"{', '.join(map(str, sorted(r.lines)))}); the timeline uses "
                        f"{dates.human(r.start, r.date_precision)}"))
    return out


def _empty_intervals(presence: bool) -> pd.DataFrame:
    cols = ["site_id", "actor_id"] + (["role"] if presence else []) + [
        "valid_from", "valid_from_precision", "valid_to", "valid_to_precision",
        *_INTERVAL_SOURCE_COLUMNS, "event_ids", "sources"]
    df = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df["valid_from"] = df["valid_from"].astype("datetime64[s]")
    df["valid_to"] = df["valid_to"].astype("datetime64[s]")
    return df


def _masked(col: pd.Series, pick: np.ndarray, has: np.ndarray, fill) -> np.ndarray:
    """``col[pick]`` as an object array, ``fill`` where ``has`` is false (also for an empty col)."""
    out = np.full(len(pick), fill, dtype=object)
    if len(col):
        out[has] = col.to_numpy(dtype=object)[pick[has]]
    return out


def _as_days(values) -> np.ndarray:
    return np.asarray(pd.to_datetime(pd.Series(list(np.atleast_1d(values)))).to_numpy(), dtype="datetime64[D]")


def covering(tracks: np.ndarray, n_tracks: int, valid_from: np.ndarray, valid_to: np.ndarray,
             days: np.ndarray, block: int = 250) -> Iterator[tuple[int, int, np.ndarray]]:
    """For blocks of tracks: (first track, end track, rows[track, day]) where ``rows`` is
    the interval (row number) holding each track at each query day, -1 for none.

    Intervals of one track must not overlap.  Each interval covers a run of the
    sorted query days: it is written at the first day it covers and carried forward
    along the row by a running maximum (row numbers grow with time within a track
    once sorted), then cut where it ends.  Whole-array steps, no loop over tracks or
    intervals; blocks keep memory flat for millions of answers.
    """
    order = np.argsort(days, kind="stable")
    sorted_days = days[order].astype("datetime64[D]").astype("int64")
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(days))
    start = valid_from.astype("datetime64[D]").astype("int64")
    end = valid_to.astype("datetime64[D]")
    end = np.where(np.isnat(end), np.iinfo("int64").max, end.astype("int64"))
    rank = np.lexsort((start, tracks))
    tr = tracks[rank]
    j0 = np.searchsorted(sorted_days, start[rank], side="left")
    j1 = np.searchsorted(sorted_days, end[rank], side="left")
    covers = (j0 < j1) & (tr >= 0)
    col = np.arange(len(days))
    for lo in range(0, n_tracks, block):
        hi = min(n_tracks, lo + block)
        idx = np.full((hi - lo, len(days) + 1), -1, dtype=np.int64)
        iv = np.flatnonzero(covers & (tr >= lo) & (tr < hi))
        idx[tr[iv] - lo, j0[iv]] = iv
        np.maximum.accumulate(idx, axis=1, out=idx)
        idx = idx[:, :-1]
        pick = np.clip(idx, 0, None)
        held = (idx >= 0) & (col[None, :] < (j1[pick] if len(j1) else 0))
        rows = np.where(held, rank[pick] if len(rank) else 0, -1)
        yield lo, hi, rows[:, inverse]


@dataclass
class Timeline:
    """Every site's controller and presence tracks, derived from a dataset's events."""

    sites: pd.DataFrame
    control: pd.DataFrame
    presence: pd.DataFrame
    actors: pd.DataFrame
    events: pd.DataFrame

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Timeline:
        ev = ds.events.dropna(subset=["start"])
        return cls(ds.sites, control_intervals(ev), presence_intervals(ev), ds.actors, ev)

    # -- vectorised core -------------------------------------------------------------
    def controller_matrix(self, on: Sequence[date] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(actor ids, codes[site, date]) for every site at every date; -1 = no controller."""
        days = _as_days(on)
        c = self.control
        actors, actor_codes = np.unique(c["actor_id"].to_numpy().astype(str), return_inverse=True)
        site = pd.Index(self.sites["id"]).get_indexer(c["site_id"])
        out = np.full((len(self.sites), len(days)), -1, dtype=np.int16 if len(actors) < 32_000 else np.int32)
        for lo, hi, rows in covering(site, len(self.sites), c["valid_from"].to_numpy(), c["valid_to"].to_numpy(), days):
            out[lo:hi] = np.where(rows >= 0, actor_codes[np.clip(rows, 0, None)] if len(c) else -1, -1)
        return actors, out

    def status_at(self, on: date | Sequence[date]) -> pd.DataFrame:
        """Per site and date: controller, since when, and which actors are present."""
        days = _as_days(on)
        n = len(self.sites)
        c = self.control.reset_index(drop=True)
        site = pd.Index(self.sites["id"]).get_indexer(c["site_id"])
        rows = np.full((n, len(days)), -1, dtype=np.int64)
        for lo, hi, block in covering(site, n, c["valid_from"].to_numpy(), c["valid_to"].to_numpy(), days):
            rows[lo:hi] = block
        rows = rows.T.ravel()  # date-major, like the frame below
        site_idx = np.tile(np.arange(n), len(days))
        pick = np.clip(rows, 0, None)
        has = rows >= 0
        out = pd.DataFrame({
            "date": np.repeat(days, n).astype("datetime64[s]"),
            "site_id": self.sites["id"].to_numpy()[site_idx],
            "name": self.sites["name"].to_numpy()[site_idx],
            "kind": self.sites["kind"].to_numpy()[site_idx],
            "country": self.sites["country"].to_numpy()[site_idx],
            "lat": self.sites["lat"].to_numpy(dtype=float)[site_idx],
            "lon": self.sites["lon"].to_numpy(dtype=float)[site_idx],
            "controller": pd.Series(_masked(c["actor_id"], pick, has, None), dtype=object),
            "controller_since": np.where(has, c["valid_from"].to_numpy()[pick], NAT) if len(c) else NAT,
            "controller_since_precision": _masked(c["valid_from_precision"], pick, has, ""),
            "control_source": _masked(c["source_url"], pick, has, ""),
        })
        out["present"] = self._present(n, days)
        return out

    def _present(self, n_sites: int, days: np.ndarray) -> list[list[str]]:
        """Actors present at each (date, site): one presence track per (site, actor)."""
        p = self.presence
        result: list[list[str]] = [[] for _ in range(n_sites * len(days))]
        if p.empty:
            return result
        uniq, a_codes = np.unique(p["actor_id"].to_numpy().astype(str), return_inverse=True)
        actors = uniq.tolist()  # plain str, not numpy scalars, in the lists handed out
        site = pd.Index(self.sites["id"]).get_indexer(p["site_id"])
        tracks = np.where(site >= 0, site * len(actors) + a_codes, -1)
        for lo, _hi, rows in covering(tracks, n_sites * len(actors), p["valid_from"].to_numpy(),
                                     p["valid_to"].to_numpy(), days):
            t, d = np.nonzero(rows >= 0)
            for track, day in zip((t + lo).tolist(), d.tolist()):
                result[day * n_sites + track // len(actors)].append(actors[track % len(actors)])
        return result

    def history(self, site_id: str) -> pd.DataFrame:
        """Every control and presence interval of one site, oldest first."""
        if site_id not in set(self.sites["id"]):
            raise KeyError(site_id)
        c = self.control[self.control["site_id"] == site_id].assign(track="control", role="")
        p = self.presence[self.presence["site_id"] == site_id].assign(track="presence")
        h = pd.concat([c, p], ignore_index=True)
        return h.sort_values(["valid_from", "track"], kind="stable").reset_index(drop=True)

    def site_events(self, site_id: str) -> pd.DataFrame:
        return self.events[self.events["site_id"] == site_id].sort_values(["start", "id"])

    def changes(self, start: date, end: date) -> pd.DataFrame:
        """Events that took effect in ``[start, end)``, oldest first."""
        s, e = np.datetime64(start, "s"), np.datetime64(end, "s")
        ev = self.events
        return ev[(ev["start"] >= s) & (ev["start"] < e)].sort_values(["start", "site_id", "id"]).reset_index(drop=True)

    def footprint(self, actor_id: str, on: Sequence[date]) -> pd.DataFrame:
        """How many sites an actor controlled or was present at, per date, and which."""
        st = self.status_at(on)
        there = st["controller"].eq(actor_id) | st["present"].map(lambda a: actor_id in a)
        g = st[there].groupby("date")["site_id"]
        out = pd.DataFrame({"date": _as_days(on).astype("datetime64[s]")})
        out["sites"] = out["date"].map(g.size()).fillna(0).astype(int)
        out["site_ids"] = out["date"].map(g.agg(lambda s: sorted(s))).apply(lambda v: v if isinstance(v, list) else [])
        return out

    def first_date(self) -> date | None:
        return None if self.events.empty else pd.Timestamp(self.events["start"].min()).date()

    def last_date(self) -> date | None:
        return None if self.events.empty else pd.Timestamp(self.events["start"].max()).date()


def human_interval(row: pd.Series) -> str:
    start = dates.human(row["valid_from"], row["valid_from_precision"])
    end = dates.human(row["valid_to"], row["valid_to_precision"]) if pd.notna(row["valid_to"]) else "today"
    return f"{start} – {end}"
