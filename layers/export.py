"""Exports for QGIS and spreadsheets: GeoJSON, one GeoPackage with a QGIS project, CSV.

Every layer of ``frames.all_layers`` (and a snapshot for ``on``) is written in each
format asked for.  Dates stay dates: GeoPackage DATE columns and ISO 8601 strings
in GeoJSON and CSV, with an EDTF string beside each date that says how precise it
is.  Nothing reaches ``outdir`` until every file has been written (they are built
in a temporary folder and then renamed), and an existing file is replaced only
with ``force``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from . import dates, frames, qgis_styles
from .fileio import atomic_dir, check_writable
from .timeline import Timeline

FORMATS = ("geojson", "gpkg", "csv")
GPKG_NAME = "garrison.gpkg"
PROJECT_NAME = "garrison.qgs"
GEOMETRY_COLUMN = "geom"
#: columns written as dates (GeoPackage DATE, ISO 8601 text elsewhere)
DATE_COLUMNS = ("valid_from", "valid_to", "date", "published", "controller_since")
DESCRIPTIONS = {
    "sites": "Tracked military sites, with the source of each position.",
    "control_intervals": "Who administered each site, as intervals [valid_from, valid_to); empty valid_to = still so.",
    "presence_intervals": "Foreign forces present at each site, as intervals [valid_from, valid_to); "
                          "empty valid_to = still there.",
    "events": "Dated, sourced claims about each site (date = start of the period the claim is precise to).",
    "snapshot": "Every site's controller and foreign presence on one date.",
}


class ExportError(ValueError):
    """An export that cannot be done as asked (unknown format)."""


def date32(values: pd.Series) -> pd.Series:
    """A column as Arrow ``date32`` (null where missing): GDAL writes it as a DATE
    field, where Python ``date`` objects would become text and datetimes DATETIME."""
    if values.dtype.kind not in "mM":
        values = dates.parse_series(values)[0]
    days = values.to_numpy(dtype="datetime64[s]").astype("datetime64[D]")
    arr = pa.array(days, type=pa.date32(), from_pandas=True)
    return pd.Series(pd.arrays.ArrowExtensionArray(arr), index=values.index, name=values.name)


def export_layers(tl: Timeline, on: date | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The layers as written: an ``id`` first in each (the GeoJSON feature id; the site id
    for sites and the snapshot), dates as ``date32``."""
    layers = frames.all_layers(tl)
    if on is not None:
        layers["snapshot"] = frames.snapshot(tl, on)
    out = {}
    for name, gdf in layers.items():
        gdf = gdf.copy()
        if "id" not in gdf.columns:
            gdf.insert(0, "id", gdf["site_id"])
        for col in DATE_COLUMNS:
            if col in gdf.columns:
                gdf[col] = date32(gdf[col])
        gdf = gdf.rename_geometry(GEOMETRY_COLUMN)
        out[name] = gdf
    return out


def write_layer(gdf: gpd.GeoDataFrame, path: Path, driver: str, layer: str, use_arrow: bool = True,
                **kwargs) -> None:
    """One layer through GDAL.  Arrow gives DATE columns and is the faster path
    (benchmarks/bench_export.py compares it with ``use_arrow=False``, row by row);
    an empty layer is still declared as points."""
    pyogrio.write_dataframe(gdf, path, driver=driver, layer=layer, geometry_type=None if len(gdf) else "Point",
                            use_arrow=use_arrow, **kwargs)


def write_geojson_file(gdf: gpd.GeoDataFrame, path: Path, layer: str, description: str = "",
                       use_arrow: bool = True) -> None:
    """RFC 7946 (GDAL's RFC7946=YES): CRS84 without a ``crs`` member, 7 decimals,
    counter-clockwise outer rings; the ``id`` column becomes each feature's id."""
    write_layer(gdf, path, "GeoJSON", layer, use_arrow,
                layer_options={"RFC7946": "YES", "ID_FIELD": "id", "ID_TYPE": "String", "DESCRIPTION": description})


def write_gpkg_layer(gdf: gpd.GeoDataFrame, path: Path, layer: str, description: str = "",
                     use_arrow: bool = True) -> None:
    """A layer added to a GeoPackage, which is created as version 1.2 (GDAL's default
    is newer than QGIS 3.22 reads without a warning)."""
    write_layer(gdf, path, "GPKG", layer, use_arrow,
                dataset_options={"VERSION": "1.2"} if not path.exists() else None,
                layer_options={"GEOMETRY_NAME": GEOMETRY_COLUMN, "DESCRIPTION": description})


