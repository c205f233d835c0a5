"""status_at at scale, side by side with the as-of joins of polars, DuckDB and pandas;
and loading + validating a million events from CSV.

10,000 sites, 1,000,000 control events, 1,000 query dates = 10 million answers.
"""

from __future__ import annotations

import csv
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from layers.dataset import EVENT_COLUMNS, load
from layers.timeline import Timeline, control_intervals

N_SITES, N_EVENTS, N_DATES, N_ACTORS = 10_000, 1_000_000, 1_000, 12
DAY0 = np.datetime64("2000-01-01", "D")
SPAN = 9_500


def synthetic_events(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    site = rng.integers(0, N_SITES, N_EVENTS)
    day = DAY0 + rng.integers(0, SPAN, N_EVENTS).astype("timedelta64[D]")
    df = pd.DataFrame({
        "id": np.char.add("e", np.arange(N_EVENTS).astype(str)),
        "site_id": np.char.add("s", site.astype(str)),
        "kind": "control",
        "actor_id": np.char.add("a", rng.integers(0, N_ACTORS, N_EVENTS).astype(str)),
        "start": day.astype("datetime64[s]"),
        "date_precision": "day",
        "confidence": "high",
        "published_date": day.astype("datetime64[s]"),
    })
    for c in ("role", "source_url", "source_title", "published", "evidence"):
        df[c] = ""
    df["_line"] = np.arange(2, N_EVENTS + 2)
    return df


def query_dates() -> list[date]:
    return [date(2000, 1, 1) + timedelta(days=int(d)) for d in np.linspace(0, SPAN + 100, N_DATES)]


def timed(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def bench_status(events: pd.DataFrame) -> dict[str, np.ndarray]:
    sites = pd.DataFrame({"id": [f"s{i}" for i in range(N_SITES)]})
    sites["name"], sites["kind"], sites["country"], sites["lat"], sites["lon"] = sites["id"], "base", "IQ", 0.0, 0.0
    t, intervals = timed(lambda: control_intervals(events), repeat=1)
    print(f"derive control intervals from {N_EVENTS:,} events: {t:.2f} s ({len(intervals):,} intervals)")
    tl = Timeline(sites, intervals, intervals.iloc[:0], pd.DataFrame({"id": []}), events)
    days = query_dates()
    t, (actors, matrix) = timed(lambda: tl.controller_matrix(days))
    mem = peak_mb(lambda: tl.controller_matrix(days))
    answers = matrix.size
    print(f"garrison controller_matrix: {t:.3f} s for {answers:,} answers "
          f"({answers / t / 1e6:.0f} M answers/s), peak {mem:.0f} MB traced")
    ours = np.where(matrix >= 0, actors[np.clip(matrix, 0, None)], "")
    results = {"garrison": ours}

    # peers answer the same question from the events: the last claim on or before each date
    ev = events[["site_id", "start", "actor_id", "id"]].rename(columns={"start": "day"})
    ev["day"] = ev["day"].astype("datetime64[us]")
    # same-day ties: the peers take the last row, so order rows as our rule orders claims
    ev = ev.sort_values(["day", "site_id", "id"], kind="stable").drop(columns="id").reset_index(drop=True)
    q = pd.DataFrame({
        "site_id": np.tile(sites["id"].to_numpy(), len(days)),
        "day": np.repeat(np.array(days, dtype="datetime64[us]"), N_SITES),
    })

    try:
        import polars as pl

        pev, pq = pl.from_pandas(ev), pl.from_pandas(q)

        def run_polars():
            return pq.join_asof(pev, on="day", by="site_id", strategy="backward")

        t, res = timed(run_polars)
        print(f"polars join_asof:          {t:.3f} s")
        results["polars"] = res["actor_id"].fill_null("").to_numpy().reshape(len(days), N_SITES).T
    except ImportError:
        print("polars not installed (pip install '.[bench]')")

    try:
        import duckdb

        con = duckdb.connect()
        con.register("ev", ev)
        con.register("q", q)
        sql = ("SELECT q.site_id, q.day, ev.actor_id FROM q ASOF LEFT JOIN ev "
               "ON q.site_id = ev.site_id AND q.day >= ev.day")
        t, _ = timed(lambda: con.execute(sql).fetchnumpy(), repeat=1)
        print(f"DuckDB ASOF JOIN (to numpy): {t:.3f} s")
    except ImportError:
        print("duckdb not installed (pip install '.[bench]')")

    def run_pandas():
        return pd.merge_asof(q.sort_values("day", kind="stable"), ev, on="day", by="site_id",
                             direction="backward")

    t, _ = timed(run_pandas, repeat=1)
    print(f"pandas merge_asof:         {t:.3f} s")
    return results


def bench_load(events: pd.DataFrame) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n_sites = 1_000
        with open(folder / "sites.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "lat", "lon", "kind", "country", "source_url"])
            for i in range(n_sites):
                w.writerow([f"s{i}", f"Site {i}", 33.0, 44.0, "base", "IQ", "https://example.org/s"])
        with open(folder / "actors.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "name", "aliases", "colour"])
            for i in range(N_ACTORS):
                w.writerow([f"a{i}", f"Actor {i}", "", "#336699"])
        out = events[["id", "site_id", "kind", "actor_id", "date_precision", "confidence"]].copy()
        out["site_id"] = "s" + (out["site_id"].str[1:].astype(int) % n_sites).astype(str)
        out["date"] = events["start"].dt.strftime("%Y-%m-%d")
        out["published"] = out["date"]
        out["role"] = ""
        out["source_url"] = "https://example.org/report"
        out["source_title"] = "A report"
        out["evidence"] = "a short paraphrase of the claim"
        out[EVENT_COLUMNS].to_csv(folder / "events.csv", index=False)
        size = (folder / "events.csv").stat().st_size / 2**20
        t, ds = timed(lambda: load(folder), repeat=1)
        print(f"load + validate {len(ds.events):,} events ({size:.0f} MB CSV): {t:.2f} s "
              f"({len(ds.events) / t:,.0f} rows/s; {len(ds.report.warnings):,} warnings)")


def main() -> None:
    events = synthetic_events()
    results = bench_status(events)
    if "polars" in results:
        agree = (results["garrison"] == results["polars"]).mean()
        print(f"agreement with polars: {agree:.4%} of answers")
    bench_load(events)


if __name__ == "__main__":
    main()
