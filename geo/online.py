"""Online geocoders, opt-in: asked only when no offline place matches a name.

Off by default.  A user turns one on with an explicit setting, either in the
environment::

    GARRISON_GEOCODER=nominatim GARRISON_USER_AGENT="newsroom-maps (me@example.org)" garrison resolve ...

or by handing ``OnlineGeocoder("nominatim", user_agent=...)`` to ``Gazetteer(online=...)``.
Any geopy geocoder can be named (``photon``, ``arcgis``, ``pelias`` ...;
``GARRISON_GEOCODER_API_KEY``, ``GARRISON_GEOCODER_DOMAIN`` and
``GARRISON_GEOCODER_SCHEME`` pass the usual options).  Calls go through geopy's
``RateLimiter`` (one a second by default, as Nominatim's usage policy asks) and every
answer, a miss included, is kept in a small SQLite cache in the user cache folder, so a
name is asked for once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from .place import Place

ENV_SERVICE = "GARRISON_GEOCODER"
ENV_USER_AGENT = "GARRISON_USER_AGENT"
ENV_DELAY = "GARRISON_GEOCODER_DELAY"
#: environment variable -> geocoder constructor option
ENV_OPTIONS = {"GARRISON_GEOCODER_API_KEY": "api_key", "GARRISON_GEOCODER_DOMAIN": "domain",
               "GARRISON_GEOCODER_SCHEME": "scheme"}

#: OpenStreetMap feature types -> gazetteer kinds
_OSM_KINDS = {
    "aerodrome": "airport", "military": "base", "city": "city", "town": "town", "village": "town",
    "hamlet": "town", "administrative": "region", "country": "country", "state": "region",
}


class OnlineError(ValueError):
    """A geocoder setting that cannot work (unknown service, missing user agent), or a
    geocoder that failed to answer."""


class GeocodeCache:
    """Answers of an online geocoder kept on disk: (service, query, country) -> place or a miss."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._con = sqlite3.connect(path, check_same_thread=False)
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS answers (service TEXT, query TEXT, country TEXT, place TEXT, "
            "asked REAL, PRIMARY KEY (service, query, country))")
        self._con.commit()

    def get(self, service: str, query: str, country: str) -> tuple[bool, Place | None]:
        """(known, place): known is False when the question was never asked."""
        row = self._con.execute("SELECT place FROM answers WHERE service=? AND query=? AND country=?",
                                (service, query, country)).fetchone()
        if row is None:
            return False, None
        if row[0] is None:
            return True, None
        d = json.loads(row[0])
        return True, Place(**(d | {"aliases": tuple(d.get("aliases", ()))}))

    def put(self, service: str, query: str, country: str, place: Place | None) -> None:
        value = None if place is None else json.dumps(place.to_dict(), ensure_ascii=False)
        with self._con:
            self._con.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?)",
                              (service, query, country, value, time.time()))


class OnlineGeocoder:
    """One geopy geocoder behind a rate limiter and an on-disk cache."""

    def __init__(self, service: str = "nominatim", *, user_agent: str | None = None,
                 cache_path: Path | None = None, min_delay_seconds: float = 1.0, timeout: float = 10.0,
                 retries: int = 1, **options):
        from geopy.exc import GeopyError
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import get_geocoder_for_service

        from .index import cache_dir

        try:
            cls = get_geocoder_for_service(service)
        except GeopyError as exc:
            raise OnlineError(f"{ENV_SERVICE}={service!r}: {exc}") from None
        if service == "nominatim" and not user_agent:
            raise OnlineError(f"Nominatim's usage policy asks for a user agent that names you: set {ENV_USER_AGENT}")
        self.service = service
        try:
            self._geocoder = cls(user_agent=user_agent or "garrison", timeout=timeout, **options)
        except (GeopyError, TypeError) as exc:
            raise OnlineError(f"geocoder {service!r}: {exc}") from None
        self._geocode = RateLimiter(self._geocoder.geocode, min_delay_seconds=min_delay_seconds,
                                    max_retries=retries, error_wait_seconds=max(min_delay_seconds, 1.0),
                                    swallow_exceptions=False)
        self.cache = GeocodeCache(cache_path or cache_dir() / "geocoder-cache.sqlite")

    def geocode(self, name: str, country: str | None = None) -> Place | None:
        """The geocoder's place for ``name`` (cached), or None when it knows none."""
        cc = (country or "").upper()
        known, place = self.cache.get(self.service, name, cc)
        if known:
            return place
        kwargs = {}
        if self.service == "nominatim":
            kwargs = {"addressdetails": True, **({"country_codes": cc.lower()} if cc else {})}
        from geopy.exc import GeopyError

        try:
            location = self._geocode(name, **kwargs)
        except GeopyError as exc:  # not cached: the next call may find the service back
            raise OnlineError(f"geocoder {self.service} failed for {name!r}: {exc}") from None
        place = None if location is None else self._place(location, cc)
        self.cache.put(self.service, name, cc, place)
        return place

    def _place(self, location, country: str) -> Place:
        raw = location.raw if isinstance(location.raw, dict) else {}
        osm_type, osm_id = raw.get("osm_type"), raw.get("osm_id")
        address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
        cc = str(address.get("country_code") or country or "").upper()
        lat, lon = float(location.latitude), float(location.longitude)
        if osm_type and osm_id:
            pid, url = f"osm:{osm_type}/{osm_id}", f"https://www.openstreetmap.org/{osm_type}/{osm_id}"
        else:
            pid, url = f"{self.service}:{lat:.5f},{lon:.5f}", ""
        return Place(
            id=pid, name=str(raw.get("name") or location.address or "").strip() or pid,
            kind=_OSM_KINDS.get(str(raw.get("type")), "place"), country=cc if len(cc) == 2 else "",
            lat=lat, lon=lon, source=f"online:{self.service}", source_url=url, precision="online",
        )


def from_environment() -> OnlineGeocoder | None:
    """The geocoder the environment asks for, or None (the default: offline only)."""
    service = os.environ.get(ENV_SERVICE, "").strip().lower()
    if not service or service in ("0", "off", "none", "false"):
        return None
    options = {opt: os.environ[var] for var, opt in ENV_OPTIONS.items() if os.environ.get(var)}
    delay = os.environ.get(ENV_DELAY)
    try:
        min_delay = 1.0 if delay is None else float(delay)
    except ValueError:
        raise OnlineError(f"{ENV_DELAY}={delay!r} is not a number of seconds") from None
    return OnlineGeocoder(service, user_agent=os.environ.get(ENV_USER_AGENT), min_delay_seconds=min_delay,
                          **options)
