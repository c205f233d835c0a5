"""Gazetteer figures: accuracy on the labelled spellings, cold CLI start, batch speed, index build.

``python -m benchmarks gazetteer`` (``GARRISON_BENCH_NO_BUILD=1`` skips timing a full index build).

* accuracy: top-1 over ``benchmarks/spellings.csv`` (spelling, expected place id, note),
  split into spellings stored verbatim as a name or alias of the expected place and
  the others; the error in km is the distance from the expected place to the answer;
* cold start: ``garrison resolve "Ain al-Asad"`` in fresh processes (index built);
* batch: ``resolve_many`` over distinct names that match exactly, and over misspelt
  names that all take the fuzzy path, each on a fresh ``Gazetteer``;
* build: time and size of a complete index written to a temporary folder.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPELLINGS = Path(__file__).with_name("spellings.csv")
COLD_RUNS = 7
EXACT_NAMES = 20_000
FUZZY_NAMES = 2_000


def accuracy(g) -> None:
    from geo.gazetteer import haversine_km

    with open(SPELLINGS, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    errors: list[float] = []
    tally = {True: [0, 0], False: [0, 0]}  # verbatim -> [right, total]
    failures = []
    for r in rows:
        want = g.place(r["expected"])
        verbatim = r["spelling"] == want.name or r["spelling"] in want.aliases
        tally[verbatim][1] += 1
        try:
            got = g.resolve(r["spelling"]).place
        except (LookupError, ValueError) as exc:
            errors.append(float("inf"))
            failures.append(f"  {r['spelling']!r}: expected {want.id}, got an error ({exc})")
            continue
        right = got.id == want.id
        tally[verbatim][0] += right
        errors.append(0.0 if right else haversine_km(want.lat, want.lon, got.lat, got.lon))
        if not right:
            failures.append(f"  {r['spelling']!r}: expected {want.id} ({want.name}), got {got.id} ({got.name}), "
                            f"{errors[-1]:.0f} km")
    right = tally[True][0] + tally[False][0]
    print(f"accuracy: {right}/{len(rows)} top-1 = {100 * right / len(rows):.1f}%  "
          f"(verbatim aliases {tally[True][0]}/{tally[True][1]}, other spellings {tally[False][0]}/{tally[False][1]})")
    finite = [e for e in errors if e != float("inf")]
    print(f"error: median {statistics.median(errors):.2f} km, mean {statistics.fmean(finite):.1f} km "
          f"over resolved names, {len(errors) - len(finite)} unresolved")
    for f in failures:
        print(f)


def cold_start() -> None:
    exe = Path(sys.executable).with_name("garrison")
    times = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        subprocess.run([str(exe), "resolve", "Ain al-Asad"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"cold `garrison resolve \"Ain al-Asad\"`: median {statistics.median(times):.3f} s "
          f"over {COLD_RUNS} fresh processes (min {min(times):.3f}, max {max(times):.3f})")


def _fresh():
    import geo
    from geo import names

    for f in (names.normalize, names.skeleton, names._fold_word, names._fold_latin, names._skeleton_word):
        f.cache_clear()
    return geo.Gazetteer(geo.default()._con)


def _typo(name: str, rnd: random.Random) -> str:
    """One keyboard slip in the middle of a name: a letter dropped, doubled into another, or swapped."""
    i = rnd.randrange(1, len(name) - 1)
    op = rnd.choice(("drop", "swap", "replace", "insert"))
    letter = rnd.choice("bdfgjklmnprstvz")
    if op == "drop":
        return name[:i] + name[i + 1:]
    if op == "swap":
        return name[:i - 1] + name[i] + name[i - 1] + name[i + 1:]
    if op == "replace":
        return name[:i] + letter + name[i + 1:]
    return name[:i] + letter + name[i:]


def batch(g) -> None:
    import geopandas  # noqa: F401  (imported before timing: a batch caller has it loaded)

    rnd = random.Random(20260118)
    con = g._con
    names = [r[0] for r in con.execute("SELECT DISTINCT name FROM places WHERE name NOT LIKE '%|%'")]
    sample = rnd.sample(names, 2 * EXACT_NAMES)
    _fresh().resolve_many(sample[EXACT_NAMES:])  # warm up: the index pages in memory, as in a long session
    exact = sample[:EXACT_NAMES]
    df = _timed(f"resolve_many, {len(exact):,} distinct exact names", exact)
    print(f"  ({df['error'].isna().sum():,} resolved)")

    focus = ",".join(f"'{c}'" for c in sorted(g.focus))
    notable = [r[0] for r in con.execute(
        f"SELECT name FROM places WHERE (country IN ({focus}) OR population >= 15000) AND length(name) >= 6")]
    rnd.shuffle(notable)
    fuzzy: list[str] = []
    probe = _fresh()
    for name in notable:
        typo = _typo(name, rnd)
        try:
            if probe.resolve(typo).reason.startswith("similar spelling"):
                fuzzy.append(typo)
        except (LookupError, ValueError):
            continue
        if len(fuzzy) == FUZZY_NAMES:
            break
    df = _timed(f"resolve_many, {len(fuzzy):,} misspelt names (all through the fuzzy path)", fuzzy)
    print(f"  ({df['error'].isna().sum():,} resolved)")


def _timed(what: str, names: list[str]):
    """resolve_many on a fresh gazetteer (empty caches; the index file already paged in), timed
    by the wall clock and by this process's CPU time (what the code costs when other work
    shares the machine)."""
    fresh = _fresh()
    wall, cpu = time.perf_counter(), time.process_time()
    df = fresh.resolve_many(names)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{what}: {len(names) / wall:,.0f} names/s wall ({len(names) / cpu:,.0f} per CPU second)")
    return df


def _cpu_with_children() -> float:
    """CPU seconds of this process and of the workers it has waited for (a build forks some)."""
    import resource

    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def build() -> None:
    from geo import index, sources

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.sqlite"
        start = time.perf_counter()
        cpu = _cpu_with_children()
        index.build(path, sources.all_places())
        took, cpu = time.perf_counter() - start, _cpu_with_children() - cpu
        con = index._readonly(path)
        places = con.execute("SELECT count(*) FROM places").fetchone()[0]
        keys = con.execute("SELECT count(*) FROM names").fetchone()[0]
        con.close()
        print(f"index build: {took:.1f} s wall ({cpu:.1f} s CPU), {path.stat().st_size / 1e6:.1f} MB "
              f"({places:,} places, {keys:,} keys)")


def main() -> None:
    import geo

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f}")

    g = geo.default()  # builds the index in the user cache if needed
    accuracy(g)
    cold_start()
    batch(g)
    if not os.environ.get("GARRISON_BENCH_NO_BUILD"):
        build()


if __name__ == "__main__":
    main()
