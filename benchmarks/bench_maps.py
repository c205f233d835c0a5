"""Map size and slider speed: 10,000 sites and 100,000 status intervals in headless Chromium,
beside folium's TimestampedGeoJson fed the same timeline.

The synthetic dataset is written to a temporary folder with its own coordinates (no
gazetteer lookups) and loaded like any ``--data`` folder: every site changes hands
seven times between 2010 and 2026 and hosts three foreign stays, so there are 70,000
control and 30,000 presence intervals.  Reports are shared by twenty claims each, as
real reports cover many sites.

A slider step is timed in the page with ``performance.now()`` around setting the
slider and the synchronous re-filtering and redrawing it triggers (plus a forced
layout); painting is left out, for both pages alike.  TimestampedGeoJson needs one
copy of every site per time step, so it is given far fewer steps than our slider
has days; its size grows with the steps, and the figures say by how much.
"""

from __future__ import annotations

import csv
import json
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from layers import maps
from layers.dataset import bundled_path, load
from layers.timeline import Timeline

N_SITES = 10_000
CONTROL_CHANGES = 7   # per site: 70,000 control intervals
STAYS = 3             # per site: 30,000 presence intervals
CLAIMS_PER_REPORT = 20
TGJ_STEPS = 8         # TimestampedGeoJson time steps (its page holds sites x steps features)
FIRST, LAST = date(2010, 1, 1), date(2026, 1, 1)
ACTORS = [("gov", "Government forces", "#c62828"), ("kurds", "Kurdish forces", "#f9a825"),
          ("isis", "Islamic State", "#111111"), ("militia", "Militias", "#2e7d32"),
          ("rebels", "Opposition", "#8e24aa"), ("turkey", "Turkish forces", "#558b2f")]
FOREIGN = [("coalition", "Coalition", "#00897b"), ("us", "US forces", "#1565c0"), ("russia", "Russia", "#6a1b9a")]
KINDS = ["airbase", "base", "camp", "outpost", "headquarters", "airport"]


def make_dataset(folder: Path, n_sites: int = N_SITES) -> Path:
    """Write sites.csv, actors.csv and events.csv of a synthetic conflict timeline."""
    rng = np.random.default_rng(11)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "actors.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "aliases", "colour"])
        w.writerows([a, n, "", c] for a, n, c in ACTORS + FOREIGN)
    with open(folder / "sites.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "lat", "lon", "kind", "country", "source_url"])
        for i in range(n_sites):
            lon = rng.uniform(36.5, 47.5)
            w.writerow([f"s{i}", f"Synthetic site {i}", f"{rng.uniform(30.5, 37):.5f}", f"{lon:.5f}",
                        KINDS[i % len(KINDS)], "SY" if lon < 41.5 else "IQ", f"https://example.org/sites/{i}"])
    span = (LAST - FIRST).days
    rows = []
    for i in range(n_sites):
        days = np.sort(rng.choice(span, CONTROL_CHANGES, replace=False))
        actor = -1
        for k, d in enumerate(days):
            actor = (actor + 1 + int(rng.integers(0, len(ACTORS) - 1))) % len(ACTORS)
            rows.append((f"s{i}", FIRST + timedelta(days=int(d)), "control", ACTORS[actor][0], "", f"c{k}"))
        bounds = np.sort(rng.choice(span, 2 * STAYS, replace=False))
        for k in range(STAYS):
            who = FOREIGN[int(rng.integers(0, len(FOREIGN)))][0]
            rows.append((f"s{i}", FIRST + timedelta(days=int(bounds[2 * k])), "presence_start", who, "advisers",
                         f"a{k}"))
            if k < STAYS - 1 or rng.random() < 0.5:  # some stays are still going on
                rows.append((f"s{i}", FIRST + timedelta(days=int(bounds[2 * k + 1])), "presence_end", who,
                             "advisers", f"e{k}"))
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "site_id", "date", "date_precision", "kind", "actor_id", "role", "source_url",
                    "source_title", "published", "evidence", "confidence"])
        for n, (site, day, kind, actor, role, tag) in enumerate(rows):
            precision = ("day", "day", "day", "month")[n % 4]
            when = day.isoformat() if precision == "day" else day.isoformat()[:7]
            report = n // CLAIMS_PER_REPORT
            w.writerow([f"{site}-{tag}", site, when, precision, kind, actor, role,
                        f"https://example.org/reports/{report}", f"Synthetic report {report}",
                        (day + timedelta(days=3)).isoformat(), f"{actor} {kind.replace('_', ' ')} at {site}",
                        ("high", "medium", "low")[n % 3]])
    return folder


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def _summary(steps: list[list[float]]) -> str:
    sync, frame = sorted(s for s, _ in steps), sorted(f for _, f in steps)
    return (f"median {statistics.median(sync):.1f} ms, p95 {sync[int(0.95 * (len(sync) - 1))]:.1f} ms, "
            f"max {sync[-1]:.1f} ms; to the next frame: median {statistics.median(frame):.1f} ms "
            f"({len(steps)} steps)")


