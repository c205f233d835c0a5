"""garrison's gazetteer: WHERE -- places, their names, and which region holds a point.

``geo`` never imports ``layers``.
"""

from __future__ import annotations

from functools import lru_cache

from .gazetteer import Gazetteer
from .names import folded, normalize, skeleton
from .place import Candidate, Place, Resolution, UnknownPlace
from .sources import SourceError

__all__ = [
    "Candidate", "Gazetteer", "Place", "Resolution", "SourceError", "UnknownPlace",
    "default", "folded", "normalize", "resolve", "reverse", "skeleton",
]


@lru_cache(maxsize=1)
def default() -> Gazetteer:
    """The gazetteer over the cached index (built on first use); an online geocoder only
    when ``GARRISON_GEOCODER`` asks for one (see ``geo.online``)."""
    return Gazetteer()


def resolve(name: str, **hints) -> Resolution:
    """The best place for a name in any spelling (see ``Gazetteer.resolve``)."""
    return default().resolve(name, **hints)


def reverse(lat: float, lon: float) -> dict:
    """Country, governorate and autonomous region (e.g. the Kurdistan Region) of a point."""
    from .regions import reverse as _reverse

    return _reverse(lat, lon, default()._con)
