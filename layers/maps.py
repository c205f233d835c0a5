"""HTML maps (folium) that analysts can trust, that open anywhere and stay small.

Three pages share one renderer: a snapshot at a date, a timeline with a date slider,
and a change view between two dates.  The page carries the timeline as compact
columns (one row per status interval ``[valid_from, valid_to)``, never a copy per
time step) and a small script of ours filters them in the browser for the date on
show, so a slider step touches only the sites whose status changed.

Fill colour is the controller (the palette is the actors file's ``colour``), glyph
shape is the site's kind, drawn as inline SVG; foreign presence is a separate badge
in the present actor's colour (on control maps a ring means "besieged", so no
rings).  Popups are built with DOM text nodes, so nothing from the data is ever read
as HTML; source links are only made of http(s) URLs.  Every script and style is
inlined: the page makes no request to any host.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from html import escape

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.map import CustomPane
from jinja2 import Template

from . import dates
from .dataset import CONFIDENCE, EVENT_KINDS
from .offline import OfflineMap, RawHTML, assert_offline
from .timeline import Timeline

#: glyph per site kind: a relative SVG path drawn around its site, in a 20-pixel box
#: (relative, so the page places a glyph by its starting point alone)
GLYPHS = {
    "airbase": "m0 -9 l9 17 l-9 -4 l-9 4 z",                                          # arrowhead: an airfield
    "airport": "m-3 -9 h6 v6 h6 v6 h-6 v6 h-6 v-6 h-6 v-6 h6 z",                      # cross: runways
    "base": "m-8 -8 h16 v16 h-16 z",                                                   # square
    "camp": "m0 -9 l9 9 l-9 9 l-9 -9 z",                                               # diamond
    "outpost": "m0 -7 l8 14 h-16 z",                                                   # triangle
    "headquarters": "m0 -9 l2.6 6.4 l6.9 0.2 l-5.4 4.3 l1.9 6.7 l-6 -3.9 l-6 3.9 l1.9 -6.7 l-5.4 -4.3 "
                    "l6.9 -0.2 z",                                                     # star
    "range": "m-8 -4 h16 v8 h-16 z",                                                   # bar
    "port": "m-9 0 a9 9 0 1 0 18 0 a9 9 0 1 0 -18 0 z",                                # circle
}
KIND_LABELS = {
    "airbase": "air base", "airport": "airport", "base": "base", "camp": "camp",
    "outpost": "outpost", "headquarters": "headquarters", "range": "range", "port": "port",
}
UNKNOWN_COLOUR = "#9e9e9e"
#: what a site looks like when someone is present but nobody is recorded as holding it
NO_CONTROLLER_COLOUR = "#ffffff"
_PRECISION_NOTES = {"locality": "location approximate (town)", "centroid": "location approximate (centre)",
                    "seat": "location approximate (seat)"}
_OPEN = -1  # an interval that still holds


def json_for_script(obj) -> str:
    """JSON that is safe inside a <script> element (no '</script>' can close it)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")


class _Script(MacroElement):
    """A script block added to the page's end (after the map and its layers exist).

    The code goes in as a value, not as template text, so nothing in it is read as Jinja.
    """

    _template = Template("{% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}")

    def __init__(self, js: str):
        super().__init__()
        self.js = js


# -- the data the page carries ---------------------------------------------------------
def _days(values) -> np.ndarray:
    """Days since 1970-01-01 (what the page's script counts in); _OPEN for NaT."""
    d = np.asarray(values, dtype="datetime64[D]")
    return np.where(np.isnat(d), _OPEN, d.astype("int64")).astype("int64")


def _day(d: date) -> int:
    return int(np.datetime64(d, "D").astype("int64"))


def _codes(values: pd.Series, table: list[str]) -> list[int]:
    return pd.Index(table).get_indexer(values.fillna("").astype(str)).tolist()


@cache
def _composite_regions() -> dict[tuple[str, str], str]:
    """(country, name key of a governorate) -> the region it belongs to (the Kurdistan Region)."""
    from geo.names import core, normalize
    from geo.sources import region_rows

    rows = region_rows()
    by_code = {(r["country"], r["geonames_admin1"]): r for r in rows if r["geonames_admin1"]}
    out = {}
    for region in rows:
        for code in region["members"].split():
            gov = by_code.get((region["country"], code))
            for name in [gov["name"], *gov["aliases"].split("|")] if gov else []:
                out[(region["country"], core(normalize(name)))] = region["name"]
    return out


@cache
def country_name(code: str) -> str:
    """The name readers use for an ISO alpha-2 code ("Syria", not "Syrian Arab Republic")."""
    import pycountry

    c = pycountry.countries.get(alpha_2=code) if code else None
    return getattr(c, "common_name", None) or getattr(c, "name", None) or code