def write_geojson(layers: dict[str, gpd.GeoDataFrame], folder: Path, tl: Timeline) -> list[str]:
    """GeoJSON per layer with a sidecar .qml that QGIS applies when it opens the file."""
    names = []
    for name, gdf in layers.items():
        write_geojson_file(gdf, folder / f"{name}.geojson", name, DESCRIPTIONS[name])
        (folder / f"{name}.qml").write_text(qgis_styles.qml(name, gdf, tl), encoding="utf-8")
        names += [f"{name}.geojson", f"{name}.qml"]
    return names


def _style_table(layers: dict[str, gpd.GeoDataFrame], tl: Timeline) -> pa.Table:
    """QGIS's ``layer_styles`` table (the schema QGIS itself creates in a GeoPackage):
    one default style per layer."""
    def text(name: str, width: int | None = None) -> pa.Field:
        return pa.field(name, pa.string(), metadata={"GDAL:OGR:width": str(width)} if width else None)

    schema = pa.schema([
        text("f_table_catalog", 256), text("f_table_schema", 256), text("f_table_name", 256),
        text("f_geometry_column", 256), text("styleName", 30), text("styleQML"), text("styleSLD"),
        pa.field("useAsDefault", pa.bool_()), text("description"), text("owner", 30), text("ui", 30),
        pa.field("update_time", pa.timestamp("ms", tz="UTC"),
                 metadata={"GDAL:OGR:default": "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"}),
    ])
    now = datetime.now(UTC)
    rows = [{"f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
             "f_geometry_column": GEOMETRY_COLUMN, "styleName": name, "styleQML": qgis_styles.qml(name, gdf, tl),
             "styleSLD": "", "useAsDefault": True, "description": "garrison default style", "owner": "",
             "ui": None, "update_time": now} for name, gdf in layers.items()]
    return pa.Table.from_pylist(rows, schema=schema)


def write_gpkg(layers: dict[str, gpd.GeoDataFrame], folder: Path, tl: Timeline) -> list[str]:
    """One GeoPackage 1.2 with every layer, DATE columns and each layer's default QGIS
    style, plus a QGIS project beside it that opens the layers on the Temporal Controller."""
    path = folder / GPKG_NAME
    for name, gdf in layers.items():
        write_gpkg_layer(gdf, path, name, DESCRIPTIONS[name])
    pyogrio.write_arrow(_style_table(layers, tl), path, layer="layer_styles", driver="GPKG",
                        geometry_type=None, layer_options={"FID": "id"})
    (folder / PROJECT_NAME).write_text(qgis_styles.project(layers, GPKG_NAME, tl, "garrison"), encoding="utf-8")
    return [GPKG_NAME, PROJECT_NAME]


def csv_frame(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """A layer for spreadsheets: ISO dates, ``lon``/``lat`` and the point as ``WKT``."""
    geom = gdf.geometry
    df = pd.DataFrame(gdf.drop(columns=geom.name))
    for col in DATE_COLUMNS:
        if col in df.columns:
            df[col] = df[col].astype(object).map(lambda d: d.isoformat() if isinstance(d, date) else "")
    df["lon"] = shapely.get_x(geom.values)
    df["lat"] = shapely.get_y(geom.values)
    df["WKT"] = shapely.to_wkt(geom.values, rounding_precision=-1)
    return df


def write_csv(layers: dict[str, gpd.GeoDataFrame], folder: Path, tl: Timeline) -> list[str]:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the names right."""
    for name, gdf in layers.items():
        csv_frame(gdf).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    return [f"{name}.csv" for name in layers]


WRITERS = {"geojson": write_geojson, "gpkg": write_gpkg, "csv": write_csv}


def planned_names(layer_names: list[str], formats: list[str]) -> list[str]:
    names = []
    for fmt in formats:
        if fmt == "geojson":
            names += [f"{n}.{ext}" for n in layer_names for ext in ("geojson", "qml")]
        elif fmt == "gpkg":
            names += [GPKG_NAME, PROJECT_NAME]
        else:
            names += [f"{n}.csv" for n in layer_names]
    return names


def export(tl: Timeline, outdir: Path, formats: list[str], on: date | None = None,
           force: bool = False) -> list[Path]:
    """Write the layers in each format into ``outdir``; return the files written.

    All files appear together or none does; existing files are replaced only with ``force``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ExportError(f"unknown export format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    outdir = Path(outdir)
    layers = export_layers(tl, on)
    for name in planned_names(list(layers), formats):  # fail before writing anything
        check_writable(outdir / name, force)
    created = not outdir.exists()
    written: list[str] = []
    try:
        with atomic_dir(outdir, force) as tmp:
            for fmt in dict.fromkeys(formats):
                written += WRITERS[fmt](layers, tmp, tl)
    except BaseException:
        if created and outdir.is_dir() and not any(outdir.iterdir()):
            outdir.rmdir()
        raise
    return [outdir / name for name in written]

