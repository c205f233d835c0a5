"""Control over time, derived from events: tracks of half-open intervals and the
queries that analysts ask of them.

Per site there is one controller track and, per actor, one presence track.  Each
interval is ``[valid_from, valid_to)``; ``valid_to`` is NaT while it still holds.
All queries work on whole arrays (numpy ``searchsorted`` over sorted keys), never a
Python loop over sites or events.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def _ordered(events: pd.DataFrame) -> pd.DataFrame:
    """Events in the order their claims take effect.

    Same-day claims are ordered by confidence, then publication: the best-attested,
    latest-published claim of a day is the one that holds.
    """
    ev = events.assign(_conf=events["confidence"].map(_CONF_RANK).fillna(0).astype("int8"))
    return ev.sort_values(["site_id", "start", "_conf", "published_date", "id"], kind="stable")


def _sources(group_ids: pd.Series, ev: pd.DataFrame) -> pd.DataFrame:
    """Per interval: every source that supports it (URLs and event ids, '|'-joined)."""
    g = ev.groupby(group_ids.to_numpy(), sort=False)
    return pd.DataFrame({
        "event_ids": g["id"].agg("|".join),
        "sources": g["source_url"].agg(lambda s: "|".join(dict.fromkeys(s))),
    })


def control_intervals(events: pd.DataFrame) -> pd.DataFrame:
    """One row per stretch of one controller at one site."""
    ev = _ordered(events[events["kind"] == "control"]).reset_index(drop=True)
    if ev.empty:
        return _empty_intervals(presence=False)
    eff = ev[~ev.duplicated(["site_id", "start"], keep="last")].reset_index(drop=True)
    change = eff["site_id"].ne(eff["site_id"].shift()) | eff["actor_id"].ne(eff["actor_id"].shift())
    firsts = eff[change].reset_index(drop=True)
    same_site_next = firsts["site_id"].shift(-1) == firsts["site_id"]
    sites = pd.Index(np.unique(ev["site_id"].to_numpy().astype(str)))
    # every claim that names the stretch's controller, from its start to its end, supports it
    stretch = np.searchsorted(_keys(sites, firsts), _keys(sites, ev), side="right") - 1
    agree = (stretch >= 0) & (ev["actor_id"].to_numpy() == firsts["actor_id"].to_numpy()[stretch.clip(0)])
    src = _sources(pd.Series(stretch[agree]), ev[agree])
    out = pd.DataFrame({
        "site_id": firsts["site_id"],
        "actor_id": firsts["actor_id"],
        "valid_from": firsts["start"].to_numpy(),
        "valid_from_precision": firsts["date_precision"],
        "valid_to": firsts["start"].shift(-1).where(same_site_next).to_numpy(),
        "valid_to_precision": firsts["date_precision"].shift(-1).where(same_site_next).fillna(""),
    })
    for c in _INTERVAL_SOURCE_COLUMNS:
        out[c] = firsts[c].to_numpy()
    out["event_ids"] = src["event_ids"].reindex(range(len(out))).fillna("").to_numpy()
    out["sources"] = src["sources"].reindex(range(len(out))).fillna("").to_numpy()
    return out


def _keys(sites: pd.Index, frame: pd.DataFrame) -> np.ndarray:
    """A sortable integer per (site, day): the site's code in the high bits."""
    days = frame["start"].to_numpy().astype("datetime64[D]").astype("int64")
    return sites.get_indexer(frame["site_id"]).astype("int64") * (1 << 32) + (days + (1 << 31))


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
    out["sources"] = ["|".join(dict.fromkeys((a + "|" + b).strip("|").split("|"))) for a, b in zip(st["sources"], end_src)]
    return out.sort_values(["site_id", "valid_from", "actor_id"], kind="stable").reset_index(drop=True)


def track_warnings(events: pd.DataFrame) -> list[tuple[int, str, str, str]]:
    """(line, field, value, message) for every place where sources disagree.

    The timeline is still derived; these tell the analyst which claims to check.
    """
    out: list[tuple[int, str, str, str]] = []
    ok = events.dropna(subset=["start"])
    ctl = ok[ok["kind"] == "control"]
    same_day = ctl.groupby(["site_id", "start"])["actor_id"].transform("nunique") > 1
    for (site, day), grp in ctl[same_day].groupby(["site_id", "start"]):
        out.append((int(grp["_line"].iloc[0]), "actor_id", ", ".join(sorted(set(grp["actor_id"]))),
                    f"different controllers of {site} on {dates.edtf(day)} (lines "
                    f"{', '.join(map(str, grp['_line']))}; sources {', '.join(sorted(set(grp['source_url'])))})"))
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