def _where(admin1: str, country: str, precision: str) -> str:
    """'Erbil, Iraq · Kurdistan Region · location approximate (town)'."""
    from geo.names import core, normalize

    parts = [", ".join(p for p in (admin1, country_name(country)) if p)]
    region = _composite_regions().get((country, core(normalize(admin1)))) if admin1 else None
    parts += [region or "", _PRECISION_NOTES.get(precision, "")]
    return " · ".join(p for p in parts if p)


def map_data(tl: Timeline) -> dict:
    """The timeline as the page's script reads it: columns of small integers and string tables.

    Dates are days since 1970-01-01 with a precision code, open interval ends are -1,
    and every repeated string (actors, kinds, roles, sources, places) is stored once.
    """
    sites = tl.sites.reset_index(drop=True)
    site_index = pd.Index(sites["id"])
    actors = tl.actors.reset_index(drop=True)
    kinds = sorted(set(sites["kind"].astype(str)))
    keys = pd.DataFrame({c: sites.get(c, pd.Series("", index=sites.index)).fillna("").astype(str)
                         for c in ("admin1", "country", "precision")})
    places_of = {k: _where(*k) for k in keys.drop_duplicates().itertuples(index=False, name=None)}
    where = [places_of[k] for k in keys.itertuples(index=False, name=None)]
    places = sorted(set(places_of.values()))
    prec = list(dates.PRECISIONS)

    def intervals(frame: pd.DataFrame) -> dict:
        return {
            "site": site_index.get_indexer(frame["site_id"]).tolist(),
            "actor": _codes(frame["actor_id"], actors["id"].tolist()),
            "from": _days(frame["valid_from"].to_numpy()).tolist(),
            "fp": _codes(frame["valid_from_precision"], prec),
            "to": _days(frame["valid_to"].to_numpy()).tolist(),
        }

    roles = sorted(set(tl.presence["role"].fillna("")) | set(tl.events["role"].fillna("")))
    presence = intervals(tl.presence)
    presence["role"] = _codes(tl.presence["role"], roles)

    ev = tl.events.assign(_site=site_index.get_indexer(tl.events["site_id"]))
    ev = ev.sort_values(["_site", "start", "id"], kind="stable").reset_index(drop=True)
    src = ev[["source_url", "source_title"]].fillna("").astype(str)
    src_keys = src["source_url"] + "\n" + src["source_title"]
    src_table, src_codes = np.unique(src_keys.to_numpy(), return_inverse=True)
    split = [k.split("\n", 1) for k in src_table.tolist()]
    return {
        "sites": {
            "id": sites["id"].tolist(), "name": sites["name"].astype(str).tolist(),
            "kind": _codes(sites["kind"], kinds),
            "lat": sites["lat"].astype(float).round(5).tolist(), "lon": sites["lon"].astype(float).round(5).tolist(),
            "place": pd.Index(places).get_indexer(where).tolist(),
        },
        "places": places,
        "kinds": {"id": kinds, "label": [KIND_LABELS.get(k, k) for k in kinds],
                  "path": [GLYPHS.get(k, GLYPHS["base"]) for k in kinds]},
        "actors": {"id": actors["id"].tolist(), "name": actors["name"].astype(str).tolist(),
                   "colour": [c or UNKNOWN_COLOUR for c in actors["colour"].fillna("")]},
        "control": intervals(tl.control),
        "presence": presence,
        "events": {
            "offset": np.searchsorted(ev["_site"].to_numpy(), np.arange(len(sites) + 1)).tolist(),
            "day": _days(ev["start"].to_numpy()).tolist(),
            "prec": _codes(ev["date_precision"], prec),
            "kind": _codes(ev["kind"], list(EVENT_KINDS)),
            "actor": _codes(ev["actor_id"], actors["id"].tolist()),
            "role": _codes(ev["role"], roles),
            "source": src_codes.tolist(),
            "evidence": ev["evidence"].fillna("").astype(str).tolist(),
            "conf": _codes(ev["confidence"], list(CONFIDENCE)),
        },
        "sources": {"url": [s[0] for s in split], "title": [s[1] for s in split]},
        "roles": roles,
        "precisions": prec,
        "confidence": list(CONFIDENCE),
        "colours": {"none": NO_CONTROLLER_COLOUR},
    }


def changed_sites(tl: Timeline, start: date, end: date) -> list[str]:
    """Sites whose control or presence track changes on a day in ``(start, end]``.

    A change on ``end`` is on the map of ``end``; one on ``start`` is already on the map
    of ``start``.  Claims that only re-affirm a status do not count.
    """
    a, b = np.datetime64(start, "s"), np.datetime64(end, "s")
    hit: set[str] = set()
    for frame in (tl.control, tl.presence):
        for col in ("valid_from", "valid_to"):
            d = frame[col].to_numpy()
            hit.update(frame["site_id"][(d > a) & (d <= b)])
    return [s for s in tl.sites["id"] if s in hit]