# (ms to set the slider, re-filter and lay out; ms until the next frame is drawn) per step
_NEXT_FRAME = "new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"
_STEP_OURS = """async (days) => {
  const slider = document.getElementById('garrison-date'), out = [];
  for (const d of days) {
    const t0 = performance.now();
    slider.value = d; slider.dispatchEvent(new Event('input'));
    void document.body.offsetHeight;
    const t1 = performance.now();
    await NEXT_FRAME;
    out.push([t1 - t0, performance.now() - t0]);
  }
  return out;
}""".replace("NEXT_FRAME", _NEXT_FRAME)
_STEP_TGJ = """async ([name, steps]) => {
  const td = window[name].timeDimension, out = [];
  for (const i of steps) {
    const t0 = performance.now();
    await new Promise(done => { td.once('timeload', () => setTimeout(done, 0)); td.setCurrentTimeIndex(i); });
    void document.body.offsetHeight;
    const t1 = performance.now();
    await NEXT_FRAME;
    out.push([t1 - t0, performance.now() - t0]);
  }
  return out;
}""".replace("NEXT_FRAME", _NEXT_FRAME)


def timestamped_geojson(tl: Timeline, steps: list[date]) -> tuple[str, str, int]:
    """(html, map variable, bytes of its GeoJSON) of the same timeline through folium's
    TimestampedGeoJson: one point per site with a status at each step, shown for that step only."""
    import folium
    from offlinefolium import Map
    from offlinefolium.plugins import TimestampedGeoJson

    colours = dict(zip(tl.actors["id"], tl.actors["colour"]))
    st = tl.status_at(steps)
    st = st[st["controller"].notna() | st["present"].map(bool)]
    feats = [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
        "properties": {"times": [str(r.date)[:10]], "icon": "circle",
                       "popup": f"{r.name}: {r.controller or 'nobody'}; present: {', '.join(r.present) or 'none'}",
                       "iconstyle": {"fillColor": colours.get(r.controller, maps.NO_CONTROLLER_COLOUR),
                                     "fillOpacity": 1, "stroke": "true", "color": "#222", "weight": 1,
                                     "radius": 5}},
    } for r in st.itertuples()]
    period = (steps[1] - steps[0]).days
    m = Map(location=[34, 42], zoom_start=6, tiles=None)
    data = {"type": "FeatureCollection", "features": feats}
    TimestampedGeoJson(data, period=f"P{period}D",
                       duration=f"P{period - 1}D", add_last_point=False, auto_play=False, loop=False).add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render(), m.get_name(), len(json.dumps(data).encode())