class Lookup:
    """Sorted (track, day) keys of a set of intervals, for vectorised point queries."""

    def __init__(self, tracks: np.ndarray, valid_from: np.ndarray, valid_to: np.ndarray):
        self.n_tracks = int(tracks.max()) + 1 if len(tracks) else 0
        start = valid_from.astype("datetime64[D]").astype("int64")
        end = valid_to.astype("datetime64[D]")
        self.end = np.where(np.isnat(end), np.iinfo("int64").max, end.astype("int64"))
        self.keys = tracks.astype("int64") * (1 << 32) + (start + (1 << 31))
        order = np.argsort(self.keys, kind="stable")
        self.keys, self.end, self.order = self.keys[order], self.end[order], order
        self.tracks = tracks[order]

    def at(self, tracks: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Row (into the original intervals) holding each (track, day); -1 for none."""
        d = days.astype("datetime64[D]").astype("int64")
        q = tracks.astype("int64") * (1 << 32) + (d + (1 << 31))
        i = np.searchsorted(self.keys, q, side="right") - 1
        ok = i >= 0
        ic = np.where(ok, i, 0)
        ok &= (self.tracks[ic] == tracks) & (d < self.end[ic])
        return np.where(ok, self.order[ic], -1)


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
    def controller_matrix(self, on: Sequence[date] | np.ndarray, chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
        """(actor ids, codes[site, date]) for every site at every date; -1 = no controller.

        Works through the dates in blocks so that memory stays flat however many
        answers are asked for.
        """
        site_codes = pd.Index(self.sites["id"])
        actors, actor_codes = np.unique(self.control["actor_id"].to_numpy().astype(str), return_inverse=True)
        tracks = site_codes.get_indexer(self.control["site_id"])
        lookup = Lookup(tracks, self.control["valid_from"].to_numpy(), self.control["valid_to"].to_numpy())
        days = _as_days(on)
        n_sites = len(site_codes)
        dtype = np.int16 if len(actors) < 32_000 else np.int32
        out = np.empty((n_sites, len(days)), dtype=dtype)
        site_range = np.arange(n_sites, dtype=np.int64)
        step = max(1, chunk // max(1, n_sites))
        for j in range(0, len(days), step):  # a loop over blocks of dates, not sites or events
            block = days[j:j + step]
            t = np.repeat(site_range[None, :], len(block), axis=0).ravel()
            d = np.repeat(block, n_sites)
            rows = lookup.at(t, d)
            codes = np.where(rows >= 0, actor_codes[np.clip(rows, 0, None)], -1)
            out[:, j:j + len(block)] = codes.reshape(len(block), n_sites).T
        return actors, out

    def status_at(self, on: date | Sequence[date]) -> pd.DataFrame:
        """Per site and date: controller, since when, and which actors are present."""
        days = _as_days(on)
        n = len(self.sites)
        site_idx = np.tile(np.arange(n), len(days))
        day_col = np.repeat(days, n)
        site_codes = pd.Index(self.sites["id"])
        ctl = Lookup(site_codes.get_indexer(self.control["site_id"]),
                     self.control["valid_from"].to_numpy(), self.control["valid_to"].to_numpy())
        rows = ctl.at(site_idx, day_col)
        c = self.control.reset_index(drop=True)
        pick = np.clip(rows, 0, None)
        has = rows >= 0
        out = pd.DataFrame({
            "date": day_col.astype("datetime64[s]"),
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
        out["present"] = self._present(site_idx, day_col)
        return out

    def _present(self, site_idx: np.ndarray, days: np.ndarray) -> list[list[str]]:
        """Actors present at each (site, day): a presence track per (site, actor)."""
        p = self.presence
        result: list[list[str]] = [[] for _ in range(len(site_idx))]
        if p.empty:
            return result
        site_codes = pd.Index(self.sites["id"])
        actors = np.unique(p["actor_id"].to_numpy().astype(str))
        a_codes = np.searchsorted(actors, p["actor_id"].to_numpy().astype(str))
        tracks = site_codes.get_indexer(p["site_id"]) * len(actors) + a_codes
        lookup = Lookup(tracks, p["valid_from"].to_numpy(), p["valid_to"].to_numpy())
        for k, actor in enumerate(actors):  # one vector query per actor
            rows = lookup.at(site_idx * len(actors) + k, days)
            for i in np.flatnonzero(rows >= 0):
                result[i].append(actor)
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
