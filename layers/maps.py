"""HTML maps (folium) that analysts can trust and open anywhere.

Fill colour is the controller (the palette is the actors file's ``colour``), glyph
shape is the site's kind, drawn as inline SVG; foreign presence is a separate badge
in the present actor's colour (on control maps a ring means "besieged", so no
rings).  Every string from data is escaped before it reaches the page, and every
script and style is inlined: the page makes no request to any host.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape

import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from . import dates
from .offline import OfflineMap, assert_offline
from .timeline import Timeline

#: glyph per site kind: an SVG path in a 20x20 box
GLYPHS = {
    "airbase": "M10 1 L19 18 L10 14 L1 18 Z",           # arrowhead: an airfield
    "airport": "M10 1 L19 18 L10 14 L1 18 Z",
    "base": "M2 2 H18 V18 H2 Z",                          # square
    "camp": "M10 1 L19 10 L10 19 L1 10 Z",                # diamond
    "outpost": "M10 3 L18 17 H2 Z",                       # triangle
    "headquarters": "M10 1 L12.6 7.4 L19.5 7.6 L14.1 11.9 L16 18.6 L10 14.7 L4 18.6 "
                    "L5.9 11.9 L0.5 7.6 L7.4 7.4 Z",      # star
    "range": "M2 6 H18 V14 H2 Z",
    "port": "M10 1 A9 9 0 1 0 10.01 1 Z",
}
KIND_LABELS = {
    "airbase": "air base", "airport": "airport", "base": "base", "camp": "camp",
    "outpost": "outpost", "headquarters": "headquarters", "range": "range", "port": "port",
}
UNKNOWN_COLOUR = "#9e9e9e"


def _glyph(kind: str, fill: str, badges: list[str], site_id: str, controller: str | None) -> str:
    path = GLYPHS.get(kind, GLYPHS["base"])
    dots = "".join(
        f'<circle class="badge" data-actor="{escape(a)}" cx="{25 - 7 * i}" cy="5" r="4.5" '
        f'fill="{escape(c)}" stroke="#fff" stroke-width="1.5"/>'
        for i, (a, c) in enumerate(badges))
    return (
        f'<svg class="garrison-site" data-site="{escape(site_id)}" data-controller="{escape(controller or "")}" '
        f'width="30" height="26" viewBox="-2 -4 32 28" xmlns="http://www.w3.org/2000/svg">'
        f'<path d="{path}" fill="{escape(fill)}" stroke="#222" stroke-width="1.3"/>{dots}</svg>'
    )


def _colours(tl: Timeline) -> dict[str, str]:
    return {a: (c or UNKNOWN_COLOUR) for a, c in zip(tl.actors["id"], tl.actors["colour"])}


def _actor_names(tl: Timeline) -> dict[str, str]:
    return dict(zip(tl.actors["id"], tl.actors["name"]))


def _link(url: str, text: str) -> str:
    if not url.startswith(("http://", "https://")):
        return escape(text)
    return f'<a href="{escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{escape(text)}</a>'


def popup_html(tl: Timeline, site: pd.Series, status: pd.Series | None, on: date | None) -> str:
    """Name, kind, place, status on the map's date, full history with sources."""
    names = _actor_names(tl)
    parts = [f'<div class="garrison-popup" data-site="{escape(site["id"])}">',
             f"<h4>{escape(str(site['name']))}</h4>",
             f"<p>{escape(KIND_LABELS.get(site['kind'], str(site['kind'])))} · "
             f"{escape(str(site.get('admin1') or ''))} {escape(str(site['country']))}"
             f"{' · location approximate (town)' if site.get('precision') == 'locality' else ''}</p>"]
    if status is not None and on is not None:
        ctl = status["controller"]
        since = dates.human(status["controller_since"], status["controller_since_precision"]) if ctl else ""
        present = ", ".join(names.get(a, a) for a in status["present"]) or "none recorded"
        parts.append(f"<p><b>{escape(dates.human(on))}</b>: held by "
                     f"<b>{escape(names.get(ctl, ctl) if ctl else 'unknown')}</b>"
                     f"{' since ' + escape(since) if since else ''}; foreign presence: {escape(present)}</p>")
    rows = []
    verbs = {"control": "held by", "presence_start": "arrive", "presence_end": "leave"}
    for e in tl.site_events(site["id"]).itertuples():
        rows.append(
            "<tr>"
            f"<td>{escape(dates.human(e.start, e.date_precision))}</td>"
            f"<td>{escape(verbs[e.kind])} {escape(names.get(e.actor_id, e.actor_id))}"
            f"{' (' + escape(e.role) + ')' if e.role else ''}</td>"
            f"<td>{escape(e.evidence)} {_link(e.source_url, e.source_title or e.source_url)}"
            f" <span class='conf'>[{escape(e.confidence)}, {escape(e.date_precision)}]</span></td>"
            "</tr>")
    parts.append("<table class='history'><tr><th>date</th><th>change</th><th>source</th></tr>"
                 + "".join(rows) + "</table></div>")
    return "".join(parts)


