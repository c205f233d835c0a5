"""Which country, first-level region and autonomous region hold a point.

Countries come from the outlines countryinfo ships.  The governorate is the one of
the nearest GeoNames populated places in that country (a vote of the five nearest,
weighted by closeness, as offline reverse geocoders do), and the Kurdistan Region is
the set of governorates our regions table lists as its members -- which tells federal
Iraq from the Kurdistan Region.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from functools import lru_cache

from . import sources


@lru_cache(maxsize=1)
def country_shapes() -> dict[str, object]:
    """ISO alpha-2 -> shapely outline of every country countryinfo knows."""
    from shapely import make_valid
    from shapely.geometry import shape
    from shapely.ops import unary_union

    out = {}
    for code, rec in sources._countryinfo_by_alpha2().items():
        gj = rec.get("geoJSON")
        if isinstance(gj, str):
            import ast

            gj = ast.literal_eval(gj)
        feats = (gj or {}).get("features") or []
        geoms = [make_valid(shape(f["geometry"])) for f in feats if f.get("geometry")]
        if geoms:
            out[code] = unary_union(geoms)
    return out


@lru_cache(maxsize=1)
def _region_table() -> tuple[dict[tuple[str, str], dict], list[dict]]:
    """(country, GeoNames admin1 code) -> governorate row; and the composite regions."""
    rows = sources.region_rows()
    by_code = {(r["country"], r["geonames_admin1"]): r for r in rows if r["geonames_admin1"]}
    composite = [r for r in rows if r["members"]]
    return by_code, composite


def country_at(lat: float, lon: float) -> str | None:
    """ISO alpha-2 code of the country whose outline holds the point (None at sea)."""
    from shapely import Point

    codes = list(country_shapes())
    hits = _tree().query(Point(lon, lat), predicate="intersects")
    return codes[int(hits[0])] if len(hits) else None


@lru_cache(maxsize=1)
def _tree():
    from shapely import STRtree

    return STRtree(list(country_shapes().values()))


def _admin1_near(con: sqlite3.Connection, country: str, lat: float, lon: float) -> str | None:
    """The GeoNames admin1 code of the point: a vote of the five nearest populated places of
    the country, each weighted by closeness (the place the point is in outweighs four
    villages across a governorate line); searched further afield in empty desert."""
    kx = math.cos(math.radians(lat))
    for box in (1.5, 4.0):
        near = con.execute(
            "SELECT admin1, (lat-?)*(lat-?) + (lon-?)*(lon-?)*? AS d FROM places "
            "WHERE country=? AND kind IN ('city','town') AND source LIKE 'geonames%' AND admin1 != '' "
            "AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? ORDER BY d LIMIT 5",
            (lat, lat, lon, lon, kx * kx, country, lat - box, lat + box, lon - box, lon + box)).fetchall()
        if near:
            votes: Counter[str] = Counter()
            for admin1, d in near:
                votes[admin1] += 1.0 / (111.0 * math.sqrt(d) + 2.0)  # km, and 2 km for the place's own extent
            return votes.most_common(1)[0][0]
    return None


def reverse(lat: float, lon: float, con: sqlite3.Connection | None = None) -> dict:
    """The country, governorate and autonomous region (if any) that hold a point."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValueError(f"({lat!r}, {lon!r}) is not a latitude/longitude pair") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails these too
        raise ValueError(f"({lat}, {lon}) is not a latitude/longitude pair")
    country = country_at(lat, lon)
    out = {"lat": lat, "lon": lon, "country": country, "admin1": None, "admin1_id": None,
           "region": None, "region_id": None, "federal": None}
    if country is None:
        return out
    if con is None:
        from . import default

        con = default()._con
    code = _admin1_near(con, country, lat, lon)
    if code is None:
        return out
    by_code, composite = _region_table()
    gov = by_code.get((country, code))
    if gov:
        out["admin1"], out["admin1_id"] = gov["name"], gov["id"]
    for reg in composite:
        if reg["country"] == country and code in reg["members"].split():
            out["region"], out["region_id"] = reg["name"], reg["id"]
    if country == "IQ":
        out["federal"] = out["region"] is None
    return out
