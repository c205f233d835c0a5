"""The layers as GeoDataFrames (EPSG:4326): plain tables in, GeoDataFrames out.

Every interval and event row carries its source columns, so whatever a map or an
export shows can cite where it came from.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
from shapely import points

from . import dates
from .timeline import Timeline

CRS = "EPSG:4326"


def _geo(df: pd.DataFrame, sites: pd.DataFrame, on: str = "site_id") -> gpd.GeoDataFrame:
    s = sites.set_index("id")
    lat = df[on].map(s["lat"]).astype(float).to_numpy()
    lon = df[on].map(s["lon"]).astype(float).to_numpy()
    return gpd.GeoDataFrame(df.reset_index(drop=True), geometry=points(lon, lat), crs=CRS)


def _with_site(df: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    s = sites.set_index("id")
    out = df.copy()
    out.insert(1, "site_name", out["site_id"].map(s["name"]))
    out.insert(2, "site_kind", out["site_id"].map(s["kind"]))
    return out


def sites_layer(tl: Timeline) -> gpd.GeoDataFrame:
    cols = ["id", "name", "kind", "country", "admin1", "precision", "source_url"]
    return _geo(tl.sites[cols].rename(columns={"id": "site_id"}), tl.sites)


def intervals_layer(tl: Timeline, track: str) -> gpd.GeoDataFrame:
    df = _with_site(tl.control if track == "control" else tl.presence, tl.sites)
    df.insert(0, "id", [f"{track}-{i + 1}" for i in range(len(df))])
    df["valid_from_edtf"] = dates.edtf_series(df["valid_from"], df["valid_from_precision"])
    df["valid_to_edtf"] = dates.edtf_series(df["valid_to"], df["valid_to_precision"], open_end="..")
    return _geo(df, tl.sites)


def control_layer(tl: Timeline) -> gpd.GeoDataFrame:
    return intervals_layer(tl, "control")


def presence_layer(tl: Timeline) -> gpd.GeoDataFrame:
    return intervals_layer(tl, "presence")


def events_layer(tl: Timeline) -> gpd.GeoDataFrame:
    cols = ["id", "site_id", "date", "date_precision", "kind", "actor_id", "role", "source_url",
            "source_title", "published", "evidence", "confidence"]
    df = _with_site(tl.events[cols + ["start"]], tl.sites).rename(columns={"date": "date_edtf"})
    df = df.rename(columns={"start": "date"})
    df["published"] = pd.to_datetime(df["published"], errors="coerce").astype("datetime64[s]")
    return _geo(df, tl.sites)


def snapshot(tl: Timeline, on: date) -> gpd.GeoDataFrame:
    """Every site's status on one date (sites with nothing recorded yet are left out)."""
    st = tl.status_at(on)
    st = st[st["controller"].notna() | st["present"].map(bool)].copy()
    st["present"] = st["present"].map(lambda a: "|".join(a))
    st["controller_since_edtf"] = dates.edtf_series(st["controller_since"], st["controller_since_precision"])
    return gpd.GeoDataFrame(st.reset_index(drop=True),
                            geometry=points(st["lon"].to_numpy(), st["lat"].to_numpy()), crs=CRS)


def all_layers(tl: Timeline) -> dict[str, gpd.GeoDataFrame]:
    return {
        "sites": sites_layer(tl),
        "control_intervals": control_layer(tl),
        "presence_intervals": presence_layer(tl),
        "events": events_layer(tl),
    }

