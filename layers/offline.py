"""Make a folium page open with no network at all.

folium links Leaflet from CDNs, which an air-gapped analyst network (or CI) cannot
reach.  We take the same files from an installed package (``folium-offline`` ships
folium's CDN resources, licence notices included) and inline them; the images
Leaflet's CSS points at are replaced by inline SVG.
"""

from __future__ import annotations

from functools import cache

import folium
from branca.element import Element

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
#: folium's popups are built with jQuery
JQUERY_JS = "https://code.jquery.com/jquery-3.7.1.min.js"

# The layer-control toggle normally loads layers.png; draw a stack of layers instead.
_LAYERS_SVG = (
    "data:image/svg+xml;utf8,"
    "<svg xmlns='http://www.w3.org/2000/svg' width='26' height='26' viewBox='0 0 26 26'>"
    "<path d='M13 4 L23 9 L13 14 L3 9 Z' fill='%23555'/>"
    "<path d='M3 13 L13 18 L23 13' fill='none' stroke='%23555' stroke-width='2'/>"
    "<path d='M3 17 L13 22 L23 17' fill='none' stroke='%23555' stroke-width='2'/></svg>"
)
_CSS_FIXES = f"""
.leaflet-control-layers-toggle {{ background-image: url("{_LAYERS_SVG}") !important; }}
.leaflet-retina .leaflet-control-layers-toggle {{ background-image: url("{_LAYERS_SVG}") !important;
  background-size: 26px 26px; }}
.leaflet-default-icon-path {{ background-image: none; }}
"""


@cache
def resource(url: str) -> str:
    """The text of one of folium's CDN resources, from the installed package."""
    from offlinefolium.elements import _res

    try:
        return _res[url]
    except KeyError:
        raise LookupError(f"no offline copy of {url} in folium-offline") from None


class OfflineMap(folium.Map):
    """A folium Map whose page carries Leaflet inline and links nothing outside."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("tiles", None)
        super().__init__(*args, **kwargs)
        header = self.get_root().header
        header.add_child(Element(f"<style>{resource(LEAFLET_CSS)}\n{_CSS_FIXES}</style>"), name="leaflet_css")
        header.add_child(Element(f"<script>{resource(LEAFLET_JS)}</script>"), name="leaflet")
        header.add_child(Element(f"<script>{resource(JQUERY_JS)}</script>"), name="jquery")


def assert_offline(html: str) -> str:
    """Fail loudly if anything in the page would still reach out to the network."""
    import re

    bad = re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)\s*=\s*["']https?://[^"']+""", html)
    if bad:
        raise RuntimeError(f"page still links remote resources: {bad[:3]}")
    return html
