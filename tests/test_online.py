"""Online geocoders: off unless asked for, asked only when nothing offline matches, cached on disk.

A small HTTP server on 127.0.0.1 answers like Nominatim's /search; nothing reaches the internet.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

import geo
from geo.online import OnlineError, OnlineGeocoder, from_environment
from geo.place import UnknownPlace

#: what our fake Nominatim knows: query -> one search result
KNOWN = {
    "Qaryat Umm Zuhayr": {
        "place_id": 7, "osm_type": "node", "osm_id": 4242, "lat": "34.51", "lon": "43.27",
        "display_name": "Qaryat Umm Zuhayr, Salah ad-Din, Iraq", "name": "Qaryat Umm Zuhayr",
        "class": "place", "type": "village", "address": {"country_code": "iq"},
    },
}


class _Nominatim(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.server.requests.append((url.path, params))
        if params.get("q") == "Server Trouble":
            self.send_response(500)
            self.end_headers()
            return
        found = KNOWN.get(params.get("q", "")) if url.path == "/search" else None
        body = json.dumps([found] if found else []).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def nominatim():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def geocoder(nominatim, tmp_path):
    return OnlineGeocoder("nominatim", user_agent="garrison-tests", domain=f"127.0.0.1:{nominatim.server_port}",
                          scheme="http", cache_path=tmp_path / "answers.sqlite", min_delay_seconds=0, retries=0)


def test_off_by_default(gazetteer, monkeypatch):
    monkeypatch.delenv("GARRISON_GEOCODER", raising=False)
    assert from_environment() is None
    assert geo.Gazetteer(gazetteer._con).online is None
    with pytest.raises(UnknownPlace):
        geo.Gazetteer(gazetteer._con).resolve("Qaryat Umm Zuhayr")


def test_asked_only_when_offline_fails_and_answers_are_cached(gazetteer, geocoder, nominatim, tmp_path):
    g = geo.Gazetteer(gazetteer._con, online=geocoder)
    assert g.resolve("Ain al-Asad").place.id == "ain-al-asad-air-base"
    assert nominatim.requests == []  # offline names never go online

    res = g.resolve("Qaryat Umm Zuhayr")
    assert res.place.id == "osm:node/4242"
    assert (res.place.lat, res.place.lon, res.place.country) == (34.51, 43.27, "IQ")
    assert res.place.source == "online:nominatim" and res.place.kind == "town"
    assert res.place.source_url == "https://www.openstreetmap.org/node/4242"
    assert "online geocoder nominatim" in res.reason
    path, params = nominatim.requests[0]
    assert path == "/search" and params["q"] == "Qaryat Umm Zuhayr" and params["addressdetails"] == "1"

    assert g.resolve("Qaryat Umm Zuhayr").place.id == "osm:node/4242"
    again = OnlineGeocoder("nominatim", user_agent="garrison-tests", cache_path=tmp_path / "answers.sqlite",
                           domain=f"127.0.0.1:{nominatim.server_port}", scheme="http", min_delay_seconds=0)
    assert again.geocode("Qaryat Umm Zuhayr").lat == 34.51  # from the file, in a new geocoder
    assert len(nominatim.requests) == 1


def test_a_miss_is_an_error_and_is_cached_too(gazetteer, geocoder, nominatim):
    g = geo.Gazetteer(gazetteer._con, online=geocoder)
    for _ in range(2):
        with pytest.raises(UnknownPlace):
            g.resolve("Zzqxv Wjjkq")
    assert len(nominatim.requests) == 1


def test_a_failing_service_is_a_clear_error_and_not_cached(gazetteer, geocoder, nominatim):
    g = geo.Gazetteer(gazetteer._con, online=geocoder)
    for _ in range(2):
        with pytest.raises(OnlineError, match="geocoder nominatim failed"):
            g.resolve("Server Trouble")
    assert len(nominatim.requests) == 2
    df = g.resolve_many(["Server Trouble", "Erbil"])
    assert "failed" in df["error"][0] and df["id"][1] == "geonames:95446"


def test_country_hint_goes_to_the_geocoder(geocoder, nominatim):
    assert geocoder.geocode("Qaryat Umm Zuhayr", country="iq").country == "IQ"
    assert nominatim.requests[-1][1]["countrycodes"] == "iq"


def test_calls_go_through_the_rate_limiter(geocoder):
    from geopy.extra.rate_limiter import RateLimiter

    assert isinstance(geocoder._geocode, RateLimiter)
    assert OnlineGeocoder("nominatim", user_agent="t", cache_path=geocoder.cache.path)._geocode.min_delay_seconds == 1


def test_enabled_from_the_environment(monkeypatch, nominatim, tmp_path, gazetteer):
    monkeypatch.setenv("GARRISON_GEOCODER", "nominatim")
    monkeypatch.setenv("GARRISON_USER_AGENT", "garrison-tests")
    monkeypatch.setenv("GARRISON_GEOCODER_DOMAIN", f"127.0.0.1:{nominatim.server_port}")
    monkeypatch.setenv("GARRISON_GEOCODER_SCHEME", "http")
    monkeypatch.setenv("GARRISON_GEOCODER_DELAY", "0")
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path))
    g = geo.Gazetteer(gazetteer._con)
    assert isinstance(g.online, OnlineGeocoder)
    assert g.resolve("Qaryat Umm Zuhayr").place.id == "osm:node/4242"
    assert (tmp_path / "geocoder-cache.sqlite").is_file()


@pytest.mark.parametrize("env, words", [
    ({"GARRISON_GEOCODER": "nominatim"}, "user agent"),
    ({"GARRISON_GEOCODER": "no-such-geocoder", "GARRISON_USER_AGENT": "t"}, "no-such-geocoder"),
    ({"GARRISON_GEOCODER": "nominatim", "GARRISON_USER_AGENT": "t", "GARRISON_GEOCODER_DELAY": "soon"}, "seconds"),
])
def test_settings_that_cannot_work_are_clear_errors(monkeypatch, tmp_path, env, words):
    monkeypatch.delenv("GARRISON_USER_AGENT", raising=False)
    monkeypatch.setenv("GARRISON_CACHE_DIR", str(tmp_path))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(OnlineError, match=words):
        from_environment()


def test_any_geopy_geocoder_by_name(tmp_path):
    photon = OnlineGeocoder("photon", cache_path=tmp_path / "a.sqlite", domain="127.0.0.1:9", scheme="http")
    assert photon.service == "photon" and type(photon._geocoder).__name__ == "Photon"


def test_cli_reports_a_bad_geocoder_setting_in_one_line(gazetteer):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = os.environ | {"GARRISON_GEOCODER": "no-such-geocoder", "GARRISON_USER_AGENT": "t"}
    r = subprocess.run([str(Path(sys.executable).with_name("garrison")), "resolve", "Erbil"], capture_output=True,
                       text=True, env=env, timeout=600)
    assert r.returncode == 2
    assert "no-such-geocoder" in r.stderr and "Traceback" not in r.stderr
