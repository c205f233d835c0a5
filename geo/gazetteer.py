"""Resolution of names to places: exact keys first, then looser ones, then typos, ranked by hints.

Every answer carries its score and the reason it won, and the places that came
close, so an analyst can see when "Erbil" meant the city and not the air base.

A candidate's score is how well the name matches (``MATCH_SCORES``: the exact name 100, the
name without its kind word 96, another transliteration 94, the same consonants 60-90 as
the names read alike, a similar spelling 100 - 1.5 x the percentage it differs) plus what is known of the
place: its prominence (countries, regions, curated sites, population), whether it lies
in a focus country, whether the name is its own name rather than an alias, and the
hints (kind words in the name, ``country``, ``kind``, ``near``).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from .index import (
    CORE,
    EXACT,
    FOLDED_PREFIX,
    LOOSE,
    SKELETON_PREFIX,
    focus_countries,
    fuzzy_length,
    letters,
    no_cycle_collection,
    open_index,
    row_to_place,
    trigrams,
)
from .names import GENERIC, core, folded, normalize, skeleton_of, vowel_blind
from .place import Candidate, Place, Resolution, UnknownPlace
from .sources import admin1_of

if TYPE_CHECKING:
    import geopandas

    from .online import OnlineGeocoder

#: the longest name we try to resolve; longer input is not a place name
MAX_NAME = 200

#: match levels beyond the index's EXACT and CORE, best first
FOLDED, SKELETON, FUZZY = LOOSE, LOOSE + 1, LOOSE + 2
MATCH_SCORES = {EXACT: 100.0, CORE: 96.0, FOLDED: 94.0}
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
#: a loose or fuzzy match may differ from the name by one slip, and one more per this many letters
SLIP_LETTERS = 8
#: fuzzy keys compared with rapidfuzz (those sharing most trigrams with the name)
FUZZY_BLOCK = 200
#: suggestions for an unknown name are spelt at least this much like it (rapidfuzz ratio)
SUGGEST_CUTOFF = 50.0
#: keys per SQL statement in batch look-ups (under SQLite's old limit of 999 parameters)
_CHUNK = 900

#: kind words in a query -> kinds they point at
KIND_WORDS = {
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
    # a district or village is named after its seat: the populated place
    "district": {"town", "city"},
    "village": {"town", "city"},
    "international": {"airport", "airbase"},
}
#: an explicit --kind matches these kinds
_KIND_FAMILY = {
    "airbase": {"airbase"},
    "airport": {"airport", "airbase"},
    "base": {"base", "camp", "outpost", "airbase", "headquarters"},
    "city": {"city", "town"},
    "town": {"town", "city"},
    # a district or village is named after its seat: the populated place
    "district": {"town", "city"},
    "village": {"town", "city"},
    "governorate": {"governorate"},
    "region": {"region", "governorate"},
}
_AIRFIELDS = frozenset({"airbase", "airport"})
_SETTLEMENTS = frozenset({"city", "town"})
_AREAS = frozenset({"governorate", "region"})
_NOTHING: frozenset[str] = frozenset()
#: a name written like an ICAO/IATA code or an acronym: ORAA, BGW, K1
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,4}$")


class _Row(NamedTuple):
    """The columns of a place that ranking needs (a ``Place`` is built only for the answers)."""

    pk: int
    id: str
    name: str
    name_key: str
    kind: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int
    source: str
    prominence: float
    code_keys: str


_RANK_COLUMNS = ", ".join(f"p.{c}" for c in _Row._fields)


#: the columns of ``resolve_many`` before its ``error``
_BATCH_COLUMNS = ("query", "id", "name", "kind", "country", "admin1", "admin1_code", "lat", "lon", "score", "reason")


def _failed(name: object, error: str) -> tuple:
    """A ``resolve_many`` row for a name that found no place."""
    return (name, *[None] * (len(_BATCH_COLUMNS) - 1), error)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


def _resembles(a: str, b: str) -> bool:
    """Whether two keys are a slip apart for every ``SLIP_LETTERS`` letters of the longer one (a letter
    dropped, added, changed, or two swapped); a guess further apart is a different name."""
    from rapidfuzz.distance import OSA

    return OSA.distance(a, b) <= 1 + max(len(a), len(b)) // SLIP_LETTERS


def _blind_cores(name: str, aliases: str, skeleton: str) -> set[str]:
    """The ``vowel_blind`` cores of a place's Latin names (its ``name`` and ``|``-joined ``aliases``)
    whose consonants are ``skeleton``."""
    out = set()
    for n in (name, *aliases.split("|")):
        c = core(normalize(n)) if n.isascii() else ""
        if c and skeleton_of(c) == skeleton:
            out.add(vowel_blind(c))
    return out


def _pick(items: list[str], ids: list[int]) -> list[str]:
    return list(itemgetter(*ids)(items)) if len(ids) > 1 else [items[i] for i in ids]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class _Query:
    """A name as the resolver sees it: its keys and the hints it carries."""

    __slots__ = ("text", "key", "core", "code", "hinted")

    def __init__(self, name: object):
        if type(name) is not str and (name is None or (isinstance(name, float) and math.isnan(name))):
            raise ValueError("a place name is required (got nothing)")
        text = name.strip() if type(name) is str else str(name).strip()
        if not text:
            raise ValueError("a place name is required (got an empty string)")
        if len(text) > MAX_NAME:
            raise ValueError(f"{len(text)} characters is too long for a place name (at most {MAX_NAME})")
        key = normalize(text)
        if not key:
            raise ValueError(f"{text!r} has no letters or digits to look up")
        self.text, self.key = text, key
        words = [w for w in key.split() if w in GENERIC]
        self.core = core(key) or key if words else key
        self.hinted = frozenset().union(*(KIND_WORDS.get(w, ()) for w in words)) if words else _NOTHING
        self.code = bool(_CODE.match(text))

    def keys(self) -> list[str]:
        """The strict keys: the name's and its core."""
        return [self.key] if self.core == self.key else [self.key, self.core]

    def folded_key(self) -> str | None:
        """The loose key of another transliteration; None when too short to tell names apart
        (with fewer than three consonants "Udied" folds like a dozen unrelated places)."""
        f = folded(self.core)
        return FOLDED_PREFIX + f if sum(c != "a" for c in f) >= 3 else None