# -- the page ----------------------------------------------------------------------------
def country_outlines(bounds: tuple[float, float, float, float], margin: float = 4.0) -> dict:
    """A GeoJSON basemap of the country outlines around the sites (simplified)."""
    from shapely import box
    from shapely.geometry import mapping

    from geo.regions import country_shapes

    area = box(bounds[1] - margin, bounds[0] - margin, bounds[3] + margin, bounds[2] + margin)
    feats = []
    for code, geom in sorted(country_shapes().items()):
        if geom.intersects(area):
            g = geom.simplify(0.02, preserve_topology=True)
            label = g.intersection(area).representative_point()
            feats.append({"type": "Feature",
                          "properties": {"country": code, "name": country_name(code),
                                         "label": [round(label.y, 3), round(label.x, 3)]},
                          "geometry": mapping(g)})
    return {"type": "FeatureCollection", "features": feats}


def _label(lat: float, lon: float, text: str, cls: str, title: str) -> folium.Marker:
    html = f'<span class="{cls}" title="{escape(title, quote=True)}">{escape(text)}</span>'
    return folium.Marker([lat, lon], icon=folium.DivIcon(html=html, icon_size=(160, 16), icon_anchor=(80, 8),
                                                         class_name="garrison-label-icon"),
                         pane="garrison-labels", interactive=False, keyboard=False)


def _governorate_seats(bounds: tuple[float, float, float, float], margin: float) -> list[tuple]:
    """(lat, lon, label, title) of the first-level regions we have, placed at their seats.

    The gazetteer has no region outlines, only each governorate's seat: the label sits
    on the seat, and its title says so.
    """
    import geo
    from geo.names import core, normalize

    regions = _composite_regions()
    out = []
    for p in geo.default().places(source="iso3166-2+geonames", kinds=["governorate"]):
        if bounds[0] - margin <= p.lat <= bounds[2] + margin and bounds[1] - margin <= p.lon <= bounds[3] + margin:
            region = regions.get((p.country, core(normalize(p.name))))
            title = f"{p.name}{', ' + region if region else ''} (label at its seat; no outline bundled)"
            out.append((p.lat, p.lon, p.name.removesuffix(" Governorate"), title))
    return out


_STYLE = """
<style>
.leaflet-container { background: #cfdde6; }
.garrison-popup { font: 12px/1.35 system-ui, sans-serif; max-width: 460px; }
.garrison-popup h4 { margin: 0 0 2px; font-size: 14px; }
.garrison-popup h5 { margin: 6px 0 2px; font-size: 12px; }
.garrison-popup p { margin: 2px 0 4px; }
.garrison-popup .where { color: #555; }
.garrison-popup table { border-collapse: collapse; width: 100%; }
.garrison-popup td, .garrison-popup th { border-top: 1px solid #ddd; padding: 2px 4px; vertical-align: top;
  text-align: left; }
.garrison-popup td:first-child { white-space: nowrap; }
.garrison-popup .conf { color: #777; font-size: 11px; }
.garrison-popup .history-box { max-height: 260px; overflow: auto; }
.garrison-title { position: absolute; top: 10px; left: 50px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 6px 10px; border-radius: 4px; font: 600 15px system-ui, sans-serif; box-shadow: 0 1px 4px #0004; }
.garrison-legend { position: absolute; bottom: 30px; right: 10px; z-index: 1000; background: rgba(255,255,255,.94);
  padding: 8px 10px; border-radius: 4px; font: 12px system-ui, sans-serif; box-shadow: 0 1px 4px #0004;
  max-height: 60vh; overflow: auto; }
.garrison-legend h5 { margin: 6px 0 2px; font-size: 12px; }
.garrison-legend h5:first-child { margin-top: 0; }
.garrison-legend .n { color: #777; }
.garrison-legend .sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #333;
  vertical-align: middle; margin-right: 4px; }
.garrison-legend .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  vertical-align: middle; margin-right: 4px; border: 1px solid #fff; box-shadow: 0 0 0 1px #555; }
.garrison-legend svg { vertical-align: middle; margin-right: 4px; }
.garrison-label-icon { background: none; border: none; }  /* not interactive: Leaflet ignores the pointer */
.garrison-layer, .garrison-layer svg { pointer-events: none; }
.garrison-layer svg { position: absolute; left: 0; top: 0; overflow: visible; }
.garrison-layer .garrison-site path { pointer-events: visiblePainted; cursor: pointer; }
.garrison-layer .off { visibility: hidden; }
.garrison-site.changed path { stroke-width: 2; }
.garrison-site.dim, .garrison-badges.dim { opacity: .3; }
.garrison-country { font: italic 600 12px system-ui, sans-serif; color: #8a8378; letter-spacing: .08em;
  text-transform: uppercase; white-space: nowrap; display: block; text-align: center; }
.garrison-seat { font: 10px system-ui, sans-serif; color: #8f8a80; white-space: nowrap; display: block;
  text-align: center; pointer-events: auto; cursor: help; }
.garrison-time { position: absolute; left: 10px; bottom: 44px; z-index: 1000; background: rgba(255,255,255,.94);
  padding: 6px 10px; border-radius: 4px; box-shadow: 0 1px 4px #0004; font: 13px system-ui, sans-serif;
  display: flex; align-items: center; gap: 8px; width: min(640px, 60vw); }
.garrison-time input[type=range] { flex: 1; }
.garrison-time button { font-size: 14px; width: 34px; height: 28px; cursor: pointer; }
.garrison-time output { font-weight: 600; min-width: 92px; text-align: right; }
</style>
"""


