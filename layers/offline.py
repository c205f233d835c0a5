"""Make a folium page open with no network at all.

folium links Leaflet from CDNs, which an air-gapped analyst network (or CI) cannot
reach.  We take the same files from an installed package (``folium-offline`` ships
folium's CDN resources with their licence comments) and inline them; the images
Leaflet's CSS points at are replaced by inline SVG.  folium's own ``Popup`` builds
its content with jQuery, which these pages do not carry: garrison's maps build
their popups themselves (layers/maps.py).
"""

from __future__ import annotations

import re
from functools import cache

import folium
from branca.element import Element
from jinja2 import Template

LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"

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

#: anything in a tag or a style sheet that would make the browser fetch from a host
_REMOTE = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?"""
    r"""(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+(?:url\()?\s*["']?(?:https?:)?//""", re.IGNORECASE)


@cache
def resource(url: str) -> str:
    """The text of one of folium's CDN resources, from the installed package."""
    from offlinefolium.elements import _res

    try:
        return _res[url]
    except KeyError:
        raise LookupError(f"no offline copy of {url} in folium-offline") from None


class RawHTML(Element):
    """Text put in the page as it is.  A plain branca ``Element`` is a Jinja template, which
    would act on any '{{' or '{%' in a data string (and takes seconds to parse megabytes)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class OfflineMap(folium.Map):
    """A folium Map whose page carries Leaflet inline and links nothing outside."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("tiles", None)
        super().__init__(*args, **kwargs)
        header = self.get_root().header
        header.add_child(RawHTML(f"<style>{resource(LEAFLET_CSS)}\n{_CSS_FIXES}</style>"), name="leaflet_css")
        header.add_child(RawHTML(f"<script>{resource(LEAFLET_JS)}</script>"), name="leaflet")


def remote_references(html: str) -> list[str]:
    """Every place in a page that would fetch something from a host when it loads."""
    return [m.group(0) for m in _REMOTE.finditer(html)]


def assert_offline(html: str) -> str:
    """Fail loudly if anything in the page would still reach out to the network."""
    bad = remote_references(html)
    if bad:
        raise RuntimeError(f"page still links remote resources: {bad[:3]}")
    return html
