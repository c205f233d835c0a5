"""QGIS styles (QML) and a QGIS project (.qgs) for the exported layers.

They are written as plain XML so that an export needs no QGIS installed.  The
documents follow what QGIS 3.22 (the oldest release the tests open them with)
reads; later releases read them too.  The look follows the HTML maps: fill colour
is the controller (the actors file's ``colour``), shape is the site's kind, and
foreign presence is a badge up and to the right of the site.

A style carries the temporal settings too, but QGIS does not switch them on when
it applies a layer's default style (from ``layer_styles`` or a sidecar .qml); the
project does, which is why the GeoPackage comes with one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import pandas as pd

from . import dates
from .maps import KIND_LABELS, NO_CONTROLLER_COLOUR, UNKNOWN_COLOUR
from .timeline import Timeline

QGIS_VERSION = "3.22.0"
DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
#: QGIS simple-marker shape per site kind (the nearest to the HTML maps' glyphs)
SHAPES = {
    "airbase": "triangle", "airport": "triangle", "base": "square", "camp": "diamond",
    "outpost": "pentagon", "headquarters": "star", "range": "hexagon", "port": "circle",
}
DEFAULT_SHAPE = "circle"
OUTLINE = "#222222"
NO_VALUE_LABEL = "none recorded"


@dataclass(frozen=True)
class LayerStyle:
    """How one exported layer looks and behaves in QGIS."""

    title: str
    classify: str  # attribute the categories split on
    label: str  # attribute the labels show
    kind_field: str | None  # attribute holding the site kind (drives the marker shape)
    marker: str  # "site" (white glyph), "glyph" (filled glyph), "badge" (offset dot), "dot" (small dot)
    start: str | None = None  # temporal: start field (inclusive)
    end: str | None = None  # temporal: end field (exclusive, empty = still so); None = an instant


STYLES: dict[str, LayerStyle] = {
    "sites": LayerStyle("Sites", "kind", "name", "kind", "site"),
    "control_intervals": LayerStyle("Control (who held each site)", "actor_id", "site_name", "site_kind", "glyph",
                                    "valid_from", "valid_to"),
    "presence_intervals": LayerStyle("Foreign presence", "actor_id", "site_name", None, "badge",
                                     "valid_from", "valid_to"),
    "events": LayerStyle("Events (dated claims with sources)", "actor_id", "site_name", None, "dot", "date"),
    "snapshot": LayerStyle("Snapshot", "controller", "name", "kind", "glyph"),
}


def rgba(colour: str, alpha: int = 255) -> str:
    """'#c62828' as QGIS writes colours: '198,40,40,255'."""
    c = colour.lstrip("#")
    return ",".join(str(int(c[i:i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def categories(name: str, gdf: gpd.GeoDataFrame, tl: Timeline) -> list[tuple[str, str, str]]:
    """(value, legend label, colour) for every value the layer holds, in the actors file's
    order (or by kind for the sites), plus a catch-all for empty values if there are any."""
    style = STYLES[name]
    values = gdf[style.classify]
    present = set(values.dropna().unique()) - {""}
    if style.classify == "kind":
        order = [k for k in SHAPES if k in present] + sorted(present - set(SHAPES))
        cats = [(k, KIND_LABELS.get(k, k), "#ffffff") for k in order]
    else:
        colours = {a: c or UNKNOWN_COLOUR for a, c in zip(tl.actors["id"], tl.actors["colour"].fillna(""))}
        names = dict(zip(tl.actors["id"], tl.actors["name"]))
        order = [a for a in tl.actors["id"] if a in present] + sorted(present - set(tl.actors["id"]))
        cats = [(a, names.get(a, a), colours.get(a, UNKNOWN_COLOUR)) for a in order]
    if values.isna().any() or (values == "").any():
        cats.append(("", NO_VALUE_LABEL, NO_CONTROLLER_COLOUR if style.classify == "controller" else UNKNOWN_COLOUR))
    return cats


def _options(parent: ET.Element, values: dict[str, str]) -> ET.Element:
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in values.items():
        ET.SubElement(opt, "Option", name=k, type="QString", value=v)
    return opt


def _shape_expression(kind_field: str) -> str:
    whens = " ".join(f"WHEN \"{kind_field}\" = '{k}' THEN '{s}'" for k, s in SHAPES.items())
    return f"CASE {whens} ELSE '{DEFAULT_SHAPE}' END"


def _marker(parent: ET.Element, index: int, style: LayerStyle, value: str, colour: str) -> None:
    sym = ET.SubElement(parent, "symbol", type="marker", name=str(index), alpha="1", clip_to_extent="1",
                        force_rhr="0")
    layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
    props = {
        "angle": "0", "color": rgba(colour), "outline_color": rgba(OUTLINE), "outline_style": "solid",
        "outline_width": "0.3", "outline_width_unit": "MM", "size_unit": "MM", "offset": "0,0", "offset_unit": "MM",
        "horizontal_anchor_point": "1", "vertical_anchor_point": "1", "joinstyle": "miter", "scale_method": "diameter",
        "name": SHAPES.get(value, DEFAULT_SHAPE) if style.marker == "site" else DEFAULT_SHAPE, "size": "4",
    }
    if style.marker == "badge":
        props.update(size="2.8", offset="2.4,-2.4", outline_color=rgba("#ffffff"), outline_width="0.4")
    elif style.marker == "dot":
        props.update(size="1.8", outline_color=rgba("#ffffff"), outline_width="0.2")
    _options(layer, props)
    if style.marker == "glyph" and style.kind_field:
        dd = ET.SubElement(ET.SubElement(layer, "data_defined_properties"), "Option", type="Map")
        ET.SubElement(dd, "Option", name="name", type="QString", value="")
        shape = ET.SubElement(ET.SubElement(dd, "Option", name="properties", type="Map"), "Option", name="name",
                              type="Map")
        ET.SubElement(shape, "Option", name="active", type="bool", value="true")
        ET.SubElement(shape, "Option", name="expression", type="QString", value=_shape_expression(style.kind_field))
        ET.SubElement(shape, "Option", name="type", type="int", value="3")  # an expression-based property
        ET.SubElement(dd, "Option", name="type", type="QString", value="collection")


def _renderer(name: str, gdf: gpd.GeoDataFrame, tl: Timeline) -> ET.Element:
    style = STYLES[name]
    r = ET.Element("renderer-v2", type="categorizedSymbol", attr=style.classify, symbollevels="0",
                   enableorderby="0", forceraster="0", referencescale="-1")
    cats = categories(name, gdf, tl)
    cat_el, sym_el = ET.SubElement(r, "categories"), ET.SubElement(r, "symbols")
    for i, (value, label, colour) in enumerate(cats):
        ET.SubElement(cat_el, "category", value=value, label=label, symbol=str(i), render="true")
        _marker(sym_el, i, style, value, colour)
    return r


def _labeling(field: str) -> ET.Element:
    lab = ET.Element("labeling", type="simple")
    s = ET.SubElement(lab, "settings", calloutType="simple")
    ts = ET.SubElement(s, "text-style", fieldName=field, isExpression="0", fontSize="8", fontSizeUnit="Point",
                       textColor="33,33,33,255", textOpacity="1", fontWeight="50", fontItalic="0",
                       multilineHeight="1", blendMode="0", previewBkgrdColor="255,255,255,255")
    ET.SubElement(ts, "text-buffer", bufferDraw="1", bufferSize="0.7", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.85", bufferNoFill="1", bufferJoinStyle="128",
                  bufferBlendMode="0")
    ET.SubElement(s, "text-format", wrapChar="", multilineAlign="0", formatNumbers="0", decimals="3", plussign="0")
    ET.SubElement(s, "placement", placement="6", dist="1.5", distUnits="MM", offsetType="0", priority="5",
                  predefinedPositionOrder="BR,BL,R,L,B,TL,T,TR", quadOffset="4", xOffset="0", yOffset="0",
                  offsetUnits="MM", rotationAngle="0", centroidWhole="0", centroidInside="0", fitInPolygonOnly="0",
                  repeatDistance="0", maxCurvedCharAngleIn="25", maxCurvedCharAngleOut="-25")
    ET.SubElement(s, "rendering", drawLabels="1", obstacle="1", obstacleFactor="1", obstacleType="1",
                  displayAll="0", upsidedownLabels="0", labelPerPart="0", mergeLines="0", scaleVisibility="0",
                  scaleMin="0", scaleMax="0", limitNumLabels="0", maxNumLabels="2000", minFeatureSize="0",
                  fontLimitPixelSize="0", fontMinPixelSize="0", fontMaxPixelSize="10000", zIndex="0",
                  unplacedVisibility="0")
    return lab


def _temporal(style: LayerStyle) -> ET.Element:
    """Features shown while ``start <= t < end`` (an empty end never ends); an instant
    layer shows each feature on its own date."""
    active = style.start is not None
    mode = "0" if not active else ("2" if style.end else "1")
    t = ET.Element("temporal", enabled="1" if active else "0", mode=mode, startField=style.start or "",
                   endField=style.end or "", limitMode="0", accumulate="0", durationField="", durationUnit="d",
                   fixedDuration="0", startExpression="", endExpression="")
    rng = ET.SubElement(t, "fixedRange")
    ET.SubElement(rng, "start")
    ET.SubElement(rng, "end")
    return t


def style_elements(name: str, gdf: gpd.GeoDataFrame, tl: Timeline, labels: bool = True) -> list[ET.Element]:
    """The parts of a layer's style: shared by the sidecar .qml, the GeoPackage's
    ``layer_styles`` and the project."""
    style = STYLES[name]
    out = [_temporal(style), _renderer(name, gdf, tl), _labeling(style.label)]
    for tag, text in (("blendMode", "0"), ("featureBlendMode", "0"), ("layerOpacity", "1"),
                      ("previewExpression", f'"{style.label}"'), ("layerGeometryType", "0")):
        el = ET.Element(tag)
        el.text = text
        out.append(el)
    return out


def _tostring(root: ET.Element) -> str:
    ET.indent(root)
    return DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


def qml(name: str, gdf: gpd.GeoDataFrame, tl: Timeline) -> str:
    """A layer's QGIS style document (.qml)."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="AllStyleCategories", labelsEnabled="1",
                      hasScaleBasedVisibilityFlag="0", minScale="0", maxScale="0")
    root.extend(style_elements(name, gdf, tl))
    return _tostring(root)


