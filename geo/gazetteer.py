"""Resolution of names to places: exact keys first, then fuzzy, ranked by hints.

Every answer carries its score and the reason it won, and the places that came
close, so an analyst can see when "Erbil" meant the city and not the air base.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .index import CORE, EXACT, LOOSE, open_index, row_to_place
from .names import core, kind_words, normalize, skeleton
from .place import Candidate, Place, Resolution, UnknownPlace

if TYPE_CHECKING:
    import geopandas

#: the longest name we try to resolve; longer input is not a place name
MAX_NAME = 200

_BASE = {EXACT: 100.0, CORE: 96.0, LOOSE: 88.0}
_HOW = {EXACT: "exact name", CORE: "name without its kind word", LOOSE: "same consonants"}

#: kind words in a query -> kinds they point at
_KIND_WORDS = {
    "airbase": {"airbase", "airport"},
    "airport": {"airport", "airbase"},
    "base": {"base", "camp", "outpost", "airbase", "headquarters"},
    "camp": {"camp", "base", "outpost"},
    "garison": {"base", "camp", "outpost"},
    "outpost": {"outpost", "base"},
    "headquarters": {"headquarters", "base"},
    "governorate": {"governorate", "region"},
    "region": {"region", "governorate"},
    "city": {"city", "town"},
    "town": {"town", "city"},
}
#: an explicit --kind matches these kinds
_KIND_FAMILY = {
    "airbase": {"airbase"},
    "airport": {"airport", "airbase"},
    "base": {"base", "camp", "outpost", "airbase", "headquarters"},
    "city": {"city", "town"},
    "town": {"town", "city"},
    "governorate": {"governorate"},
    "region": {"region", "governorate"},
}


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


class Gazetteer:
    """All offline places, searchable by any spelling.

    ``focus`` names countries whose places win ties (by default the countries of
    the curated military sites): "Palmyra" in this field is Tadmur, not Palmyra, NJ.
    """

    def __init__(self, con: sqlite3.Connection | None = None, focus: Iterable[str] | None = None):
        self._con = con if con is not None else open_index()
        if focus is None:
            focus = (r[0] for r in self._con.execute(
                "SELECT DISTINCT country FROM places WHERE source='curated'"))
        self.focus = frozenset(focus)
        self._fuzzy: dict[int, list[str]] | None = None

    # -- lookups -----------------------------------------------------------------
    def place(self, place_id: str) -> Place:
        row = self._con.execute("SELECT * FROM places WHERE id=?", (place_id,)).fetchone()
        if row is None:
            raise UnknownPlace(place_id, self.suggest(place_id))
        return row_to_place(row)

    def __contains__(self, place_id: str) -> bool:
        return self._con.execute("SELECT 1 FROM places WHERE id=?", (place_id,)).fetchone() is not None

    def places(self, *, source: str | None = None, kinds: Sequence[str] = ()) -> list[Place]:
        sql, args = "SELECT * FROM places WHERE 1", []
        if source:
            sql += " AND source=?"
            args.append(source)
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += list(kinds)
        return [row_to_place(r) for r in self._con.execute(sql, args)]

    def _matches(self, key: str) -> dict[int, tuple[float, str]]:
        """pk -> (base score, how) for every strict, core and loose match of a key."""
        lookups: list[tuple[str, set[int]]] = [(key, {EXACT, CORE})]
        c = core(key)
        if c and c != key:
            lookups.append((c, {EXACT, CORE}))
        s = skeleton(key)
        if s:
            lookups.append(("~" + s, {LOOSE}))
        found: dict[int, tuple[float, str]] = {}
        for i, (k, hows) in enumerate(lookups):
            for pk, how in self._con.execute("SELECT pk, how FROM names WHERE key=?", (k,)):
                if how not in hows:
                    continue
                # the query's own words matching a place's full name is best; its core
                # matching, or the place's core matching, is a step down
                level = how if i == 0 else max(how, CORE)
                score = _BASE[level]
                if pk not in found or found[pk][0] < score:
                    found[pk] = (score, _HOW[level])
        return found

    def _fuzzy_keys(self) -> dict[int, list[str]]:
        if self._fuzzy is None:
            by_len: dict[int, list[str]] = {}
            for (k,) in self._con.execute("SELECT DISTINCT key FROM names WHERE how<2"):
                if k.isascii():
                    by_len.setdefault(len(k), []).append(k)
            self._fuzzy = by_len
        return self._fuzzy

    def _fuzzy_matches(self, key: str, cutoff: float = 82.0, limit: int = 8) -> list[tuple[str, float]]:
        from rapidfuzz import fuzz, process

        if not key.isascii():
            return []
        by_len = self._fuzzy_keys()
        spread = max(2, len(key) // 4)
        choices = [k for n in range(len(key) - spread, len(key) + spread + 1) for k in by_len.get(n, ())]
        hits = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
        return [(k, s) for k, s, _ in hits]

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Names of the places nearest in spelling (for error messages)."""
        key = normalize(name[:MAX_NAME])
        out: list[str] = []
        for k, _ in self._fuzzy_matches(key, cutoff=60.0, limit=20):
            row = self._con.execute(
                "SELECT p.name FROM names n JOIN places p ON p.pk=n.pk WHERE n.key=? "
                "ORDER BY p.prominence DESC LIMIT 1", (k,)).fetchone()
            if row and row[0] not in out:
                out.append(row[0])
            if len(out) >= n:
                break
        return out

    # -- ranking -------------------------------------------------------------------
    def candidates(
        self,
        name: str,
        *,
        country: str | None = None,
        kind: str | None = None,
        near: tuple[float, float] | None = None,
        limit: int = 5,
    ) -> list[Candidate]:
        """Places that may be meant by ``name``, best first, each with its reason."""
        if name is None or (isinstance(name, float) and math.isnan(name)):
            raise ValueError("a place name is required (got nothing)")
        name = str(name)
        if not name.strip():
            raise ValueError("a place name is required (got an empty string)")
        if len(name) > MAX_NAME:
            raise ValueError(f"{len(name)} characters is too long for a place name (at most {MAX_NAME})")
        key = normalize(name)
        if not key:
            raise ValueError(f"{name!r} has no letters or digits to look up")
        found = self._matches(key)
        if not found:
            for k, s in self._fuzzy_matches(key):
                for (pk,) in self._con.execute("SELECT pk FROM names WHERE key=? AND how<2", (k,)):
                    score = 0.9 * s
                    if pk not in found or found[pk][0] < score:
                        found[pk] = (score, f"similar spelling {k!r} ({s:.0f}%)")
        if not found:
            return []
        rows = {r["pk"]: r for r in self._con.execute(
            f"SELECT * FROM places WHERE pk IN ({','.join('?' * len(found))})", list(found))}
        hinted = set().union(*(_KIND_WORDS.get(w, set()) for w in kind_words(key)))
        country = country.upper() if country else None
        scored: list[Candidate] = []
        for pk, (base, how) in found.items():
            row = rows[pk]
            score, why = base + row["prominence"], [how]
            if row["source"] == "curated":
                why.append("curated military site")
            if row["country"] in self.focus:
                score += 1.5
            if hinted:
                if row["kind"] in hinted:
                    score += 4
                    why.append(f"kind {row['kind']} fits the name")
                else:
                    score -= 4
            if kind:
                if row["kind"] in _KIND_FAMILY.get(kind, {kind}):
                    score += 10
                    why.append(f"kind {kind} asked")
                else:
                    score -= 10
            if country:
                if row["country"] == country:
                    score += 8
                    why.append(f"in {country} as asked")
                else:
                    score -= 20
            if near is not None:
                d = _haversine_km(near[0], near[1], row["lat"], row["lon"])
                score += 5 * math.exp(-d / 150)
                if d < 150:
                    why.append(f"{d:.0f} km from the context")
            scored.append(Candidate(row_to_place(row), score, "; ".join(why)))
        scored.sort(key=lambda c: (-c.score, -c.place.population, c.place.id))
        return scored[:limit]

    def resolve(
        self,
        name: str,
        *,
        country: str | None = None,
        kind: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> Resolution:
        """The best place for ``name``; ``UnknownPlace`` with suggestions when none fits."""
        cands = self.candidates(name, country=country, kind=kind, near=near, limit=4)
        if country:
            cands = [c for c in cands if c.place.country == country.upper()]
        if kind:
            cands = [c for c in cands if c.place.kind in _KIND_FAMILY.get(kind, {kind})]
        if not cands:
            raise UnknownPlace(str(name), self.suggest(str(name)))
        best = cands[0]
        return Resolution(str(name), best.place, best.score, best.reason, tuple(cands[1:]))

    def resolve_many(
        self,
        names: Iterable[str | None],
        *,
        country: str | None = None,
        kind: str | None = None,
    ) -> geopandas.GeoDataFrame:
        """One row per input name (in order); unresolved names keep a row with the error."""
        import geopandas
        import pandas as pd
        from shapely import points

        names = list(names)
        memo: dict[str, dict] = {}
        rows = []
        for n in names:
            if n is None or (isinstance(n, float) and math.isnan(n)):
                rows.append({"query": None, "error": "no name"})
                continue
            n = str(n)
            if n not in memo:
                try:
                    memo[n] = self.resolve(n, country=country, kind=kind).to_dict()
                    memo[n]["error"] = None
                except (UnknownPlace, ValueError) as exc:
                    memo[n] = {"query": n, "error": str(exc)}
            rows.append(memo[n])
        cols = ["query", "id", "name", "kind", "country", "admin1", "lat", "lon", "score",
                "reason", "error"]
        df = pd.DataFrame(rows).reindex(columns=cols)
        geom = points(df["lon"].astype(float), df["lat"].astype(float))
        return geopandas.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")