def _open(page, path: Path, ready: str) -> float:
    """Seconds from navigation to the first frame drawn after the page's scripts ran."""
    t0 = time.perf_counter()
    page.goto(path.as_uri(), timeout=600_000)
    page.wait_for_function(ready, timeout=600_000)
    page.evaluate(f"() => {_NEXT_FRAME}")
    return time.perf_counter() - t0


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    bundled = Timeline.from_dataset(load(bundled_path()))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        tl = Timeline.from_dataset(load(make_dataset(tmp / "data")))
        t_load = time.perf_counter() - t0
        print(f"synthetic timeline: {len(tl.sites):,} sites, {len(tl.control) + len(tl.presence):,} intervals "
              f"({len(tl.control):,} control, {len(tl.presence):,} presence), {len(tl.events):,} events; "
              f"loaded in {t_load:.1f} s")
        t0 = time.perf_counter()
        ours = maps.timeline_map(tl)
        t_ours = time.perf_counter() - t0
        (tmp / "ours.html").write_text(ours, encoding="utf-8")
        every = (LAST - FIRST).days // TGJ_STEPS
        steps = [FIRST + timedelta(days=every * k) for k in range(TGJ_STEPS)]
        t0 = time.perf_counter()
        tgj, tgj_map, tgj_data = timestamped_geojson(tl, steps)
        t_tgj = time.perf_counter() - t0
        (tmp / "tgj.html").write_text(tgj, encoding="utf-8")

        exe = chromium_path()
        if exe is None:
            print("Chromium not found: browser figures skipped")
            return
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS[1:])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            load_ours = _open(page, tmp / "ours.html", "window.garrison !== undefined")
            shown = page.evaluate("document.querySelectorAll('.garrison-site:not(.off)').length")
            lo, hi = int(page.get_attribute("#garrison-date", "min")), int(page.get_attribute("#garrison-date", "max"))
            mid = (date(2018, 6, 1) - date(1970, 1, 1)).days
            play = max(1, round((hi - lo) / 600))
            rng = np.random.default_rng(3)
            day_steps = page.evaluate(_STEP_OURS, list(range(mid, mid + 60)))
            play_steps = page.evaluate(_STEP_OURS, list(range(mid, mid + 60 * play, play)))
            jumps = page.evaluate(_STEP_OURS, [int(x) for x in rng.integers(lo, hi, 30)])
            page.close()

            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            load_tgj = _open(page, tmp / "tgj.html", f"window.{tgj_map} && window.{tgj_map}.timeDimension")
            tgj_steps = page.evaluate(_STEP_TGJ, [tgj_map, [i % TGJ_STEPS for i in range(1, 2 * TGJ_STEPS)]])
            browser.close()

        print(f"\n{'':34}{'garrison timeline':>26}{'TimestampedGeoJson':>26}")
        print(f"{'time steps in the page':34}{f'{hi - lo + 1:,} days':>26}{f'{TGJ_STEPS} steps':>26}")
        print(f"{'HTML size':34}{_mb(len(ours.encode())):>26}{_mb(len(tgj.encode())):>26}")
        print(f"{'built in Python':34}{f'{t_ours:.1f} s':>26}{f'{t_tgj:.1f} s':>26}")
        print(f"{'opened in Chromium':34}{f'{load_ours:.1f} s':>26}{f'{load_tgj:.1f} s':>26}")
        print(f"site glyphs on the opening date: {shown:,}")
        print(f"garrison slider step, one day at a time:   {_summary(day_steps)}")
        print(f"garrison slider step, play speed ({play} days): {_summary(play_steps)}")
        print(f"garrison slider jump, random dates:        {_summary(jumps)}")
        print(f"TimestampedGeoJson step:                   {_summary(tgj_steps)}")
        per_step = tgj_data / TGJ_STEPS
        print(f"TimestampedGeoJson grows by about {_mb(int(per_step))} per time step "
              f"(50 steps: ~{_mb(int(per_step * 50))}; one a month since {FIRST.year}: "
              f"~{_mb(int(per_step * 12 * (LAST.year - FIRST.year)))})")
        print("targets: HTML <= 15 MB, slider step < 50 ms (set, re-filter, lay out; painting is on top)")

    tl_html, snap_html = maps.timeline_map(bundled), maps.snapshot_map(bundled, bundled.last_date())
    print(f"\nbundled dataset ({len(bundled.sites)} sites, {len(bundled.events)} events): "
          f"timeline {_mb(len(tl_html.encode()))} (target < 1.5 MB), "
          f"snapshot {_mb(len(snap_html.encode()))} (target < 1 MB)")
