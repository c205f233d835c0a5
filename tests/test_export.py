"""The exports read back with GDAL (pyogrio): GeoJSON, the GeoPackage and its styles,
the QGIS project and style files, CSV; atomic writes and --force."""

from __future__ import annotations

import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from helpers import event, write_dataset
from shapely.geometry import Polygon

from layers import export, frames, qgis_styles
from layers.fileio import OutputExists
from layers.timeline import Timeline

ON = date(2026, 1, 19)
LAYERS = ["sites", "control_intervals", "presence_intervals", "events", "snapshot"]
DATES = {"control_intervals": ["valid_from", "valid_to", "published"],
         "presence_intervals": ["valid_from", "valid_to", "published"],
         "events": ["date", "published"], "snapshot": ["date", "controller_since"], "sites": []}
# what QGIS writes when it creates the table itself (QgsOgrProvider, GeoPackage)
LAYER_STYLES_COLUMNS = [
    ("id", "INTEGER"), ("f_table_catalog", "TEXT(256)"), ("f_table_schema", "TEXT(256)"),
    ("f_table_name", "TEXT(256)"), ("f_geometry_column", "TEXT(256)"), ("styleName", "TEXT(30)"),
    ("styleQML", "TEXT"), ("styleSLD", "TEXT"), ("useAsDefault", "BOOLEAN"), ("description", "TEXT"),
    ("owner", "TEXT(30)"), ("ui", "TEXT(30)"), ("update_time", "DATETIME"),
]


@pytest.fixture(scope="module")
def source(timeline) -> dict[str, gpd.GeoDataFrame]:
    """The layers as the library builds them, before any writing."""
    return {**frames.all_layers(timeline), "snapshot": frames.snapshot(timeline, ON)}


@pytest.fixture(scope="module")
def out(timeline, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "qgis"
    export.export(timeline, folder, ["geojson", "gpkg", "csv"], on=ON)
    return folder


def _close(a: gpd.GeoSeries, b: gpd.GeoSeries) -> None:
    ax, ay = shapely.get_x(a.values), shapely.get_y(a.values)
    bx, by = shapely.get_x(b.values), shapely.get_y(b.values)
    assert np.abs(ax - bx).max() < 1e-6 and np.abs(ay - by).max() < 1e-6


def _dates(values) -> list:
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]


def test_writes_every_layer_in_every_format(out):
    names = sorted(p.name for p in out.iterdir())
    expected = {f"{n}.{ext}" for n in LAYERS for ext in ("geojson", "qml", "csv")} | {"garrison.gpkg", "garrison.qgs"}
    assert set(names) == expected
    assert not [n for n in os.listdir(out) if n.startswith(".")]  # no temporary leftovers


@pytest.mark.parametrize("name", LAYERS)
def test_geojson_reads_back(out, source, name):
    src = source[name]
    info = pyogrio.read_info(out / f"{name}.geojson")
    assert info["features"] == len(src) and info["geometry_type"] == "Point" and info["crs"] == "EPSG:4326"
    types = dict(zip(info["fields"], info["ogr_types"]))
    for col in DATES[name]:
        assert types[col] == "OFTDate", col
    got = pyogrio.read_dataframe(out / f"{name}.geojson")
    ids = src["id"] if "id" in src else src["site_id"]
    assert list(got["id"]) == list(ids)
    _close(got.geometry, src.geometry)
    for col in DATES[name]:
        assert _dates(got[col]) == _dates(src[col]), col
    for col in ("source_url", "valid_from_edtf", "valid_to_edtf", "date_edtf", "evidence"):
        if col in src:
            assert list(got[col]) == list(src[col]), col


def test_geojson_follows_rfc7946(out, source):
    doc = json.loads((out / "control_intervals.geojson").read_text(encoding="utf-8"))
    assert "crs" not in doc and doc["type"] == "FeatureCollection"
    feats = {f["id"]: f for f in doc["features"]}
    src = source["control_intervals"].set_index("id")
    ain = src[src["site_id"] == "ain-al-asad-air-base"].iloc[0]
    f = feats[ain.name]
    assert f["geometry"]["coordinates"] == [pytest.approx(42.4412), pytest.approx(33.7856)]  # lon, lat
    open_ended = src.index[src["valid_to"].isna()]
    assert len(open_ended) and all(feats[i]["properties"]["valid_to"] is None for i in open_ended)
    assert all(feats[i]["properties"]["valid_to_edtf"] == ".." for i in open_ended)
    month = src[src["valid_from_precision"] == "month"].iloc[0]
    props = feats[month.name]["properties"]
    assert props["valid_from"] == month["valid_from"].date().isoformat() and len(props["valid_from_edtf"]) == 7