_STYLE = """
<style>
.garrison-popup { font: 12px/1.35 system-ui, sans-serif; max-width: 460px; }
.garrison-popup h4 { margin: 0 0 4px; font-size: 14px; }
.garrison-popup table.history { border-collapse: collapse; width: 100%; }
.garrison-popup td, .garrison-popup th { border-top: 1px solid #ddd; padding: 2px 4px; vertical-align: top;
  text-align: left; }
.garrison-popup .conf { color: #777; font-size: 11px; }
.garrison-title { position: absolute; top: 10px; left: 50px; z-index: 1000; background: rgba(255,255,255,.92);
  padding: 6px 10px; border-radius: 4px; font: 600 15px system-ui, sans-serif; box-shadow: 0 1px 4px #0004; }
.garrison-legend { position: absolute; bottom: 30px; right: 10px; z-index: 1000; background: rgba(255,255,255,.94);
  padding: 8px 10px; border-radius: 4px; font: 12px system-ui, sans-serif; box-shadow: 0 1px 4px #0004;
  max-height: 60vh; overflow: auto; }
.garrison-legend h5 { margin: 6px 0 2px; font-size: 12px; }
.garrison-legend .sw { display: inline-block; width: 12px; height: 12px; border: 1px solid #333;
  vertical-align: middle; margin-right: 4px; }
.garrison-legend .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  vertical-align: middle; margin-right: 4px; border: 1px solid #fff; box-shadow: 0 0 0 1px #555; }
.garrison-icon { background: none; border: none; }
</style>
"""


def legend_html(controllers: list[tuple[str, str]], present: list[tuple[str, str]],
                kinds: list[str]) -> str:
    """A legend of what is on the map only."""
    out = ['<div class="garrison-legend" id="garrison-legend"><h5>Held by</h5>']
    out += [f'<div><span class="sw" style="background:{escape(c)}"></span>{escape(n)}</div>' for n, c in controllers]
    if present:
        out.append("<h5>Foreign presence (badge)</h5>")
        out += [f'<div><span class="dot" style="background:{escape(c)}"></span>{escape(n)}</div>' for n, c in present]
    if kinds:
        out.append("<h5>Site kind</h5>")
        for k in kinds:
            out.append(f'<div><svg width="14" height="14" viewBox="0 0 20 20"><path d="{GLYPHS.get(k, GLYPHS["base"])}" '
                       f'fill="#fff" stroke="#222" stroke-width="1.5"/></svg> {escape(KIND_LABELS.get(k, k))}</div>')
    out.append("</div>")
    return "".join(out)


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
            feats.append({"type": "Feature", "properties": {"country": code},
                          "geometry": mapping(g)})
    return {"type": "FeatureCollection", "features": feats}


def _base_map(tl: Timeline, title: str, tiles: bool) -> OfflineMap:
    lat, lon = tl.sites["lat"].astype(float), tl.sites["lon"].astype(float)
    bounds = (lat.min(), lon.min(), lat.max(), lon.max())
    m = OfflineMap(location=[lat.mean(), lon.mean()], zoom_start=6, control_scale=True,
                   prefer_canvas=False)
    m.get_root().header.add_child(Element(_STYLE), name="garrison_style")
    folium.GeoJson(
        country_outlines(bounds), name="Country outlines",
        style_function=lambda f: {"color": "#666", "weight": 1, "fillColor": "#f2efe9", "fillOpacity": 1},
        tooltip=folium.GeoJsonTooltip(fields=["country"], labels=False),
    ).add_to(m)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", show=False).add_to(m)
    m.get_root().html.add_child(Element(f'<div class="garrison-title" id="garrison-title">{escape(title)}</div>'))
    m.fit_bounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]])
    return m


def snapshot_map(tl: Timeline, on: date, tiles: bool = False) -> str:
    """Every tracked site at its status on ``on``, as a self-contained HTML page."""
    st = tl.status_at(on).set_index("site_id")
    colours, names = _colours(tl), _actor_names(tl)
    m = _base_map(tl, f"Control of military sites as of {dates.human(on)}", tiles)
    held = folium.FeatureGroup(name="Sites by controller").add_to(m)
    shown_ctl, shown_pres, shown_kinds = {}, {}, set()
    for site in tl.sites.itertuples(index=False):
        s = st.loc[site.id]
        if s["controller"] is None and not s["present"]:
            continue  # nothing recorded yet at this date
        ctl = s["controller"]
        fill = colours.get(ctl, UNKNOWN_COLOUR) if ctl else "#ffffff"
        badges = [(a, colours.get(a, UNKNOWN_COLOUR)) for a in s["present"]]
        shown_ctl[names.get(ctl, ctl) if ctl else "unknown"] = fill
        for a, c in badges:
            shown_pres[names.get(a, a)] = c
        shown_kinds.add(site.kind)
        icon = folium.DivIcon(html=_glyph(site.kind, fill, badges, site.id, ctl), icon_size=(30, 26),
                              icon_anchor=(15, 13), class_name="garrison-icon")
        folium.Marker(
            [float(site.lat), float(site.lon)], icon=icon,
            tooltip=folium.Tooltip(escape(str(site.name))),
            popup=folium.Popup(popup_html(tl, pd.Series(site._asdict()), s, on), max_width=480),
        ).add_to(held)
    m.get_root().html.add_child(Element(legend_html(
        sorted(shown_ctl.items()), sorted(shown_pres.items()), sorted(shown_kinds))))
    folium.LayerControl(collapsed=False).add_to(m)
    return assert_offline(m.get_root().render())


class _Script(MacroElement):
    """A script block added to the page's end (after the map exists)."""

    def __init__(self, js: str):
        super().__init__()
        self._template = Template("{% macro script(this, kwargs) %}" + js + "{% endmacro %}")


def json_for_script(obj) -> str:
    """JSON that is safe inside a <script> element (no '</script>' can close it)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(
        ">", "\\u003e").replace("&", "\\u0026")
