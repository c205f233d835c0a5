"""Export speed and size: 100,000 control intervals to GeoJSON and to GeoPackage,
through GDAL with and without Arrow.

A synthetic dataset (sites defined in the file, control changing hands every few
weeks) is written to a temporary folder and loaded like any user's ``--data``
folder, so the figures include building the layers.  ``layers.export`` writes
with Arrow: it is the path that keeps dates as DATE columns, and it is the faster
one (the figures below say by how much).  Without Arrow a GeoPackage gets its
dates as TEXT; the last column says what GDAL reads back.
"""

from __future__ import annotations

import csv
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyogrio

from layers import export
from layers.dataset import bundled_path, load
from layers.timeline import Timeline

N_SITES = 1_000
CHANGES_PER_SITE = 100  # 100,000 control intervals
ACTORS = ["isf", "isis", "peshmerga", "pmf"]


def make_dataset(folder: Path, n_sites: int = N_SITES, changes: int = CHANGES_PER_SITE) -> Path:
    """A dataset whose sites change hands ``changes`` times each (never to the same actor twice in a row)."""
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.csv").write_text((bundled_path() / "actors.csv").read_text(encoding="utf-8"), encoding="utf-8")
    with open(folder / "sites.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "lat", "lon", "kind", "country", "source_url"])
        for i in range(n_sites):
            w.writerow([f"bench-site-{i}", f"Bench site {i}", f"{rng.uniform(29, 37):.6f}",
                        f"{rng.uniform(39, 48):.6f}", "base", "IQ", f"https://example.org/bench/sites/{i}"])
    start = date(2014, 1, 1)
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "site_id", "date", "date_precision", "kind", "actor_id", "role", "source_url",
                    "source_title", "published", "evidence", "confidence"])
        for i in range(n_sites):
            day = start + timedelta(days=int(rng.integers(0, 30)))
            for k in range(changes):
                actor = ACTORS[k % len(ACTORS)]
                w.writerow([f"bench-{i}-{k}", f"bench-site-{i}", day.isoformat(), "day", "control", actor, "",
                            f"https://example.org/bench/{i}/{k}", f"Bench report {i}/{k}", day.isoformat(),
                            f"Synthetic claim {k} about bench site {i}.", "medium"])
                day += timedelta(days=int(rng.integers(10, 40)))
    return folder


def _timed(fn, *args, **kwargs) -> float:
    t = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t_make = _timed(make_dataset, tmp / "data")
        t0 = time.perf_counter()
        tl = Timeline.from_dataset(load(tmp / "data"))
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        layers = export.export_layers(tl)
        t_layers = time.perf_counter() - t0
        gdf = layers["control_intervals"]
        print(f"synthetic dataset: {len(tl.sites):,} sites, {len(tl.events):,} events "
              f"(written in {t_make:.1f} s, loaded into a timeline in {t_load:.1f} s)")
        print(f"{len(gdf):,} control intervals, {gdf.shape[1] - 1} attribute columns; layers built in {t_layers:.2f} s")
        print(f"{'format':<10}{'path':<14}{'seconds':>9}{'MB':>9}  dates as")
        rows = []
        for fmt, writer, ext in (("GeoJSON", export.write_geojson_file, "geojson"),
                                 ("GPKG", export.write_gpkg_layer, "gpkg")):
            for arrow in (True, False):
                path = tmp / f"out-{'arrow' if arrow else 'plain'}.{ext}"
                secs = _timed(writer, gdf, path, "control_intervals", use_arrow=arrow)
                kind = pyogrio.read_info(path)["ogr_types"][list(gdf.columns).index("valid_from")]
                rows.append((fmt, arrow, secs))
                print(f"{fmt:<10}{'Arrow' if arrow else 'no Arrow':<14}{secs:>9.2f}{path.stat().st_size / 1e6:>9.1f}"
                      f"  {kind}")
        out = tmp / "export"
        secs = _timed(export.export, tl, out, ["geojson", "gpkg"])
        size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
        print(f"garrison export --format geojson+gpkg (all layers, styles, project): {secs:.2f} s, {size:.1f} MB")
        for fmt in ("GeoJSON", "GPKG"):
            a, b = (s for f, arrow, s in rows if f == fmt)
            print(f"{fmt}: Arrow is {b / a:.1f}x {'faster' if a < b else 'slower'} than the row-by-row path")


if __name__ == "__main__":
    main()