def _page(tl: Timeline, title: str, view: dict, tiles: bool, panel: str = "") -> str:
    """A folium page: outlines, governorate seats, the sites layers, our script and ``view``."""
    if tl.sites.empty:
        raise ValueError("nothing to map: the dataset has no sites")
    lat, lon = tl.sites["lat"].astype(float), tl.sites["lon"].astype(float)
    bounds = (lat.min(), lon.min(), lat.max(), lon.max())
    m = OfflineMap(location=[lat.mean(), lon.mean()], zoom_start=6, control_scale=True)
    m.get_root().header.add_child(RawHTML(_STYLE), name="garrison_style")
    CustomPane("garrison-labels", z_index=450).add_to(m)

    outlines = country_outlines(bounds)
    countries = folium.FeatureGroup(name="Country outlines").add_to(m)
    folium.GeoJson(
        outlines, style_function=lambda f: {"color": "#777", "weight": 1, "fillColor": "#f2efe9", "fillOpacity": 1},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(countries)
    for f in outlines["features"]:
        _label(*f["properties"]["label"], f["properties"]["name"], "garrison-country", f["properties"]["name"]
               ).add_to(countries)
    seats = folium.FeatureGroup(name="Governorates (names at their seats)").add_to(m)
    for s_lat, s_lon, text, s_title in _governorate_seats(bounds, margin=1.0):
        _label(s_lat, s_lon, text, "garrison-seat", s_title).add_to(seats)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=True, show=False).add_to(m)
    sites = folium.FeatureGroup(name="Sites: fill = controller").add_to(m)
    presence = folium.FeatureGroup(name="Foreign presence (badges)").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)

    data = map_data(tl)
    data["view"] = {**view, "map": m.get_name(), "sites": sites.get_name(), "presence": presence.get_name()}
    root = m.get_root()
    root.html.add_child(RawHTML(f'<div class="garrison-title" id="garrison-title">{escape(title)}</div>'))
    root.html.add_child(RawHTML('<div class="garrison-legend" id="garrison-legend"></div>' + panel))
    root.html.add_child(RawHTML(
        f'<script type="application/json" id="garrison-data">{json_for_script(data)}</script>'))
    m.add_child(_Script(_JS))
    m.fit_bounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]])
    return assert_offline(root.render())


def snapshot_map(tl: Timeline, on: date, tiles: bool = False) -> str:
    """Every tracked site at its status on ``on``, as a self-contained HTML page."""
    return _page(tl, f"Control of military sites as of {dates.human(on)}",
                 {"mode": "snapshot", "on": _day(on)}, tiles)


def timeline_map(tl: Timeline, tiles: bool = False) -> str:
    """One page with a date slider and a play button, from the first event to today."""
    first = tl.first_date()
    if first is None:
        raise ValueError("nothing to map: the dataset has no events")
    last = max(date.today(), tl.last_date())
    start, end = _day(first), _day(last)
    panel = (
        '<div class="garrison-time" id="garrison-time">'
        '<button type="button" id="garrison-play" title="play" aria-label="play">&#9654;</button>'
        f'<input type="range" id="garrison-date" aria-label="date" min="{start}" max="{end}" step="1" '
        f'value="{end}" data-date="{last.isoformat()}">'
        f'<output id="garrison-date-label" for="garrison-date">{escape(dates.human(last))}</output></div>')
    return _page(tl, f"Control of military sites on {dates.human(last)}",
                 {"mode": "timeline", "on": end}, tiles, panel)


def change_map(tl: Timeline, start: date, end: date, tiles: bool = False) -> str:
    """What changed between two dates: changed sites stand out, the rest are dimmed.

    The map shows the status on ``end``; each changed site's popup lists the claims
    dated in ``(start, end]`` with their sources, above its full history.
    """
    if end <= start:
        raise ValueError("the end date must come after the start date")
    changed = pd.Index(tl.sites["id"]).get_indexer(changed_sites(tl, start, end)).tolist()
    return _page(tl, f"Changes from {dates.human(start)} to {dates.human(end)} ({len(changed)} sites)",
                 {"mode": "change", "on": _day(end), "from": _day(start), "changed": changed}, tiles)


