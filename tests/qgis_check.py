"""Open a garrison export in QGIS and report, as JSON, what QGIS sees.

Run with the Python that has QGIS's bindings (Debian: /usr/bin/python3 with
python3-qgis) and QT_QPA_PLATFORM=offscreen:

    python3 tests/qgis_check.py EXPORT_DIR SPEC.json

SPEC names the layers, the point to look at and the dates to render at.  This
script only observes; tests/test_qgis.py holds the expectations.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsDateTimeRange,
    QgsExpressionContext,
    QgsFeatureRequest,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerTemporalContext,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QSize, QTime, QVariant
from qgis.PyQt.QtGui import QColor

MODES = {
    QgsVectorLayerTemporalProperties.ModeFixedTemporalRange: "fixed",
    QgsVectorLayerTemporalProperties.ModeFeatureDateTimeInstantFromField: "instant",
    QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromFields: "start_end_fields",
}


def _value(v):
    if v is None or (isinstance(v, QVariant) and v.isNull()):
        return None
    return v if isinstance(v, (str, int, float, bool)) else str(v)


def table_name(layer: QgsVectorLayer) -> str:
    """The GeoPackage table a project layer reads."""
    return layer.source().split("layername=")[-1].split("|")[0]


def describe(layer: QgsVectorLayer) -> dict:
    """Validity, counts, field types, renderer, labels and temporal settings of a layer."""
    out = {"valid": layer.isValid(), "name": layer.name(), "source": layer.source(),
           "crs": layer.crs().authid(), "features": layer.featureCount(),
           "fields": {f.name(): f.typeName() for f in layer.fields()}}
    r = layer.renderer()
    out["renderer"] = r.type() if r else None
    if r is not None and r.type() == "categorizedSymbol":
        out["class_attribute"] = r.classAttribute()
        out["categories"] = [{"value": _value(c.value()), "label": c.label(),
                              "colour": c.symbol().color().name(),
                              "shape_expression": _shape_dd(c.symbol())} for c in r.categories()]
    lab = layer.labeling()
    out["labels"] = {"enabled": layer.labelsEnabled(),
                     "field": lab.settings().fieldName if lab is not None and lab.type() == "simple" else None}
    tp = layer.temporalProperties()
    out["temporal"] = {"active": tp.isActive(), "mode": MODES.get(tp.mode(), int(tp.mode())),
                       "start": tp.startField(), "end": tp.endField()}
    return out


def _shape_dd(symbol) -> str | None:
    sl = symbol.symbolLayer(0)
    prop = sl.dataDefinedProperties().property(sl.PropertyName)
    return prop.expressionString() if prop.isActive() else None


def temporal_filter(layer: QgsVectorLayer, day: str, extent: QgsRectangle) -> list[str]:
    """Ids of the features QGIS keeps near a point for the frame [day, day + 1)."""
    start = QDateTime(QDate.fromString(day, "yyyy-MM-dd"), QTime(0, 0))
    ctx = QgsVectorLayerTemporalContext()
    ctx.setLayer(layer)
    expr = layer.temporalProperties().createFilterString(ctx, QgsDateTimeRange(start, start.addDays(1), True, False))
    req = QgsFeatureRequest().setFilterRect(extent)
    if expr:
        req.setFilterExpression(expr)
        req.setExpressionContext(QgsExpressionContext())
    return sorted(str(f["id"]) for f in layer.getFeatures(req))


def render(project: QgsProject, day: str, lon: float, lat: float, radius: float, out_png: Path) -> dict:
    """Render the project's visible layers for the frame [day, day + 1) around a point and
    count the colours within a few pixels of it."""
    settings = QgsMapSettings()
    root = project.layerTreeRoot()
    settings.setLayers([tl.layer() for tl in root.findLayers() if tl.isVisible()])
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    settings.setExtent(QgsRectangle(lon - radius, lat - radius, lon + radius, lat + radius))
    settings.setOutputSize(QSize(240, 240))
    settings.setOutputDpi(144)
    settings.setBackgroundColor(QColor("white"))
    start = QDateTime(QDate.fromString(day, "yyyy-MM-dd"), QTime(0, 0))
    settings.setIsTemporal(True)
    settings.setTemporalRange(QgsDateTimeRange(start, start.addDays(1), True, False))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(str(out_png))
    centre = settings.mapToPixel().transform(QgsPointXY(lon, lat))
    cx, cy = int(round(centre.x())), int(round(centre.y()))
    colours: dict[str, int] = {}
    window = 24  # pixels either side: the glyph and its presence badge
    for y in range(max(0, cy - window), min(img.height(), cy + window + 1)):
        for x in range(max(0, cx - window), min(img.width(), cx + window + 1)):
            name = QColor(img.pixel(x, y)).name()
            colours[name] = colours.get(name, 0) + 1
    return {"png": str(out_png), "centre": [cx, cy], "colours": colours}


def main(argv: list[str]) -> int:
    folder, spec = Path(argv[1]), json.loads(Path(argv[2]).read_text())
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    report: dict = {"qgis": Qgis.QGIS_VERSION}
    project = QgsProject.instance()
    report["project_read"] = project.read(str(folder / spec["project"]))
    by_source = {table_name(lyr): lyr for lyr in project.mapLayers().values()}
    report["project_layers"] = {name: describe(lyr) for name, lyr in by_source.items()}
    report["visible"] = [table_name(tl.layer()) for tl in project.layerTreeRoot().findLayers() if tl.isVisible()]
    ts = project.timeSettings()
    rng = ts.temporalRange()
    report["time_settings"] = {"start": rng.begin().toString("yyyy-MM-dd"), "end": rng.end().toString("yyyy-MM-dd"),
                               "step": ts.timeStep(), "unit": QgsUnitTypes.encodeUnit(ts.timeStepUnit())}
    view = project.viewSettings().defaultViewExtent()
    report["default_view"] = {"crs": view.crs().authid(),
                              "extent": [view.xMinimum(), view.yMinimum(), view.xMaximum(), view.yMaximum()]}
    # the same layers opened straight from the GeoPackage (default style from layer_styles)
    report["gpkg_layers"] = {
        name: describe(QgsVectorLayer(f"{folder / spec['gpkg']}|layername={name}", name, "ogr"))
        for name in spec["layers"]}
    # the GeoJSON files, with their sidecar .qml applied as the default style
    report["geojson_layers"] = {
        name: describe(QgsVectorLayer(str(folder / f"{name}.geojson"), name, "ogr"))
        for name in spec["layers"] if (folder / f"{name}.geojson").exists()}
    lon, lat = spec["point"]
    box = QgsRectangle(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)
    report["filtered"] = {day: {name: temporal_filter(by_source[name], day, box)
                                for name in spec["temporal_layers"]} for day in spec["dates"]}
    report["renders"] = {day: render(project, day, lon, lat, spec["radius"], folder / f"render-{day}.png")
                         for day in spec["dates"]}
    json.dump(report, sys.stdout, indent=1, sort_keys=True)
    project.clear()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