def test_geojson_writer_winds_outer_rings_counter_clockwise(tmp_path):
    # the layers are points; a polygon written the same way proves the RFC 7946 option is in force
    clockwise = Polygon([(40, 30), (40, 31), (41, 31), (41, 30), (40, 30)])
    assert not clockwise.exterior.is_ccw
    gdf = gpd.GeoDataFrame({"id": ["zone"]}, geometry=[clockwise], crs="EPSG:4326")
    export.write_geojson_file(gdf, tmp_path / "zone.geojson", "zone")
    ring = json.loads((tmp_path / "zone.geojson").read_text())["features"][0]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw


@pytest.mark.parametrize("name", LAYERS)
def test_geopackage_reads_back(out, source, name):
    src = source[name]
    info = pyogrio.read_info(out / "garrison.gpkg", layer=name)
    assert info["features"] == len(src) and info["geometry_type"] == "Point" and info["crs"] == "EPSG:4326"
    assert info["geometry_name"] == export.GEOMETRY_COLUMN
    types = dict(zip(info["fields"], info["ogr_types"]))
    for col in DATES[name]:
        assert types[col] == "OFTDate", col
    got = pyogrio.read_dataframe(out / "garrison.gpkg", layer=name, use_arrow=True)
    _close(got.geometry, src.geometry)
    for col in DATES[name]:
        assert _dates(got[col]) == _dates(src[col]), col


def test_geopackage_is_version_1_2_with_real_date_columns(out):
    con = sqlite3.connect(out / "garrison.gpkg")
    try:
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200
        cols = {r[1]: r[2] for r in con.execute('PRAGMA table_info("control_intervals")')}
        assert cols["valid_from"] == cols["valid_to"] == "DATE"
        assert con.execute('SELECT count(*) FROM control_intervals WHERE valid_to IS NULL').fetchone()[0] > 0
        tables = {r[0]: r[1] for r in con.execute("SELECT table_name, data_type FROM gpkg_contents")}
        assert tables == {**{n: "features" for n in LAYERS}, "layer_styles": "attributes"}
    finally:
        con.close()


def test_geopackage_styles_are_qgis_defaults(out, source):
    con = sqlite3.connect(out / "garrison.gpkg")
    try:
        cols = [(r[1], r[2]) for r in con.execute('PRAGMA table_info("layer_styles")')]
        rows = con.execute("SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, useAsDefault, "
                           "styleQML, update_time FROM layer_styles").fetchall()
    finally:
        con.close()
    assert cols == LAYER_STYLES_COLUMNS
    assert sorted(r[2] for r in rows) == sorted(LAYERS)
    for catalog, schema, table, geom, default, qml, updated in rows:
        # QGIS finds a layer's default style by these exact values
        assert (catalog, schema, geom, default) == ("", "", "geom", 1)
        assert updated
        renderer = ET.fromstring(qml).find("renderer-v2")
        assert renderer.get("attr") == qgis_styles.STYLES[table].classify


def test_style_categories_match_the_data_and_the_actor_colours(out, source, timeline):
    colours = dict(zip(timeline.actors["id"], timeline.actors["colour"]))
    for name in ("control_intervals", "presence_intervals", "events", "snapshot"):
        root = ET.parse(out / f"{name}.qml").getroot()
        attr = root.find("renderer-v2").get("attr")
        cats = root.findall("renderer-v2/categories/category")
        values = [c.get("value") for c in cats]
        assert set(values) - {""} == set(source[name][attr].dropna())
        assert len(values) == len(set(values))
        symbols = {s.get("name"): s for s in root.findall("renderer-v2/symbols/symbol")}
        for c in cats:
            if c.get("value"):
                opts = {o.get("name"): o.get("value") for o in symbols[c.get("symbol")].find("layer/Option")}
                assert opts["color"] == qgis_styles.rgba(colours[c.get("value")])
        assert root.find("labeling/settings/text-style").get("fieldName") in ("site_name", "name")


def test_snapshot_without_a_controller_gets_the_catch_all_category(tmp_path):
    # a site where allies are present but nobody's control is recorded
    ds = write_dataset(tmp_path / "data", [
        event("e1", "north-base", "2020-01-01", "control", "gov"),
        event("e2", "south-field", "2020-03", "presence_start", "allies"),
    ])
    from layers.dataset import load

    tl = Timeline.from_dataset(load(ds))
    snap = frames.snapshot(tl, date(2021, 1, 1))
    cats = qgis_styles.categories("snapshot", snap, tl)
    assert [c[0] for c in cats] == ["gov", ""]
    assert cats[0][2] == "#cc0000"