def _srs(parent: ET.Element) -> None:
    srs = ET.SubElement(parent, "spatialrefsys")
    for tag, text in (("authid", "EPSG:4326"), ("srid", "4326"), ("description", "WGS 84"),
                      ("projectionacronym", "longlat"), ("geographicflag", "true")):
        ET.SubElement(srs, tag).text = text


def _extent(parent: ET.Element, tag: str, bounds: tuple[float, float, float, float]) -> ET.Element:
    el = ET.SubElement(parent, tag)
    for k, v in zip(("xmin", "ymin", "xmax", "ymax"), bounds):
        ET.SubElement(el, k).text = repr(float(v))
    return el


def time_range(layers: dict[str, gpd.GeoDataFrame]) -> tuple[date, date] | None:
    """From the first interval's start to the day after the last recorded date."""
    starts, ends = [], []
    for name, gdf in layers.items():
        style = STYLES[name]
        if style.start is None or gdf.empty:
            continue
        for col in (style.start, style.end):
            if col and gdf[col].notna().any():
                starts.append(pd.Timestamp(gdf[col].min()).date())
                ends.append(pd.Timestamp(gdf[col].max()).date())
    if not starts:
        return None
    return min(starts), max(ends) + timedelta(days=1)


def project(layers: dict[str, gpd.GeoDataFrame], gpkg_name: str, tl: Timeline, title: str) -> str:
    """A QGIS project over the GeoPackage (relative paths): every layer styled, the
    interval layers on the Temporal Controller, the project's time range set to the data."""
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "title").text = title
    _srs(ET.SubElement(root, "projectCrs"))
    tree = ET.SubElement(root, "layer-tree-group")
    maplayers = ET.SubElement(root, "projectlayers")
    # drawn bottom-up: sites under control, presence badges above, events (off by default) and snapshot on top
    order = [n for n in ("snapshot", "events", "presence_intervals", "control_intervals", "sites") if n in layers]
    bounds = None
    for name in order:
        gdf, style = layers[name], STYLES[name]
        layer_id = f"garrison_{name}"
        source = f"./{gpkg_name}|layername={name}"
        visible = name not in ("events", "snapshot")  # events flash by; the snapshot is one fixed date
        title = style.title
        if name == "snapshot" and len(gdf):
            title = f"{title}, {dates.human(gdf['date'].iloc[0])}"
        ET.SubElement(tree, "layer-tree-layer", id=layer_id, name=title, source=source, providerKey="ogr",
                      checked="Qt::Checked" if visible else "Qt::Unchecked", expanded="1" if visible else "0")
        # names once, on the sites; the other layers keep their labels switched off to avoid repeats
        ml = ET.SubElement(maplayers, "maplayer", type="vector", geometry="Point", wkbType="Point",
                           styleCategories="AllStyleCategories", hasScaleBasedVisibilityFlag="0",
                           labelsEnabled="1" if name == "sites" else "0", readOnly="0")
        if not gdf.empty:
            b = tuple(gdf.total_bounds)
            _extent(ml, "extent", b)
            bounds = b if bounds is None else (min(bounds[0], b[0]), min(bounds[1], b[1]),
                                               max(bounds[2], b[2]), max(bounds[3], b[3]))
        ET.SubElement(ml, "id").text = layer_id
        ET.SubElement(ml, "datasource").text = source
        ET.SubElement(ml, "layername").text = title
        _srs(ET.SubElement(ml, "srs"))
        ET.SubElement(ml, "provider", encoding="UTF-8").text = "ogr"
        ml.extend(style_elements(name, gdf, tl))
    props = ET.SubElement(root, "properties")
    ET.SubElement(ET.SubElement(props, "Paths"), "Absolute", type="bool").text = "false"
    span = time_range(layers)
    if span:
        ts = ET.SubElement(root, "ProjectTimeSettings", timeStepUnit="mon", timeStep="1", frameRate="1",
                           cumulativeTemporalRange="0")
        rng = ET.SubElement(ts, "TemporalRange")
        ET.SubElement(rng, "start").text = f"{span[0].isoformat()}T00:00:00Z"
        ET.SubElement(rng, "end").text = f"{span[1].isoformat()}T00:00:00Z"
    if bounds is not None:
        pad = 1.0
        view = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
        dve = ET.SubElement(ET.SubElement(root, "ProjectViewSettings", UseProjectScales="0"), "DefaultViewExtent",
                            {k: repr(float(v)) for k, v in zip(("xmin", "ymin", "xmax", "ymax"), view)})
        _srs(dve)
        canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
        ET.SubElement(canvas, "units").text = "degrees"
        _extent(canvas, "extent", view)
        ET.SubElement(canvas, "rotation").text = "0"
        _srs(ET.SubElement(canvas, "destinationsrs"))
    return _tostring(root)