@dataclass(slots=True)
class _Hit:
    """How a place matched a name, and its row (the ``_RANK_COLUMNS``)."""

    level: int
    base: float
    how: str
    row: _Row


class Gazetteer:
    """All offline places, searchable by any spelling.

    ``focus`` names countries whose places win ties (by default the countries of
    the curated military sites): "Palmyra" in this field is Tadmur, not Palmyra, NJ.
    ``online`` is a geocoder (``geo.online.OnlineGeocoder``) asked only when no offline
    place matches, or False for none; by default ``GARRISON_GEOCODER`` decides (off
    when unset).
    """

    def __init__(self, con: sqlite3.Connection | None = None, focus: Iterable[str] | None = None,
                 online: OnlineGeocoder | bool | None = None):
        self._con = con if con is not None else open_index()
        if self._con.row_factory is None:
            self._con.row_factory = sqlite3.Row
        self.focus = focus_countries(self._con) if focus is None else frozenset(focus)
        self._focus_sql = ",".join(f"'{c}'" for c in sorted(self.focus) if c.isalpha()) or "''"
        if online is None:
            from .online import from_environment

            online = from_environment()
        self.online = online or None
        self._has_fuzzy = self._con.execute(
            "SELECT 1 FROM sqlite_master WHERE name='fuzzy_grams'").fetchone() is not None
        self._typo: tuple[list[str], list[int]] | None = None
        self._grams: dict[str, object] = {}

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
            sql += f" AND kind IN ({_marks(len(kinds))})"
            args += list(kinds)
        return [row_to_place(r) for r in self._con.execute(sql, args)]

    def _rows_by_key(self, keys: Iterable[str]) -> dict[str, list[tuple[int, _Row]]]:
        """key -> [(how, row)] for every place indexed under one of ``keys``.

        A batch looks its keys up in order, then its places in order, reading the index
        front to back instead of jumping about it (twice as fast as one join); one name's
        few keys take one join.
        """
        keys = sorted(set(keys))
        new = tuple.__new__
        out: dict[str, list[tuple[int, _Row]]] = {}
        if len(keys) <= 4:
            for r in self._tuples(f"SELECT n.key, n.how, {_RANK_COLUMNS} FROM names n JOIN places p ON p.pk=n.pk "
                                  f"WHERE n.key IN ({_marks(len(keys))})", keys):
                out.setdefault(r[0], []).append((r[1], new(_Row, r[2:])))
            return out
        hits: list[tuple[str, int, int]] = []
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            hits += self._tuples(f"SELECT key, pk, how FROM names WHERE key IN ({_marks(len(chunk))})", chunk)
        pks = sorted({pk for _, pk, _ in hits})
        rows: dict[int, _Row] = {}
        for i in range(0, len(pks), _CHUNK):
            chunk = pks[i:i + _CHUNK]
            for r in self._tuples(f"SELECT {_RANK_COLUMNS} FROM places p WHERE p.pk IN ({_marks(len(chunk))})", chunk):
                rows[r[0]] = new(_Row, r)
        for key, pk, how in hits:
            out.setdefault(key, []).append((how, rows[pk]))
        return out

    def _tuples(self, sql: str, args: Sequence = ()) -> sqlite3.Cursor:
        """Rows as plain tuples (faster than the connection's ``sqlite3.Row``)."""
        cur = self._con.cursor()
        cur.row_factory = None
        return cur.execute(sql, args)

    def _strict_hits(self, q: _Query, by_key: dict[str, list[tuple[int, _Row]]],
                     folded_key: str | None = None) -> dict[int, _Hit]:
        """Places whose strict key or core (and ``folded_key``) is the name's (``by_key``: their rows)."""
        found: dict[int, _Hit] = {}
        for key in (*q.keys(), folded_key) if folded_key else q.keys():
            for how, row in by_key.get(key, ()):
                # the whole name is the place's name (EXACT) or its core (CORE); the name's core is CORE
                level = how if key == q.key else CORE if key == q.core else FOLDED
                pk = row.pk
                hit = found.get(pk)
                if hit is None or level < hit.level:
                    found[pk] = _Hit(level, MATCH_SCORES[level], _HOW[level], row)
        if not q.code:
            self._demote_codes(q, found)
        return found

    @staticmethod
    def _demote_codes(q: _Query, found: dict[int, _Hit]) -> None:
        """A name not written as a code ("Heet", "Mount") that is only a code of a place (Hohhot's
        airport HET, Malta's MT read as an abbreviation of mount) is a weak match of it."""
        for pk, hit in found.items():
            if hit.level <= CORE and hit.row.code_keys and q.key in hit.row.code_keys.split():
                found[pk] = _Hit(SKELETON, _CODE_ONLY, "only an airport code of it is spelt so", hit.row)

    @staticmethod
    def _settled(q: _Query, found: dict[int, _Hit], curated: bool = True) -> bool:
        """Whether the name itself (or its core) is a place of the kind it says (without
        ``curated``: a place other than a curated site, which may be named after a town)."""
        return any(h.level <= CORE and (h.row.kind in q.hinted if q.hinted else curated or
                                        h.row.source != "curated") for h in found.values())

    @staticmethod
    def _kind_fits(q: _Query, row: _Row) -> bool:
        """Whether the place is of a kind the name's kind words allow (any, without them)."""
        return not q.hinted or row.kind in q.hinted

    def _skeleton_hits(self, q: _Query) -> dict[int, _Hit]:
        s = skeleton_of(q.core)
        if not s:
            return {}
        found = self._tuples(
            f"SELECT {_RANK_COLUMNS}, p.aliases FROM names n JOIN places p ON p.pk=n.pk WHERE n.key=? "
            f"ORDER BY p.country IN ({self._focus_sql}) DESC, p.prominence DESC LIMIT ?",
            (SKELETON_PREFIX + s, SKELETON_LIMIT)).fetchall()
        from rapidfuzz.fuzz import ratio

        b = vowel_blind(q.core)
        out = {}
        for *cols, aliases in found:
            row = _Row._make(cols)
            if b.isascii():
                # the same consonants say little on their own: a name of the place with them must have
                # exactly the query's consonants as written (w and y, kh and k, told apart), or be a slip
                # or so from it, vowels aside; how alike decides the score
                near = [c for c in _blind_cores(row.name, aliases, s)
                        if c.replace("a", "") == b.replace("a", "") or _resembles(b, c)]
                if not near:
                    continue
                sim = max(ratio(b, c) for c in near)
            else:  # Arabic script writes no short vowels: its consonants are all there is to compare
                sim = 80.0
            out[row.pk] = _Hit(SKELETON, 60.0 + 0.3 * sim, _HOW[SKELETON], row)
        return out

    def _typo_index(self) -> tuple[list[str], list[int]]:
        """The typo index's keys (ordered by length) and, for each length, the id of its first key."""
        if self._typo is None:
            from array import array

            blobs = dict(self._tuples("SELECT k, v FROM fuzzy_keys"))
            starts = array("i")
            starts.frombytes(blobs.get("starts") or b"")
            self._typo = (blobs["keys"].decode().split("\n") if blobs.get("keys") else []), starts.tolist() or [0]
        return self._typo

    def fuzzy_keys(self, key: str, cutoff: float = 80.0, limit: int = 8) -> list[tuple[str, float]]:
        """Index keys spelt like ``key`` (a strict key), with their similarity (0-100), best first.

        Only keys of about the same length that share most character trigrams with ``key``
        (or all its letters, in another order) are compared, with rapidfuzz.
        """
        if not key.isascii() or len(key) < 3 or not self._has_fuzzy:
            return []
        import numpy as np
        from rapidfuzz import fuzz, process

        keys, starts = self._typo_index()
        n = fuzzy_length(key)
        spread = max(2, n // 4)  # a slip or two, an article written joined (Alasad), a lost ending
        lo, hi = starts[min(max(0, n - spread), len(starts) - 1)], starts[min(n + spread + 1, len(starts) - 1)]
        parts = []
        for ids in self._postings(trigrams(key)):
            i, j = ids.searchsorted((lo, hi))
            parts.append(ids[i:j])
        block: list[int] = []
        if parts:  # the keys of about its length sharing most of the name's trigrams
            found, shared = np.unique(np.concatenate(parts), return_counts=True)
            if len(found) > FUZZY_BLOCK:
                found = found[np.argpartition(-shared, FUZZY_BLOCK)[:FUZZY_BLOCK]]
            block = found.tolist()
        hits = process.extract(key, _pick(keys, block), scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
        if not hits or hits[0][1] < 90:  # swapped letters break trigrams but keep the letters
            same = self._tuples("SELECT ids FROM fuzzy_letters WHERE letters=?", (letters(key),)).fetchone()
            if same:
                block = sorted(set(block) | set(np.frombuffer(same[0], dtype=np.int32).tolist()))
                hits = process.extract(key, _pick(keys, block), scorer=fuzz.ratio, score_cutoff=cutoff,
                                       limit=limit)
        return [(k, s) for k, s, _ in hits]

    def _postings(self, grams: Iterable[str]) -> list:
        """The ids of the typo-index keys holding each trigram (kept once read)."""
        import numpy as np

        missing = [g for g in grams if g not in self._grams]
        if missing:
            for gram, blob in self._tuples(
                    f"SELECT gram, ids FROM fuzzy_grams WHERE gram IN ({_marks(len(missing))})", missing):
                self._grams[gram] = np.frombuffer(blob, dtype=np.int32)
            for gram in missing:
                self._grams.setdefault(gram, None)
        return [ids for g in grams if (ids := self._grams[g]) is not None]

    def _fuzzy_hits(self, q: _Query) -> dict[int, _Hit]:
        # a similar spelling must also be a slip or so away, vowels aside
        b = vowel_blind(q.core)
        sims = {k: s for k, s in self.fuzzy_keys(q.core) if _resembles(b, vowel_blind(k))}
        if not sims:
            return {}
        out: dict[int, _Hit] = {}
        for r in self._tuples(f"SELECT n.key, {_RANK_COLUMNS} FROM names n JOIN places p ON p.pk=n.pk "
                              f"WHERE n.how<2 AND n.key IN ({_marks(len(sims))})", list(sims)):
            key, row = r[0], _Row._make(r[1:])
            s = sims[key]
            base = 100 - 1.5 * (100 - s)  # 94% alike reads like another transliteration, 80% is a guess
            if row.pk not in out or out[row.pk].base < base:
                out[row.pk] = _Hit(FUZZY, base, f"similar spelling {key!r} ({s:.0f}%)", row)
        return out

    def _hits(self, q: _Query) -> dict[int, _Hit]:
        """Matches of the name: its strict keys; unless the name itself (or its core) is a place
        of the kind it says, also other transliterations, similar spellings (a typo may fold
        like another name) and, when nothing in the focus countries reads alike or is spelt
        within a letter of it, the same consonants."""
        fk = q.folded_key()
        found = self._strict_hits(q, self._rows_by_key([*q.keys(), fk] if fk else q.keys()), fk)
        if self._settled(q, found, curated=False):
            return {pk: h for pk, h in found.items() if h.level <= CORE}  # as a batch look-up finds them
        # a loose reading of a place the name's kind words deny ("Camp X" for a town) is no match
        found = {pk: h for pk, h in found.items() if h.level <= CORE or self._kind_fits(q, h.row)}
        if self._settled(q, found):
            return found
        extra = {pk: h for pk, h in self._fuzzy_hits(q).items() if self._kind_fits(q, h.row)}
        # the same consonants are looked for unless another key in the focus countries reads alike or is
        # spelt within a letter or so of the name
        close = any(85 <= h.base < 100 and h.row.country in self.focus for h in extra.values())
        if not close and not any(h.level <= FOLDED and h.row.country in self.focus for h in found.values()):
            for pk, hit in self._skeleton_hits(q).items():
                if self._kind_fits(q, hit.row) and (pk not in extra or extra[pk].base < hit.base):
                    extra[pk] = hit
        for pk, hit in extra.items():
            found.setdefault(pk, hit)
        return found

    def _qualified(self, q: _Query) -> tuple[_Query, str, tuple[float, float] | None] | None:
        """A name qualified by where it is ("Camp Arifjan, Kuwait", "Tanf Syria", "K-1 Kirkuk"):
        the name, the country and (for a governorate or region) its point."""
        if "," in q.text:
            head, tail = (t.strip() for t in q.text.rsplit(",", 1))
            splits = [(head, tail)]
        else:
            words = q.text.split()
            splits = [(" ".join(words[:-n]), " ".join(words[-n:])) for n in (1, 2, 3) if n < len(words)]
        areas = ("country", "governorate", "region")
        splits = [(head, normalize(tail)) for head, tail in splits if normalize(head) and normalize(tail)]
        if not splits:
            return None
        tails = [t for _, t in splits]
        # a tail spelt like a code of the area only when written as one ("Mount Doom" is not in DOM)
        coded = {normalize(t) for t in q.text.replace(",", " ").split()[-3:] if _CODE.match(t)}
        where = {key: (cc, kind, lat, lon) for key, cc, kind, lat, lon, codes in self._tuples(
            "SELECT n.key, p.country, p.kind, p.lat, p.lon, p.code_keys FROM names n JOIN places p ON p.pk=n.pk "
            f"WHERE n.key IN ({_marks(len(tails))}) AND n.how<2 AND p.kind IN ({_marks(len(areas))}) "
            "ORDER BY p.prominence", (*tails, *areas)) if key in coded or key not in codes.split()}
        for head, tail in splits:
            if tail in where:
                cc, kind, lat, lon = where[tail]
                return _Query(head), cc, None if kind == "country" else (lat, lon)
        return None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """The places spelt most like ``name``, as "Name (kind, CC)", for error messages.

        The name without its kind words, and each of its longer words ("Mount Sinjar" -> Sinjar),
        are compared with the typo index's keys; of equally close keys, places in the focus
        countries and more prominent ones come first.
        """
        key = normalize(str(name)[:MAX_NAME])
        key = core(key) or key
        sims: dict[str, float] = {}
        for part in {key, *(w for w in key.split() if len(w) >= 4)}:
            for k, sim in self.fuzzy_keys(part, cutoff=SUGGEST_CUTOFF, limit=10):
                sims[k] = max(sim, sims.get(k, 0.0))
        if not sims:
            return []
        rows = self._tuples(
            f"SELECT n.key, p.id, p.name, p.kind, p.country, p.country IN ({self._focus_sql}), p.prominence, "
            f"p.code_keys FROM names n JOIN places p ON p.pk=n.pk WHERE n.how<2 AND n.key IN ({_marks(len(sims))})",
            list(sims))
        out: dict[str, str] = {}
        for k, pid, pname, kind, cc, _, _, codes in sorted(rows, key=lambda r: (-sims[r[0]], -r[5], -r[6], r[1])):
            if k not in codes.split():  # a word that is only a code of the place (MT) is not its name
                out.setdefault(pid, f"{pname} ({kind}, {cc})")
        return list(out.values())[:n]

    # -- ranking -------------------------------------------------------------------
    def _ranked(self, q: _Query, found: dict[int, _Hit], *, country: str | None, kind: str | None,
                near: tuple[float, float] | None) -> list[tuple[float, _Row, list[str]]]:
        """(score, row, reasons) of every candidate, best first."""
        scored = [(*self._score(q, hit, country, kind, near), hit.level, hit.row) for hit in found.values()]
        if len(scored) > 1:
            if not (q.hinted or q.code or kind):
                scored = self._named_after(scored)
            scored.sort(key=lambda s: (-s[0], -(s[3].population or 0), s[3].id))
        return [(score, row, why) for score, why, _, row in scored]

    def _score(self, q: _Query, hit: _Hit, country: str | None, kind: str | None,
               near: tuple[float, float] | None) -> tuple[float, list[str]]:
        row = hit.row
        why = [hit.how]
        prom = row.prominence
        pkind = row.kind
        if not row.population and pkind in _SETTLEMENTS and row.source == "geonames":
            prom = max(prom, SEAT_PROMINENCE)
        score = hit.base + prom
        if row.source == "curated":
            why.append("curated military site")
        if row.country in self.focus:
            score += FOCUS_BONUS
        if hit.level <= FOLDED and self._own_name(q, hit.level, row.name_key):
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
            if row.country == country.upper():
                score += 8
                why.append(f"in {country.upper()} as asked")
            else:
                score -= 20
        if near is not None:
            d = haversine_km(near[0], near[1], row.lat, row.lon)
            score += 5 * math.exp(-d / 150)
            if d < 150:
                why.append(f"{d:.0f} km from the context")
        return score, why

    @staticmethod
    def _own_name(q: _Query, level: int, name_key: str) -> bool:
        if level == EXACT:
            return name_key == q.key
        c = core(name_key) or name_key
        return c == q.core if level == CORE else folded(c) == folded(q.core)

    @staticmethod
    def _named_after(scored: list[tuple[float, list[str], int, _Row]]) -> list:
        """A bare town name means the town, not what is named after it: the curated site beside
        it ("Balad" is the town, "Balad Air Base" the base) or the governorate it is the seat of
        ("Basra"); such a candidate drops below the town when the town reads as well."""
        towns = [(s, lvl, r) for s, _, lvl, r in scored if r.kind in _SETTLEMENTS and r.source != "curated"]
        if not towns:
            return scored
        out = []
        for score, why, level, row in scored:
            if row.source == "curated" or row.kind in _AREAS:
                for t_score, t_level, t in towns:
                    if t_level <= max(level, FOLDED) and t_score - 1 < score and \
                            haversine_km(row.lat, row.lon, t.lat, t.lon) <= NAMED_AFTER_KM:
                        score = t_score - 1
                        why = [*why, f"named after the {t.kind} of {t.name}"]
            out.append((score, why, level, row))
        return out

    def _candidates(self, name: object, country: str | None, kind: str | None,
                    near: tuple[float, float] | None) -> tuple[_Query, list[tuple[float, _Row, list[str]]]]:
        q = _Query(name)
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
        return q, self._ranked(q, found, country=country, kind=kind, near=near) if found else []

    def _as_candidates(self, ranked: list[tuple[float, _Row, list[str]]]) -> list[Candidate]:
        full = {r["pk"]: r for r in self._con.execute(
            f"SELECT * FROM places WHERE pk IN ({_marks(len(ranked))})", [row.pk for _, row, _ in ranked])}
        return [Candidate(row_to_place(full[row.pk]), score, "; ".join(why)) for score, row, why in ranked]

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
        _, ranked = self._candidates(name, country, kind, near)
        return self._as_candidates(ranked[:limit]) if ranked else []

    @staticmethod
    def _fits(row: _Row, country: str | None, kind: str | None) -> bool:
        return (not country or row.country == country.upper()) and \
            (not kind or row.kind in _KIND_FAMILY.get(kind, {kind}))

    def resolve(
        self,
        name: str,
        *,
        country: str | None = None,
        kind: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> Resolution:
        """The best place for ``name``; ``UnknownPlace`` with suggestions when none fits.

        An explicit ``country`` or ``kind`` is a requirement, not only a preference.
        """
        _, ranked = self._candidates(name, country, kind, near)
        ranked = [r for r in ranked[:4] if self._fits(r[1], country, kind)]
        if not ranked and self.online is not None:
            found = self.online.geocode(str(name).strip(), country=country)
            if found is not None:
                return Resolution(str(name), found, 50.0,
                                  f"not in the offline gazetteer; found by the online geocoder {self.online.service}")
        if not ranked:
            raise UnknownPlace(str(name), self.suggest(str(name)))
        best, *rest = self._as_candidates(ranked)
        return Resolution(str(name), best.place, best.score, best.reason, tuple(rest))

    def resolve_many(
        self,
        names: Iterable[str | None],
        *,
        country: str | None = None,
        kind: str | None = None,
    ) -> geopandas.GeoDataFrame:
        """One row per input name (in order); unresolved names keep a row with the error.

        Names whose exact key settles them are looked up together (a few SQL statements
        per thousand names); the others go through ``resolve``.
        """
        import geopandas
        import pandas as pd
        from shapely import points

        # anything but a name, a missing value or a number is resolved as its text
        names = [n if n is None or isinstance(n, str | float | int) else str(n) for n in names]
        queries: dict[str | float | int, _Query | str] = {}  # name -> query, or the error message
        answers: dict[str | float | int, tuple] = {}
        with no_cycle_collection():
            for n in names:
                if n is None or (isinstance(n, float) and math.isnan(n)) or n in queries:
                    continue
                try:
                    queries[n] = _Query(n)
                except ValueError as exc:
                    queries[n] = str(exc)
            by_key = self._rows_by_key(k for q in queries.values() if isinstance(q, _Query) for k in q.keys())
            for n, q in queries.items():
                answers[n] = _failed(n, q) if isinstance(q, str) else self._answer(n, q, by_key, country, kind)
            nothing = _failed(None, "no name")
            rows = [nothing if n is None or (isinstance(n, float) and math.isnan(n)) else answers[n] for n in names]
            df = pd.DataFrame(rows, columns=[*_BATCH_COLUMNS, "error"])
            lon, lat = df["lon"].astype(float).to_numpy(), df["lat"].astype(float).to_numpy()
            geom = points(lon, lat)
            geom[pd.isna(lat)] = None  # an unresolved name has no geometry (not a NaN point)
            return geopandas.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")

    def _answer(self, name: object, q: _Query, by_key: dict, country: str | None, kind: str | None) -> tuple:
        """One row of ``resolve_many``: from the batch look-up when that settles the name."""
        found = self._strict_hits(q, by_key)
        if self._settled(q, found, curated=False):
            ranked = self._ranked(q, found, country=country, kind=kind, near=None)
        else:
            ranked = self._candidates(name, country, kind, None)[1]
        if country or kind:
            ranked = [r for r in ranked[:4] if self._fits(r[1], country, kind)]
        if not ranked:
            try:
                d = self.resolve(name, country=country, kind=kind).to_dict()  # online, or the error
            except (UnknownPlace, ValueError) as exc:
                return _failed(name, str(exc))
            return (*(d[c] for c in _BATCH_COLUMNS), None)
        score, row, why = ranked[0]
        return (name, row.id, row.name, row.kind, row.country,
                *admin1_of(row.source, row.country, row.admin1), row.lat, row.lon, round(score, 1),
                "; ".join(why), None)