def test_project_is_relative_and_time_aware(out, source):
    text = (out / "garrison.qgs").read_text(encoding="utf-8")
    assert str(out) not in text
    root = ET.fromstring(text)
    assert root.find("properties/Paths/Absolute").text == "false"
    layers = {ml.find("datasource").text: ml for ml in root.iter("maplayer")}
    assert set(layers) == {f"./garrison.gpkg|layername={n}" for n in LAYERS}
    for name in ("control_intervals", "presence_intervals"):
        t = layers[f"./garrison.gpkg|layername={name}"].find("temporal")
        assert (t.get("enabled"), t.get("mode"), t.get("startField"), t.get("endField"), t.get("limitMode")) == \
            ("1", "2", "valid_from", "valid_to", "0")  # start and end fields, [start, end)
    rng = root.find("ProjectTimeSettings/TemporalRange")
    first = min(source["control_intervals"]["valid_from"].min(), source["presence_intervals"]["valid_from"].min())
    assert rng.find("start").text.startswith(first.date().isoformat())
    tree = [(e.get("source").split("=")[-1], e.get("checked")) for e in root.iter("layer-tree-layer")]
    assert dict(tree)["control_intervals"] == "Qt::Checked" and dict(tree)["events"] == "Qt::Unchecked"


@pytest.mark.parametrize("name", LAYERS)
def test_csv_reads_back(out, source, name):
    src = source[name]
    raw = (out / f"{name}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so spreadsheets take it as UTF-8
    got = pyogrio.read_dataframe(out / f"{name}.csv", X_POSSIBLE_NAMES="lon", Y_POSSIBLE_NAMES="lat",
                                 AUTODETECT_TYPE="YES", KEEP_GEOM_COLUMNS="YES")
    assert len(got) == len(src)
    _close(got.geometry, src.geometry)
    _close(gpd.GeoSeries(shapely.from_wkt(got["WKT"])), src.geometry)
    types = dict(zip(*(pyogrio.read_info(out / f"{name}.csv", AUTODETECT_TYPE="YES")[k]
                       for k in ("fields", "ogr_types"))))
    for col in DATES[name]:
        assert types[col] == "OFTDate", col
        assert _dates(got[col]) == _dates(src[col]), col


def test_refuses_to_overwrite_without_force(out, timeline):
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(OutputExists, match="--force"):
        export.export(timeline, out, ["csv"], on=ON)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_force_replaces(tmp_path, timeline):
    (tmp_path / "sites.csv").write_text("old", encoding="utf-8")
    written = export.export(timeline, tmp_path, ["csv"], force=True)
    assert tmp_path / "sites.csv" in written
    assert (tmp_path / "sites.csv").read_text(encoding="utf-8-sig").startswith("id,")


def test_a_failing_writer_leaves_nothing_behind(tmp_path, timeline, monkeypatch):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "garrison.gpkg").write_bytes(b"the user's own file")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(qgis_styles, "project", broken)  # after the GeoJSON and the GeoPackage are written
    with pytest.raises(RuntimeError, match="disk full"):
        export.export(timeline, keep, ["geojson", "gpkg", "csv"], force=True)
    assert os.listdir(keep) == ["garrison.gpkg"]
    assert (keep / "garrison.gpkg").read_bytes() == b"the user's own file"
    fresh = tmp_path / "fresh"
    with pytest.raises(RuntimeError):
        export.export(timeline, fresh, ["gpkg"])
    assert not fresh.exists()


def test_unknown_format(timeline, tmp_path):
    with pytest.raises(export.ExportError, match="shapefile"):
        export.export(timeline, tmp_path, ["shapefile"])


def test_empty_snapshot_is_still_a_point_layer(tmp_path, timeline):
    export.export(timeline, tmp_path, ["gpkg"], on=date(1900, 1, 1))
    info = pyogrio.read_info(tmp_path / "garrison.gpkg", layer="snapshot")
    assert info["features"] == 0 and info["geometry_type"] == "Point"


def test_cli_export(cli, tmp_path):
    r = cli("export", "--format", "all", "--on", "2026-01-19", "-o", str(tmp_path / "x"))
    assert r.returncode == 0, r.stderr
    printed = r.stdout.split()
    assert str(tmp_path / "x" / "garrison.qgs") in printed and len(printed) == 17
    again = cli("export", "--format", "gpkg", "-o", str(tmp_path / "x"))
    assert again.returncode == 2 and "--force" in again.stderr and "Traceback" not in again.stderr