# The browser side: decode the columns, filter the intervals for a date, draw what changed.
_JS = r"""
(function () {
"use strict";
var D = JSON.parse(document.getElementById("garrison-data").textContent);
var V = D.view, map = window[V.map];
var NS = "http://www.w3.org/2000/svg", DAY = 864e5, OPEN = 2147483647;
var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
var S = D.sites, A = D.actors, K = D.kinds, E = D.events, nS = S.id.length;

function ints(a, open) {
  var o = new Int32Array(a.length);
  for (var i = 0; i < a.length; i++) o[i] = (open && a[i] < 0) ? OPEN : a[i];
  return o;
}
function track(t) {
  return {site: ints(t.site), actor: ints(t.actor), from: ints(t.from), to: ints(t.to, true), fp: t.fp,
          role: t.role, n: t.site.length};
}
var C = track(D.control), P = track(D.presence);

function human(d, p) {
  var t = new Date(d * DAY), y = t.getUTCFullYear();
  if (p === 2) return "" + y;
  if (p === 1) return MONTHS[t.getUTCMonth()] + " " + y;
  return t.getUTCDate() + " " + MONTHS[t.getUTCMonth()] + " " + y;
}
function iso(d) { return new Date(d * DAY).toISOString().slice(0, 10); }

// Status on day d: the controlling interval per site, and a linked list of presence intervals.
// ``into`` (an earlier status) has its arrays reused, so stepping allocates nothing.
function statusAt(d, into) {
  var st = into || {ctl: new Int32Array(nS), head: new Int32Array(nS), next: new Int32Array(P.n)};
  var ctl = st.ctl, head = st.head, next = st.next;
  ctl.fill(-1); head.fill(-1);
  for (var i = 0; i < C.n; i++) if (C.from[i] <= d && d < C.to[i]) ctl[C.site[i]] = i;
  for (var j = P.n - 1; j >= 0; j--) {
    if (P.from[j] <= d && d < P.to[j]) { next[j] = head[P.site[j]]; head[P.site[j]] = j; }
  }
  st.d = d;
  return st;
}
function controller(st, s) { var i = st.ctl[s]; return i < 0 ? -1 : C.actor[i]; }
function present(st, s) {
  var out = [];
  for (var j = st.head[s]; j >= 0; j = st.next[j]) out.push(j);
  return out;
}
// What a site looks like on a date, as one number (a string beyond 31 actors); null = not shown.
var BITS = A.id.length <= 31;
function key(st, s) {
  if (st.ctl[s] < 0 && st.head[s] < 0) return null;
  var c = controller(st, s) + 1, m = 0, k = "" + c, j;
  if (BITS) {
    for (j = st.head[s]; j >= 0; j = st.next[j]) m |= 1 << P.actor[j];
    return c * 4294967296 + (m >>> 0);
  }
  for (j = st.head[s]; j >= 0; j = st.next[j]) k += "," + P.actor[j];
  return k;
}

// -- drawing -------------------------------------------------------------------------
// Glyphs are drawn in SVG, placed in layer pixels, a hundred or so sites per <svg>: a Leaflet
// marker per site registers with the map one by one (quadratic for ten thousand), positioned
// HTML elements make every frame slow to composite, and a single <svg> is repainted whole for
// any change.  A site that is not shown is hidden with a class, which redraws cheaply.
var Points = L.Layer.extend({
  // place(element, site, x, y) draws an element at its site's layer pixel; no SVG transforms,
  // which would give every site a paint chunk of its own and slow every frame
  initialize: function (pane, cls, place, events) {
    L.setOptions(this, {pane: pane});
    this._cls = cls; this._place = place; this._els = new Array(nS); this._handlers = events || {};
  },
  onAdd: function () {
    this._box = L.DomUtil.create("div", "garrison-layer leaflet-zoom-hide " + this._cls, this.getPane());
    this._roots = [];
    L.DomEvent.on(this._box, this._handlers);
    this._origin = null;
    this._update();
    for (var i = 0; i < nS; i++) if (this._els[i]) this._root(i).appendChild(this._els[i]);
  },
  onRemove: function () { L.DomUtil.remove(this._box); },
  getEvents: function () { return {moveend: this._update, zoomend: this._update, viewreset: this._update}; },
  _update: function () {  // the drawing covers the view and half a view around it
    var m = this._map, size = m.getSize(), min = m.containerPointToLayerPoint(size.multiplyBy(-0.5)).round();
    this._view = {width: size.x * 2, height: size.y * 2, viewBox: [min.x, min.y, size.x * 2, size.y * 2].join(" ")};
    L.DomUtil.setPosition(this._box, min);
    this._roots.forEach(function (r) { for (var k in this._view) r.setAttribute(k, this._view[k]); }, this);
    if (!m.getPixelOrigin().equals(this._origin || L.point(NaN, NaN))) {
      this._origin = m.getPixelOrigin();
      for (var i = 0; i < nS; i++) if (this._els[i]) this.move(i);
    }
  },
  _root: function (i) {
    var b = i >> 7;
    if (!this._roots[b]) this._box.appendChild(this._roots[b] = svg("svg", this._view));
    return this._roots[b];
  },
  put: function (i, e, redraw) {
    e.classList.remove("off");
    if (this._els[i] === e && !redraw) return;
    var added = this._els[i] !== e;
    this._els[i] = e;
    if (this._map) { if (added) this._root(i).appendChild(e); this.move(i); }
  },
  drop: function (i) { if (this._els[i]) this._els[i].classList.add("off"); },
  move: function (i) {
    var p = this._map.latLngToLayerPoint([S.lat[i], S.lon[i]]);
    this._place(this._els[i], i, Math.round(p.x), Math.round(p.y));
  }
});
var changed = new Uint8Array(nS);
(V.changed || []).forEach(function (s) { changed[s] = 1; });
var before = V.mode === "change" ? statusAt(V.from) : null;
var glyphOf = new Array(nS), badgeOf = new Array(nS), shown = new Array(nS).fill(null);
var tip = L.tooltip({direction: "top", offset: [0, -12]});
var popup = L.popup({maxWidth: 480, offset: [0, -6]}), openSite = -1, cur = null;

function svg(tag, attrs) {
  var e = document.createElementNS(NS, tag);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}
function glyph(s) {  // the kind's shape around the site; larger when it changed
  var big = V.mode === "change" && changed[s];
  var g = svg("g", {"class": "garrison-site" + (V.mode !== "change" ? "" : big ? " changed" : " dim"),
                    "data-site": S.id[s], "aria-label": S.name[s]});
  g.appendChild(svg("path", {stroke: "#222", "stroke-width": 1.3}));
  g.garrisonSite = s;
  return g;
}
function placeGlyph(g, s, x, y) {
  var path = g.firstChild;
  if (!changed[s] || !before) return path.setAttribute("d", "M" + x + " " + y + K.path[S.kind[s]]);
  path.setAttribute("d", "M0 0" + K.path[S.kind[s]]);  // the few changed sites may have a transform
  path.setAttribute("transform", "translate(" + x + " " + y + ") scale(1.45)");
}
function placeBadges(b, s, x, y) {  // badges sit above and to the right of the glyph
  var big = before && changed[s] ? 5 : 0;
  for (var c = b.firstChild, n = 0; c; c = c.nextSibling, n++) {
    c.setAttribute("cx", x + 11 + big + 10 * n); c.setAttribute("cy", y - 11 - big);
  }
}
function actorName(a) { return a < 0 ? "nobody recorded" : A.name[a]; }
function hoverText(s) {
  var t = S.name[s] + " (" + K.label[S.kind[s]] + "): " + actorName(controller(cur, s));
  if (before && changed[s]) t = S.name[s] + ": " + actorName(controller(before, s)) + " \u2192 "
    + actorName(controller(cur, s));
  return t;
}
function siteAt(e) {
  var g = e.target.closest ? e.target.closest(".garrison-site") : null;
  return g ? g.garrisonSite : -1;
}
function openPopup(s) {
  map.closeTooltip(tip); openSite = s;
  popup.setLatLng([S.lat[s], S.lon[s]]).setContent(popupFor(s)).openOn(map);
}
map.createPane("garrison-presence").style.zIndex = 640;
var glyphs = new Points("markerPane", "garrison-glyphs", placeGlyph, {
  click: function (e) { var s = siteAt(e); if (s >= 0) { L.DomEvent.stop(e); openPopup(s); } },
  mouseover: function (e) {
    var s = siteAt(e);
    if (s < 0) return;
    tip.setLatLng([S.lat[s], S.lon[s]]); tip.setContent(document.createTextNode(hoverText(s)));
    map.openTooltip(tip);
  },
  mouseout: function () { map.closeTooltip(tip); }
}).addTo(window[V.sites]);
var badgeLayer = new Points("garrison-presence", "garrison-presence", placeBadges).addTo(window[V.presence]);
var drawnCtl = new Int32Array(nS).fill(-2), drawnPres = new Array(nS).fill("");
function draw(s, st) {  // touches the page only where the site's look changed
  var k = key(st, s);
  if (k === null && before && changed[s]) k = "gone";  // a change view keeps what just ended
  if (k === shown[s]) return;
  shown[s] = k;
  if (k === null) { glyphs.drop(s); badgeLayer.drop(s); return; }
  var c = controller(st, s), g = glyphOf[s] || (glyphOf[s] = glyph(s));
  if (c !== drawnCtl[s]) {
    drawnCtl[s] = c;
    g.setAttribute("data-controller", c < 0 ? "" : A.id[c]);
    g.firstChild.setAttribute("fill", c < 0 ? D.colours.none : A.colour[c]);
  }
  glyphs.put(s, g);
  var actors = [];
  present(st, s).forEach(function (j) { if (actors.indexOf(P.actor[j]) < 0) actors.push(P.actor[j]); });
  if (!actors.length) { badgeLayer.drop(s); return; }
  var b = badgeOf[s];
  if (!b) b = badgeOf[s] = svg("g", {"class": "garrison-badges" + (before && !changed[s] ? " dim" : ""),
                                     "data-site": S.id[s]});
  var redraw = actors.join() !== drawnPres[s];
  if (redraw) {
    drawnPres[s] = actors.join();
    while (b.firstChild) b.removeChild(b.firstChild);
    actors.forEach(function (a) {
      b.appendChild(svg("circle", {"class": "badge", "data-actor": A.id[a], r: 4.6, fill: A.colour[a],
                                   stroke: "#fff", "stroke-width": 1.5}));
    });
  }
  badgeLayer.put(s, b, redraw);
}

// -- popups: text nodes only, links only to http(s) sources ------------------------------
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function add(parent, child) { parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  return parent; }
function sourceLink(i) {
  var url = D.sources.url[i], title = D.sources.title[i] || url;
  if (!/^https?:\/\//i.test(url)) return el("span", null, title);
  var a = el("a", "source", title);
  a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
  return a;
}
function statusLine(st, s) {
  var p = el("p", "status"), c = st.ctl[s];
  add(p, el("b", null, human(st.d, 0)));
  if (c < 0) add(p, ": nobody recorded as holding it");
  else {
    add(p, ": held by "); add(p, el("b", null, A.name[C.actor[c]]));
    add(p, " since " + human(C.from[c], C.fp[c]));
  }
  var pres = present(st, s);
  add(p, "; foreign presence: " + (pres.length ? pres.map(function (j) {
    var role = D.roles[P.role[j]];
    return A.name[P.actor[j]] + (role ? " (" + role + ")" : "") + " since " + human(P.from[j], P.fp[j]);
  }).join(", ") : "none recorded"));
  return p;
}
var VERBS = ["held by ", "arrival: ", "departure: "];
function eventRow(i) {
  var tr = el("tr"), role = D.roles[E.role[i]], what = el("td"), src = el("td");
  add(tr, el("td", null, human(E.day[i], E.prec[i])));
  add(what, VERBS[E.kind[i]] + A.name[E.actor[i]] + (role ? " (" + role + ")" : ""));
  add(src, E.evidence[i] + " ");
  add(src, sourceLink(E.source[i]));
  add(src, el("span", "conf", " [" + D.confidence[E.conf[i]] + " confidence, dated to the "
    + D.precisions[E.prec[i]] + "]"));
  add(tr, what); add(tr, src);
  return tr;
}
function table(rows) {
  var t = el("table", "history"), head = el("tr");
  ["date", "change", "evidence and source"].forEach(function (h) { add(head, el("th", null, h)); });
  add(t, head);
  rows.forEach(function (i) { add(t, eventRow(i)); });
  return t;
}
function popupFor(s) {
  var box = el("div", "garrison-popup"), rows = [], inWindow = [];
  box.setAttribute("data-site", S.id[s]);
  add(box, el("h4", null, S.name[s]));
  add(box, el("p", "where", K.label[S.kind[s]] + " \u00b7 " + D.places[S.place[s]]));
  if (before) add(box, statusLine(before, s));
  add(box, statusLine(cur, s));
  for (var i = E.offset[s]; i < E.offset[s + 1]; i++) {
    rows.push(i);
    if (before && E.day[i] > V.from && E.day[i] <= V.on) inWindow.push(i);
  }
  if (before) {
    add(box, el("h5", null, "Changes from " + human(V.from, 0) + " to " + human(V.on, 0)));
    add(box, inWindow.length ? table(inWindow) : el("p", null, "none recorded"));
  }
  add(box, el("h5", null, "History"));
  add(box, add(el("div", "history-box"), table(rows)));
  return box;
}

// -- legend: what is on the map now ---------------------------------------------------
// Rebuilt only when an entry comes or goes; otherwise only the counts change.
var legendBox = document.getElementById("garrison-legend"), legendKey = "", legendCounts = [];
function flags(a) { var f = ""; for (var i = 0; i < a.length; i++) f += a[i] ? 1 : 0; return f; }
function legend(st) {
  var held = new Int32Array(A.id.length + 1), pres = new Int32Array(A.id.length), kinds = new Uint8Array(K.id.length);
  var nChanged = 0, nShown = 0;
  for (var s = 0; s < nS; s++) {
    if (shown[s] === null) continue;
    nShown++; nChanged += changed[s];
    held[controller(st, s) + 1]++; kinds[S.kind[s]] = 1;
    for (var j = st.head[s]; j >= 0; j = st.next[j]) pres[P.actor[j]]++;
  }
  var k = flags(held) + "|" + flags(pres) + "|" + flags(kinds);
  if (k !== legendKey) { legendKey = k; buildLegend(held, pres, kinds); }
  var counts = {held: held, pres: pres, changed: nChanged, unchanged: nShown - nChanged};
  legendCounts.forEach(function (c) {
    var t = " (" + c.n(counts) + ")";
    if (c.node.nodeValue !== t) c.node.nodeValue = t;
  });
}
function buildLegend(held, pres, kinds) {
  while (legendBox.firstChild) legendBox.removeChild(legendBox.firstChild);
  legendCounts = [];
  function byName(counts, offset) {  // actor codes with a count, by name, "nobody recorded" last
    var out = [];
    counts.forEach(function (n, i) { if (n) out.push(i - offset); });
    return out.sort(function (a, b) { return (a < 0) - (b < 0) || actorName(a).localeCompare(actorName(b)); });
  }
  function row(mark, text, n) {
    var r = el("div"); add(r, mark); add(r, text);
    if (n) {
      var node = document.createTextNode("");
      add(r, add(el("span", "n"), node));
      legendCounts.push({node: node, n: n});
    }
    return add(legendBox, r);
  }
  add(legendBox, el("h5", null, "Held by (fill)"));
  byName(held, 1).forEach(function (a) {
    var sw = el("span", "sw"); sw.style.background = a < 0 ? D.colours.none : A.colour[a];
    row(sw, actorName(a), function (c) { return c.held[a + 1]; });
  });
  var foreign = byName(pres, 0);
  if (foreign.length) {
    add(legendBox, el("h5", null, "Foreign presence (badge)"));
    foreign.forEach(function (a) {
      var dot = el("span", "dot"); dot.style.background = A.colour[a];
      row(dot, A.name[a], function (c) { return c.pres[a]; });
    });
  }
  add(legendBox, el("h5", null, "Site kind (shape)"));
  kinds.forEach(function (on, i) {
    if (!on) return;
    var g = svg("svg", {width: 14, height: 14, viewBox: "-11 -11 22 22"});
    g.appendChild(svg("path", {d: "M0 0" + K.path[i], fill: "#fff", stroke: "#222", "stroke-width": 1.5}));
    row(g, K.label[i]);
  });
  if (before) {
    add(legendBox, el("h5", null, "Between the two dates"));
    row("", "large: changed", function (c) { return c.changed; });
    row("", "faded: unchanged", function (c) { return c.unchanged; });
  }
}

// -- the date on show -------------------------------------------------------------------
var slider = document.getElementById("garrison-date"), label = document.getElementById("garrison-date-label");
var title = document.getElementById("garrison-title");
function show(d) {
  if (slider) d = Math.max(+slider.min, Math.min(+slider.max, d));
  cur = statusAt(d, cur);
  for (var s = 0; s < nS; s++) draw(s, cur);
  legend(cur);
  if (slider) {
    slider.value = d; slider.setAttribute("data-date", iso(d));
    label.textContent = human(d, 0); title.textContent = "Control of military sites on " + human(d, 0);
  }
  if (openSite >= 0 && map.hasLayer(popup)) popup.setContent(popupFor(openSite));
}
map.on("popupclose", function () { openSite = -1; });
map.attributionControl.setPrefix("Leaflet | country outlines: countryinfo | seats: GeoNames");
show(V.on);

if (slider) {
  slider.addEventListener("input", function () { show(+slider.value); });
  var play = document.getElementById("garrison-play"), timer = null;
  var step = Math.max(1, Math.round((+slider.max - +slider.min) / 600));
  var stop = function () { clearInterval(timer); timer = null; play.innerHTML = "&#9654;"; play.title = "play"; };
  play.addEventListener("click", function () {
    if (timer) return stop();
    if (+slider.value >= +slider.max) show(+slider.min);
    play.innerHTML = "&#10074;&#10074;"; play.title = "pause";
    timer = setInterval(function () {
      if (+slider.value >= +slider.max) return stop();
      show(+slider.value + step);
    }, 50);
  });
}
window.garrison = {
  setDate: function (text) { show(Math.round(Date.parse(text) / DAY)); return iso(cur.d); },
  date: function () { return iso(cur.d); }
};
})();
"""
