"""Small datasets written by the tests themselves (own sites with coordinates, so no
gazetteer lookup is needed)."""

from __future__ import annotations

import csv
from pathlib import Path

from layers.dataset import EVENT_COLUMNS

SITES = [
    {"id": "north-base", "name": "North Base", "lat": "36.0", "lon": "43.0", "kind": "base",
     "country": "IQ", "source_url": "https://example.org/north"},
    {"id": "south-field", "name": "South Field", "lat": "31.0", "lon": "46.0", "kind": "airbase",
     "country": "IQ", "source_url": "https://example.org/south"},
]
ACTORS = [
    {"id": "gov", "name": "Government forces", "aliases": "army", "colour": "#cc0000"},
    {"id": "rebels", "name": "Rebels", "aliases": "", "colour": "#111111"},
    {"id": "allies", "name": "Allied advisers", "aliases": "", "colour": "#00897b"},
]


def event(eid: str, site: str, date: str, kind: str, actor: str, *, precision: str = "",
          published: str = "2026-02-01", confidence: str = "high", role: str = "",
          title: str = "A report", url: str | None = None) -> dict:
    return {
        "id": eid, "site_id": site, "date": date,
        "date_precision": precision or {10: "day", 7: "month", 4: "year"}[len(date)],
        "kind": kind, "actor_id": actor, "role": role,
        "source_url": url or f"https://example.org/{eid}", "source_title": title,
        "published": published, "evidence": f"our paraphrase for {eid}", "confidence": confidence,
    }


def write_dataset(folder: Path, events: list[dict], sites: list[dict] | None = None,
                  actors: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows, cols in (
        ("sites.csv", sites or SITES, ["id", "name", "lat", "lon", "kind", "country", "source_url"]),
        ("actors.csv", actors or ACTORS, ["id", "name", "aliases", "colour"]),
        ("events.csv", events, EVENT_COLUMNS),
    ):
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
    return folder
