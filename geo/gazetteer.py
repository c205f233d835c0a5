"""Resolution of names to places: exact keys first, then looser ones, then typos, ranked by hints.

Every answer carries its score and the reason it won, and the places that came
close, so an analyst can see when "Erbil" meant the city and not the air base.

A candidate's score is how well the name matches (``_BASE``: the exact name 100, the
name without its kind word 96, another transliteration 94, the same consonants 78-88,
a similar spelling 0.9 x its similarity) plus what is known of the place: its
prominence (countries, regions, curated sites, population), whether it lies in a
focus country, whether the name is its own name rather than an alias, and the hints
(kind words in the name, ``country``, ``kind``, ``near``).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .index import CORE, EXACT, FOLDED_PREFIX, LOOSE, SKELETON_PREFIX, letters, open_index, row_to_place, trigrams
from .names import core, folded, kind_words, normalize, skeleton_of
from .place import Candidate, Place, Resolution, UnknownPlace

if TYPE_CHECKING:
    import geopandas

#: the longest name we try to resolve; longer input is not a place name
MAX_NAME = 200

#: match levels beyond the index's EXACT and CORE, best first
FOLDED, SKELETON, FUZZY = LOOSE, LOOSE + 1, LOOSE + 2
_BASE = {EXACT: 100.0, CORE: 96.0, FOLDED: 94.0}
_HOW = {EXACT: "exact name", CORE: "name without its kind word", FOLDED: "same name in another transliteration",
        SKELETON: "same consonants"}
#: a match only through an airport code when the name was not written as a code
_CODE_ONLY = 82.0

#: bonus for places in the focus countries (where this gazetteer's users look)
FOCUS_BONUS = 4.0
#: bonus when the name is the place's own name, not one of its aliases
OWN_NAME_BONUS = 2.0
#: prominence of a GeoNames town listed without a population (an administrative seat)
SEAT_PROMINENCE = 1.2
#: a curated site this close to a town of the same name is named after it
NAMED_AFTER_KM = 30.0
#: skeleton matches considered (the most prominent first)
SKELETON_LIMIT = 40
#: fuzzy keys compared with rapidfuzz (those sharing most trigrams with the name)
FUZZY_BLOCK = 200

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
    "international": {"airport", "airbase"},
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
_AIRFIELDS = frozenset({"airbase", "airport"})
_SETTLEMENTS = frozenset({"city", "town"})
_AREAS = frozenset({"governorate", "region"})
#: a name written like an ICAO/IATA code or an acronym: ORAA, BGW, K1
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,4}$")
_PLACE_SQL = ("SELECT pk, id, name, kind, country, admin1, lat, lon, population, aliases, geonames_id, "
              "wikidata, source, source_url, precision, prominence FROM places WHERE pk IN ({})")


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


def _is_code(text: str) -> bool:
    return len(text) <= 4 and text.isupper() and text.isalnum()


@dataclass(frozen=True)
class _Query:
    """A name as the resolver sees it: its keys and the hints it carries."""

    text: str
    key: str
    core: str
    code: bool
    hinted: frozenset[str]

    @classmethod
    def of(cls, name: object) -> _Query:
        if name is None or (isinstance(name, float) and math.isnan(name)):
            raise ValueError("a place name is required (got nothing)")
        text = str(name).strip()
        if not text:
            raise ValueError("a place name is required (got an empty string)")
        if len(text) > MAX_NAME:
            raise ValueError(f"{len(text)} characters is too long for a place name (at most {MAX_NAME})")
        key = normalize(text)
        if not key:
            raise ValueError(f"{text!r} has no letters or digits to look up")
        hinted = frozenset().union(*(_KIND_WORDS.get(w, ()) for w in kind_words(key)))
        return cls(text, key, core(key) or key, bool(_CODE.match(text)), hinted)


@dataclass
class _Hit:
    level: int
    base: float
    how: str
    kind: str = ""


class Gazetteer:
    """All offline places, searchable by any spelling.

    ``focus`` names countries whose places win ties (by default the countries of
    the curated military sites): "Palmyra" in this field is Tadmur, not Palmyra, NJ.
    ``online`` is an optional geocoder (``geo.online.OnlineGeocoder``) asked only when
    no offline place matches; by default ``GARRISON_GEOCODER`` decides (off when unset).
    """

    def __init__(self, con: sqlite3.Connection | None = None, focus: Iterable[str] | None = None,
                 online: object | None = None):
        self._con = con if con is not None else open_index()
        if self._con.row_factory is None:
            self._con.row_factory = sqlite3.Row
        if focus is None:
            focus = (r[0] for r in self._con.execute(
                "SELECT DISTINCT country FROM places WHERE source='curated'"))
        self.focus = frozenset(focus)
        self._focus_sql = ",".join(f"'{c}'" for c in sorted(self.focus) if c.isalpha()) or "''"
        if online is None:
            from .online import from_environment

            online = from_environment()
        self.online = online
        self._has_fuzzy = self._con.execute(
            "SELECT 1 FROM sqlite_master WHERE name='fuzzy_grams'").fetchone() is not None

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

    def _strict_hits(self, q: _Query) -> dict[int, _Hit]:
        """Places whose strict key, core or folded key is the name's."""
        keys = [q.key] if q.core == q.key else [q.key, q.core]
        f = folded(q.core)
        if sum(1 for c in f if c not in "a") >= 3:  # "adad" folds too many names together
            keys.append(FOLDED_PREFIX + f)
        found: dict[int, _Hit] = {}
        for key, pk, how, kind in self._con.execute(
                "SELECT n.key, n.pk, n.how, p.kind FROM names n JOIN places p ON p.pk=n.pk "
                f"WHERE n.key IN ({','.join('?' * len(keys))})", keys):
            if key == q.key:
                level = how  # the whole name is the place's name (EXACT) or its core (CORE)
            elif key == q.core:
                level = CORE
            else:
                level = FOLDED
            hit = found.get(pk)
            if hit is None or level < hit.level:
                found[pk] = _Hit(level, _BASE[level], _HOW[level], kind)
        if len(q.key) <= 4 and not q.code:
            self._demote_codes(q, found)
        return found

    def _demote_codes(self, q: _Query, found: dict[int, _Hit]) -> None:
        """A short name written in lower case ("Heet") that is only an airport code of a place
        (Hohhot's HET) is a weak match of it."""
        pks = [pk for pk, h in found.items() if h.level <= CORE]
        if not pks:
            return
        for pk, name, aliases in self._con.execute(
                f"SELECT pk, name, aliases FROM places WHERE pk IN ({','.join('?' * len(pks))})", pks):
            if not any(a and not _is_code(a) and (core(normalize(a)) or normalize(a)) == q.core
                       for a in (name, *(aliases or "").split("|"))):
                found[pk] = _Hit(SKELETON, _CODE_ONLY, "only an airport code of it is spelt so", found[pk].kind)

    def _skeleton_hits(self, q: _Query) -> dict[int, _Hit]:
        s = skeleton_of(q.core)
        if not s:
            return {}
        rows = self._con.execute(
            "SELECT n.pk, p.name FROM names n JOIN places p ON p.pk=n.pk WHERE n.key=? "
            f"ORDER BY p.country IN ({self._focus_sql}) DESC, p.prominence DESC LIMIT ?",
            (SKELETON_PREFIX + s, SKELETON_LIMIT))
        from rapidfuzz.fuzz import ratio

        f = folded(q.core)
        out = {}
        for pk, name in rows:
            # the same consonants say little on their own: how alike the names read decides
            sim = ratio(f, folded(core(normalize(name)))) if f.isascii() else 70.0
            out[pk] = _Hit(SKELETON, 78.0 + sim / 10, _HOW[SKELETON])
        return out

    def fuzzy_keys(self, key: str, cutoff: float = 80.0, limit: int = 8) -> list[tuple[str, float]]:
        """Index keys spelt like ``key`` (a strict key), with their similarity (0-100), best first.

        A trigram index narrows the million keys down to the few hundred sharing most
        character trigrams with ``key``; rapidfuzz compares only those.
        """
        if not key.isascii() or len(key) < 3 or not self._has_fuzzy:
            return []
        import numpy as np
        from rapidfuzz import fuzz, process

        grams = sorted(trigrams(key))
        blobs = [r[0] for r in self._con.execute(
            f"SELECT ids FROM fuzzy_grams WHERE gram IN ({','.join('?' * len(grams))})", grams)]
        id_list = [i for (i,) in self._con.execute("SELECT id FROM fuzzy_keys WHERE letters=?", (letters(key),))]
        if blobs:
            ids, counts = np.unique(np.concatenate([np.frombuffer(b, dtype=np.int32) for b in blobs]),
                                    return_counts=True)
            if len(ids) > FUZZY_BLOCK:
                ids = ids[np.argpartition(-counts, FUZZY_BLOCK)[:FUZZY_BLOCK]]
            id_list += ids.tolist()
        if not id_list:
            return []
        keys = [k for (k,) in self._con.execute(
            f"SELECT key FROM fuzzy_keys WHERE id IN ({','.join('?' * len(id_list))})", id_list)]
        hits = process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
        return [(k, s) for k, s, _ in hits]

    def _fuzzy_hits(self, q: _Query) -> dict[int, _Hit]:
        matches = self.fuzzy_keys(q.core)
        if not matches:
            return {}
        sims = dict(matches)
        out: dict[int, _Hit] = {}
        for key, pk in self._con.execute(
                f"SELECT key, pk FROM names WHERE how<2 AND key IN ({','.join('?' * len(sims))})", list(sims)):
            s = sims[key]
            base = 100 - 1.5 * (100 - s)  # 94% alike reads like another transliteration, 80% is a guess
            if pk not in out or out[pk].base < base:
                out[pk] = _Hit(FUZZY, base, f"similar spelling {key!r} ({s:.0f}%)")
        return out

    def _hits(self, q: _Query) -> dict[int, _Hit]:
        """Matches of the name: strict and folded keys; unless the name itself (or its core) is
        a place of the kind it says, also similar spellings (a typo may fold like another
        name) and, when nothing reads alike, the same consonants."""
        found = self._strict_hits(q)
        if any(h.level <= CORE and (not q.hinted or h.kind in q.hinted) for h in found.values()):
            return found
        extra = self._fuzzy_hits(q)
        if not any(h.level <= FOLDED for h in found.values()):
            for pk, hit in self._skeleton_hits(q).items():
                if pk not in extra or extra[pk].base < hit.base:
                    extra[pk] = hit
        for pk, hit in extra.items():
            found.setdefault(pk, hit)
        return found

    def _qualified(self, q: _Query) -> tuple[_Query, str, tuple[float, float] | None] | None:
        """A name qualified by where it is ("Camp Arifjan, Kuwait", "Tanf Syria", "Hit, Anbar"):
        the name, the country and (for a governorate or region) its point."""
        if "," in q.text:
            head, tail = (t.strip() for t in q.text.rsplit(",", 1))
            splits = [(head, tail)]
            areas = ("country", "governorate", "region")
        else:
            words = q.text.split()
            splits = [(" ".join(words[:-n]), " ".join(words[-n:])) for n in (1, 2, 3) if n < len(words)]
            areas = ("country",)
        for head, tail in splits:
            key = normalize(tail)
            if not key or not normalize(head):
                continue
            row = self._con.execute(
                "SELECT p.country, p.kind, p.lat, p.lon FROM names n JOIN places p ON p.pk=n.pk "
                f"WHERE n.key=? AND n.how<2 AND p.kind IN ({','.join('?' * len(areas))}) "
                "ORDER BY p.prominence DESC LIMIT 1", (key, *areas)).fetchone()
            if row is not None:
                return _Query.of(head), row[0], None if row[1] == "country" else (row[2], row[3])
        return None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Names of the places nearest in spelling (for error messages)."""
        key = core(normalize(str(name)[:MAX_NAME]))
        out: list[str] = []
        for k, _ in self.fuzzy_keys(key, cutoff=50.0, limit=20):
            row = self._con.execute(
                "SELECT p.name FROM names n JOIN places p ON p.pk=n.pk WHERE n.key=? "
                "ORDER BY p.prominence DESC LIMIT 1", (k,)).fetchone()
            if row and row[0] not in out:
                out.append(row[0])
            if len(out) >= n:
                break
        return out

    # -- ranking -------------------------------------------------------------------
    def _rank(self, q: _Query, found: dict[int, _Hit], *, country: str | None, kind: str | None,
              near: tuple[float, float] | None, limit: int) -> list[Candidate]:
        rows = {r["pk"]: r for r in self._con.execute(_PLACE_SQL.format(",".join("?" * len(found))), list(found))}
        scored: list[tuple[float, int, sqlite3.Row, list[str]]] = []
        for pk, hit in found.items():
            row = rows[pk]
            score, why = self._score(q, hit, row, country, kind, near)
            scored.append((score, hit.level, row, why))
        if not (q.hinted or q.code or kind):
            scored = self._named_after(scored)
        scored.sort(key=lambda s: (-s[0], -(s[2]["population"] or 0), s[2]["id"]))
        return [Candidate(row_to_place(row), score, "; ".join(why)) for score, _, row, why in scored[:limit]]

    def _score(self, q: _Query, hit: _Hit, row: sqlite3.Row, country: str | None, kind: str | None,
               near: tuple[float, float] | None) -> tuple[float, list[str]]:
        base, why = hit.base, [hit.how]
        prom = row["prominence"]
        pkind = row["kind"]
        if not row["population"] and pkind in _SETTLEMENTS and row["source"] == "geonames":
            prom = max(prom, SEAT_PROMINENCE)
        score = base + prom
        if row["source"] == "curated":
            why.append("curated military site")
        if row["country"] in self.focus:
            score += FOCUS_BONUS
        if hit.level <= FOLDED and self._own_name(q, hit.level, row["name"]):
            score += OWN_NAME_BONUS
        if q.code and pkind in _AIRFIELDS and hit.level == EXACT:
            score += 4
            why.append("written as an airfield code")
        if q.hinted and hit.level != EXACT:  # an exact name's kind words are part of it
            if pkind in q.hinted:
                score += 4
                why.append(f"kind {pkind} fits the name")
            else:
                score -= 8
        if kind:
            if pkind in _KIND_FAMILY.get(kind, {kind}):
                score += 10
                why.append(f"kind {kind} asked")
            else:
                score -= 10
        if country:
            if row["country"] == country.upper():
                score += 8
                why.append(f"in {country.upper()} as asked")
            else:
                score -= 20
        if near is not None:
            d = _haversine_km(near[0], near[1], row["lat"], row["lon"])
            score += 5 * math.exp(-d / 150)
            if d < 150:
                why.append(f"{d:.0f} km from the context")
        return score, why

    @staticmethod
    def _own_name(q: _Query, level: int, name: str) -> bool:
        k = normalize(name)
        if level == EXACT:
            return k == q.key
        c = core(k) or k
        return c == q.core if level == CORE else folded(c) == folded(q.core)

    @staticmethod
    def _named_after(scored: list[tuple[float, int, sqlite3.Row, list[str]]]) -> list:
        """A bare town name means the town, not what is named after it: the curated site beside
        it ("Balad" is the town, "Balad Air Base" the base) or the governorate it is the seat of
        ("Basra"); such a candidate drops below the town when the town reads as well."""
        towns = [(s, lvl, r) for s, lvl, r, _ in scored if r["kind"] in _SETTLEMENTS and r["source"] != "curated"]
        if not towns:
            return scored
        out = []
        for score, level, row, why in scored:
            if row["source"] == "curated" or row["kind"] in _AREAS:
                for t_score, t_level, t in towns:
                    if t_level <= max(level, FOLDED) and t_score - 1 < score and \
                            _haversine_km(row["lat"], row["lon"], t["lat"], t["lon"]) <= NAMED_AFTER_KM:
                        score = t_score - 1
                        why = [*why, f"named after the {t['kind']} of {t['name']}"]
            out.append((score, level, row, why))
        return out

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
        q = _Query.of(name)
        found = self._hits(q)
        if not any(h.level <= CORE for h in found.values()):
            qualified = self._qualified(q)
            if qualified is not None:
                head, cc, point = qualified
                head_found = self._hits(head)
                if head_found:
                    q, found = head, head_found
                    country = country or cc
                    near = near or point
        if not found:
            return []
        return self._rank(q, found, country=country, kind=kind, near=near, limit=limit)

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
        if not cands and self.online is not None:
            found = self.online.geocode(str(name).strip(), country=country)
            if found is not None:
                return Resolution(str(name), found, 80.0, f"online geocoder {self.online.service}")
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
