"""Place mentions in running text, with character spans, resolved in the context of the article.

A name is looked up as whole token windows against the gazetteer's strict keys (the
same ``normalize`` keys the index holds), restricted to the places a conflict report
can plausibly mean: the curated military sites, regions, countries, every populated
place in the focus countries and large cities elsewhere.  That table is read once
from the index and cached beside it, so a text is parsed with dictionary look-ups
only (no SQL per word).

Each window needs evidence before it becomes a place.  Capitalisation is not enough
for a common English word ("Hit", "Said", "Camp") or a place far from everything
else the article names ("Nur" in Iran): those need a kind word ("the town of Hit",
"Taji base"), a locative preposition ("in Hit"), a known military site, or the
article's context.  Among several places of one name the winner is the one that
fits the article: a country or governorate named nearby, proximity to the other
places, and a kind word beside the name.  ``debug=True`` also returns what was
skipped and why.
"""

from __future__ import annotations

import calendar
import gc
import math
import os
import pickle
import re
import sqlite3
import tempfile
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .gazetteer import KIND_WORDS, MATCH_SCORES, Gazetteer, haversine_km
from .index import EXACT, row_to_place
from .names import ARTICLES, FAMILIES, GENERIC, core, normalize
from .place import Candidate, Place

#: bump when the cached lookup table changes shape or content rules
_TABLE_VERSION = 6
#: populated places outside the focus countries need at least this many people to be found
WORLD_POPULATION = 100_000
#: a town this large, capitalised mid-sentence in a report on its country, is the town even when
#: its name is also an English word ("Palmyra", "Hit")
TOWN_POPULATION = 20_000
#: the longest name, in tokens, a window may have
MAX_TOKENS = 8
#: a place further than this from every other place of the article is "far"
FAR_KM = 600.0
#: how many mentions before and after one make its context
CONTEXT_MENTIONS = 40
#: distance queries computed together (bounds the memory of a long text)
_BLOCK = 4096

# -- tokens and sentences ---------------------------------------------------------------------
#: words, split out with the text between them (apostrophes inside a word belong to it; the
#: repeat is possessive: nothing follows it, so it never needs to give a letter back)
_TOKEN_SPLIT = re.compile(r"([^\W_]+(?:['’ʼ][^\W_]+)*+)")
#: a possessive ending at the end of a word ("Taji's")
_POSSESSIVE = re.compile(r"['’ʼ][sS](?![^\W_])")
#: characters that may separate the words of one name
_JOINER_CHARS = " -\u00a0\u2010\u2011\u2013\t\n"
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?$")
#: the end of a sentence: . ! ? before a space, a blank line, a line that opens a list (each branch
#: begins with one literal character: the engine then skips quickly to the places it may match)
_SENTENCE_END = re.compile(r"""\.[.!?]*["'”’)\]]*\s+|![.!?]*["'”’)\]]*\s+|\?[.!?]*["'”’)\]]*\s+"""
                           r"|\n\s*\n|\n(?=\s*[-*•])")
#: a character that is not a space (searching for one copies no text)
_NON_SPACE = re.compile(r"\S")
#: a period after these is not the end of a sentence
_ABBREVIATIONS = frozenset(
    "gen lt col maj brig sgt capt cpt adm cmdr mr mrs ms dr st jan feb mar apr jun jul aug sep sept "
    "oct nov dec no vs etc u s k a e n w sen rep gov pres prof".split()
)
_ABBREVIATION_LETTERS = max(map(len, _ABBREVIATIONS))

#: words that put a place after them ("in Hit", "near Taji")
LOCATIVE = frozenset(
    "in at near from to into inside outside around towards toward across via through within "
    "between outskirts beyond along reach reaches reached entered enter enters capture captures captured "
    "seize seizes seized recapture recaptures recaptured retake retakes retook retaken take takes took taken "
    "liberate liberates liberated overran overrun overruns storm storms stormed left leave leaves vacate "
    "vacates vacated evacuate evacuates evacuated hit struck".split()
)
#: words that introduce a person's name
PERSON_TITLES = frozenset(
    "president minister premier general gen lieutenant lt colonel col major maj brigadier brig sergeant "
    "sgt captain capt admiral adm commander cmdr spokesman spokeswoman spokesperson mr mrs ms dr sheikh "
    "shaikh sayyid imam mullah ayatollah emir senator sen representative rep ambassador envoy secretary "
    "chief governor gov mayor prince king queen crown".split()
)
#: nouns that make a preceding country name a modifier ("US forces", "Iraq army")
MODIFIED_NOUNS = frozenset(
    "forces force troops troop army military soldiers soldier units unit personnel advisers advisors "
    "adviser advisor trainers marines fighters militants militia militias officials official embassy "
    "government officers commandos contingent navy jets aircraft warplanes drones planes bases base "
    "airbase airbases camp camps led backed held controlled based trained allied-backed".split()
)
#: after a name, these make it a person's ("the Assad regime"), unless the name is of a country or region
_RULED = frozenset("government regime family loyalists dynasty era administration rule ouster fall".split())
#: after a name, these make it a person's: "Assad and his family"
_HIS_AFTER = re.compile(r"\s+(?:and\s+)?(?:his|her)\b", re.IGNORECASE)
#: after a name, these make it the name of a speaker or an organisation ("the JOC said", "a JOC spokesman")
_SPEECH = frozenset("said says told added announced stated claimed confirmed denied reported warned insisted "
                    "spokesman spokeswoman spokesperson statement officials official commander".split())
_MONTHS_DAYS = frozenset(
    w.casefold() for w in (*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name, "sept")
)
#: kind phrases that may follow a name ("Taji base") or precede it ("Camp Taji"); folded keys
_KIND_AFTER = frozenset(
    "airbase base camp garison headquarters airport outpost governorate region district city town village "
    "compound facility complex station".split()
)
_KIND_BEFORE = frozenset("camp fort fob cop garison outpost".split())
_KIND_OF = frozenset(
    "airbase base camp garison headquarters airport outpost governorate region district city town village "
    "province compound facility".split()
)
#: words whose key depends on the next word ("al" before a name, "air" before "base")
_PENDING = ARTICLES | {"air", "military", "head", "command"}
#: words that may begin a kind phrase after a name: kind words, their plurals, "air", "province", "countryside"
_KIND_LEAD = _KIND_AFTER | _PENDING | {"province", "countryside"} | {w + "s" for w in _KIND_AFTER} | {
    v + "s" for v, canonical in FAMILIES.items() if canonical in _KIND_AFTER}
_SITE_KINDS = frozenset("airbase base camp headquarters airport outpost range port".split())
_AREA_KINDS = frozenset("country region governorate".split())


@dataclass
class Mention:
    """One place mention: where it is in the text and what it resolved to (``place`` None if not)."""

    surface: str
    start: int
    end: int
    place: Place | None = None
    score: float | None = None
    note: str = ""
    #: other places the name may mean, best first: (place, score)
    alternatives: tuple[tuple[Place, float], ...] = ()
    #: the kind word written beside the name ("airbase", "camp", ...), folded
    kind_word: str = ""
    skipped: bool = False
    key: str = ""

    def to_dict(self) -> dict:
        p = self.place
        d = {
            "surface": self.surface, "start": self.start, "end": self.end,
            "place": None if p is None else {
                "id": p.id, "name": p.name, "kind": p.kind, "country": p.country,
                "lat": p.lat, "lon": p.lon, "score": None if self.score is None else round(self.score, 1),
            },
            "note": self.note,
        }
        if self.skipped:
            d["skipped"] = True
        return d


# -- the lookup table ------------------------------------------------------------------------
@dataclass(eq=False)
class _Table:
    keys: dict[str, tuple[tuple[int, int], ...]]  # key -> ((pk, how), ...)
    prefixes: frozenset[str]  # word prefixes of keys
    places: dict[int, tuple]  # pk -> (id, kind, country, admin1, lat, lon, prominence, source, population)
    common: frozenset[str]  # key words that are ordinary lowercase English words
    codes: frozenset[str]  # keys that are only codes (ISO, ICAO, IATA): "iq", "orbi"
    #: region place id -> (country, GeoNames admin1 code, the core keys of its names)
    admin1_of_region: dict[str, tuple[str, str, frozenset[str]]]
    name_keys: dict[int, str]  # pk -> the key of the place's own name


def _index_file(con: sqlite3.Connection) -> Path | None:
    for _, name, file in con.execute("PRAGMA database_list"):
        if name == "main" and file:
            return Path(file)
    return None


def _build_table(g: Gazetteer) -> _Table:
    con = g._con
    focus = sorted(g.focus)
    where = (f"(p.country IN ({','.join('?' * len(focus))}) OR p.source='curated' "
             "OR p.kind IN ('country','region','governorate') OR p.population>=?)")
    args = [*focus, WORLD_POPULATION]
    places: dict[int, tuple] = {}
    code_keys: set[str] = set()
    name_keys: set[str] = set()
    own_names: dict[int, str] = {}
    for r in con.execute(f"SELECT * FROM places p WHERE {where}", args):
        places[r["pk"]] = (r["id"], r["kind"], r["country"], r["admin1"] or "", r["lat"], r["lon"],
                           r["prominence"], r["source"], r["population"] or 0)
        own_names[r["pk"]] = normalize(r["name"])
        # codes (IQ, ORAA, BGW) are aliases but not names people write in prose
        for a in (r["name"], *(r["aliases"] or "").split("|")):
            if 2 <= len(a) <= 4 and a.isupper() and a.isalpha():
                code_keys.add(normalize(a))
            elif a:
                k = normalize(a)
                name_keys.add(k)
                name_keys.add(core(k))
    keys: dict[str, list[tuple[int, int]]] = {}
    for key, pk, how in con.execute(
            f"SELECT n.key, n.pk, n.how FROM names n JOIN places p ON p.pk=n.pk WHERE n.how<2 AND {where}", args):
        if len(key) < 2 or key.isdigit():
            continue
        keys.setdefault(key, []).append((pk, how))
    prefixes: set[str] = set()
    for key in keys:
        words = key.split()
        for i in range(1, len(words)):
            prefixes.add(" ".join(words[:i]))
    common = _common_words({w for k in keys for w in k.split()})
    codes = frozenset(code_keys - name_keys)
    from . import sources

    admin1 = {r["id"]: (r["country"], r["geonames_admin1"],
                        frozenset(core(normalize(n)) for n in [r["name"], *r["aliases"].split("|")] if n))
              for r in sources.region_rows() if r["geonames_admin1"]}
    return _Table({k: tuple(v) for k, v in keys.items()}, frozenset(prefixes), places, common, codes, admin1,
                  own_names)


def _common_words(words: set[str]) -> frozenset[str]:
    """The words among ``words`` that English writes in lower case (a dictionary's common words)."""
    from english_words import get_english_words_set

    lower = {w for w in get_english_words_set(["web2"]) if w.islower()}
    lower |= _MONTHS_DAYS
    return frozenset(w for w in words if w in lower)


#: gazetteer -> its lookup table; table -> (key, kind) -> scored candidates; gazetteer -> pk -> Place;
#: table -> window signature -> _KeyFacts
_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SCORES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: gazetteer -> (name, kind) -> the curated site a name written as a site means, or None
_LOOSE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _table(g: Gazetteer) -> _Table:
    """The lookup table for a gazetteer, from the pickle cached beside its index when fresh."""
    t = _TABLES.get(g)
    if t is not None:
        return t
    path = _index_file(g._con)
    cache = path.with_name(f"{path.stem}.geoparse-v{_TABLE_VERSION}.pickle") if path else None
    if cache is not None and cache.exists():
        try:
            with open(cache, "rb") as fh:
                t = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            t = None
    if t is None:
        t = _build_table(g)
        if cache is not None:
            for old in cache.parent.glob("*.geoparse-v*.pickle"):
                old.unlink(missing_ok=True)
            _save(t, cache)
    _TABLES[g] = t
    return t


def _save(t: _Table, cache: Path) -> None:
    """Write the table whole or not at all (two processes may build it at once)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".geoparse-", suffix=".tmp")
    except OSError:
        return  # a read-only cache folder only costs the rebuild next time
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(t, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


# -- tokenising ----------------------------------------------------------------------------
class _Tok(NamedTuple):
    """One word.  A named tuple: an article has hundreds of thousands of them, made in C (see
    ``_tokens``) rather than by a Python constructor."""

    start: int
    end: int  # end of the word without a possessive 's
    text: str
    key: str  # normalize() of the word
    cap: bool  # starts with an upper-case letter (or is Arabic script / a code like K-1)
    initial: bool  # first word of its sentence
    possessive: bool
    sentence: int
    joined: bool  # may belong to one name with the next word (only spaces or a hyphen between)

    @property
    def upper(self) -> bool:
        """All upper case, two letters or more."""
        return len(self.text) >= 2 and self.text.isupper()


#: the key of a word (an article repeats its words: normalize each once)
_token_key = lru_cache(maxsize=200_000)(normalize)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at . ! ? before a space (not after an abbreviation)
    and at blank lines."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        cut = m.start()
        if text[cut:cut + 1] == ".":
            # (a word longer than every abbreviation is none: its last letters are enough to tell)
            word = _WORD_BEFORE.search(text, max(start, cut - _ABBREVIATION_LETTERS - 1), cut + 1)
            if word and word.group(1).casefold() in _ABBREVIATIONS:
                continue
        end = m.end()
        if _NON_SPACE.search(text, start, cut):
            spans.append((start, end))
            start = end
    if _NON_SPACE.search(text, start):
        spans.append((start, len(text)))
    return spans


def _tokens(text: str, sentences: list[tuple[int, int]], table: _Table) -> tuple[list[_Tok], list[int], set[int]]:
    """Every word with its folded key; the indices of the words a name of the table can begin
    with (capitalised, or an article); and the sentences written in Title Case or capitals
    (headlines), where capitals prove nothing.  Built column by column with C-level maps and
    arrays: a Python loop per word cost more than all the rest of the parse."""
    parts = _TOKEN_SPLIT.split(text)
    words = parts[1::2]
    n = len(words)
    edges = list(accumulate(map(len, parts)))  # where each word and each text between words ends
    starts, ends = edges[0:2 * n:2], edges[1::2]
    gaps = parts[2::2]  # the text after each word
    # (an article repeats its words and the text between them: each distinct one is looked at once)
    joins = {g: len(g) <= 3 and not g.strip(_JOINER_CHARS) and g.count("\n") <= 1 for g in set(gaps)}
    joined = list(map(joins.__getitem__, gaps))
    poss = [False] * n
    for m in _POSSESSIVE.finditer(text):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and ends[i] == m.end() and len(words[i]) > 3:
            # after a possessive the name ends ("Taji's gate")
            poss[i], joined[i] = True, False
            words[i] = words[i][:-2]
            ends[i] -= 2
    local = {w: _token_key(w) for w in set(words)}
    keys = list(map(local.__getitem__, words))
    capitalised = {w for w in local if w[0] in _CAPITALS}
    caps = list(map(capitalised.__contains__, words))
    # sentence k holds the words from cuts[k] to cuts[k + 1]
    cuts = [bisect_left(starts, s) for s, _ in sentences] + [n]
    sent = [-1] * cuts[0]
    initial = [False] * n
    for k in range(len(sentences)):
        sent.extend(repeat(k, cuts[k + 1] - cuts[k]))
        if cuts[k] < cuts[k + 1]:
            initial[cuts[k]] = True
    if n:
        initial[0] = True
    toks = list(map(tuple.__new__, repeat(_Tok), zip(starts, ends, words, keys, caps, initial, poss, sent, joined)))
    may_begin = list(compress(range(n), map(_beginnings(local, capitalised, table).__contains__, words)))
    return toks, may_begin, _headlines(words, local.keys() - capitalised, [0, *cuts])


def _beginnings(local: dict[str, str], capitalised: set[str], table: _Table) -> set[str]:
    """The words (``local``: word -> key) a name of the table can begin with: capitalised words
    that are names, prefixes of names or pending words, and articles in lower case."""
    names, prefixes = table.keys, table.prefixes
    return {w for w, k in local.items()
            if ((k in names or k in prefixes or k in _PENDING or len(k) == 1) if w in capitalised else k in ARTICLES)}


def _headlines(words: list[str], lower: set[str], bounds: list[int]) -> set[int]:
    """The sentences (-1: the words before the first) with three words of four letters or more,
    all capitalised (``lower``: the words that are not).  Sentence k holds the words from
    bounds[k + 1] to bounds[k + 2]; most have a long word in lower case early on, and only the
    others need their words counted."""
    lower = {w for w in lower if len(w) > 3}.__contains__
    out = set()
    for k, (a, b) in enumerate(zip(bounds, bounds[1:]), -1):
        if b - a >= 3 and not any(map(lower, words[a:b])) and sum(len(w) > 3 for w in words[a:b]) >= 3:
            out.add(k)
    return out


#: the characters that can begin a name: capital letters, digits (K-1) and Arabic script (which
#: has no case), of the Basic Multilingual Plane (beyond it, only historic scripts and
#: mathematical letters have case); a set look-up is faster than testing each word
_BMP = [chr(c) for c in range(0x10000)]
_CAPITALS = frozenset(filter(str.isupper, _BMP)) | frozenset(filter(str.isdigit, _BMP)) | frozenset(
    _BMP[0x0600:0x0900]) | frozenset(_BMP[0xFB50:0xFF00])
del _BMP


# -- finding windows --------------------------------------------------------------------------
@dataclass(slots=True)
class _Window:
    i: int  # first token of the name
    j: int  # last token of the name (inclusive)
    key: str
    hits: tuple[tuple[int, int], ...]
    lo: int = 0  # first token of the surface (with a kind word before the name)
    hi: int = 0  # last token of the surface (with a kind word after it)
    facts: _KeyFacts | None = None


def _window_keys(toks: list[_Tok]) -> str:
    """The strict key of consecutive tokens, folding as ``normalize`` does for the whole name."""
    return _key_of_words(tuple([t.text for t in toks]))


@lru_cache(maxsize=100_000)
def _key_of_words(texts: tuple[str, ...]) -> str:
    words: list[str] = []
    for t in texts:
        words.extend(_token_key(t).split())
    n = len(words)
    if any(w in _PENDING and w not in ARTICLES for w in words):
        return normalize(" ".join(texts))  # "military airport", "head quarters": the phrases
    out: list[str] = []
    for i, w in enumerate(words):
        if w in ARTICLES and i + 1 < n:
            continue
        if out and out[-1] == "air" and w in ("base", "field", "station", "strip"):
            out[-1] = "airbase"
            continue
        if out and w.isdigit() and len(out[-1]) == 1 and out[-1].isalpha():
            out[-1] += w
            continue
        out.append(w)
    return " ".join(out)


class _KeyFacts(NamedTuple):
    """What a window's words say on their own, wherever they are written (worked out once per
    spelling: an article names the same places again and again)."""

    month_day: bool  # a date: month or day names, and numbers ("October 6")
    kind_only: bool  # only kind words ("Air Base")
    code_only: bool  # a code (ISO, ICAO) that is no curated site's exact name
    bare: bool  # no kind word in the name
    common: bool  # only ordinary lower-case English words, kind words aside ("Hit", "Said")
    all_common: bool  # every word of the key an ordinary lower-case English word, kind words too
    curated: bool  # may be a curated military site
    inner_kind: str  # the last kind word inside the name ("Ain al-Asad Air Base": airbase)
    towns: tuple[tuple[tuple, int], ...]  # (place, pk) of the towns of exactly this name


def _key_facts(memo: dict, table: _Table, tokens: list[_Tok], w: _Window) -> _KeyFacts:
    sig = (w.key, *[t.key for t in tokens[w.i:w.j + 1]])
    facts = memo.get(sig)
    if facts is None:
        words = [k for t in tokens[w.i:w.j + 1] for k in t.key.split() if k not in ARTICLES]
        plain = [k for k in words if k not in GENERIC]
        facts = _KeyFacts(
            all(k in _MONTHS_DAYS or k.isdigit() for k in words) and any(k in _MONTHS_DAYS for k in words),
            all(k in GENERIC or k in _KIND_OF for k in words),
            w.key in table.codes and not any(table.places[pk][7] == "curated" for pk, how in w.hits if how == EXACT),
            not any(k in GENERIC for k in w.key.split()),
            bool(plain) and all(k in table.common for k in plain),
            table.common.issuperset(w.key.split()),
            any(table.places[pk][7] == "curated" for pk, _ in w.hits),
            next((k for k in reversed(words) if k in GENERIC), ""),
            tuple((table.places[pk], pk) for pk, how in w.hits
                  if how == EXACT and table.places[pk][1] in ("city", "town")),
        )
        if len(memo) < 100_000:
            memo[sig] = facts
    return facts


def _find_windows(text: str, tokens: list[_Tok], may_begin: list[int], table: _Table) -> Iterator[_Window]:
    """Leftmost-longest name windows that are keys of the table."""
    keys, prefixes = table.keys, table.prefixes
    n, i = len(tokens), 0
    for b in may_begin:
        if b < i:
            continue
        i = b
        t = tokens[i]
        # "al-Qaim", "at-Tanf", "al Asad" -- but not the English words "at", "as", "an" before a name
        lead_article = (t.key in ARTICLES and i + 1 < n and tokens[i + 1].cap and t.joined
                        and (t.text.casefold() in ("al", "el") or "-" in text[t.end:tokens[i + 1].start]))
        if not (t.cap or lead_article) or t.key in ARTICLES and not lead_article:
            i += 1
            continue
        if not lead_article and t.key not in keys and t.key not in prefixes and t.key not in _PENDING \
                and not (len(t.key) == 1 and i + 1 < n and tokens[i + 1].text.isdigit()):
            i += 1  # most capitalised words begin no place name at all
            continue
        best_j, best_key = -1, ""
        j = i
        simple = True  # no article, phrase word or code letter: the key is the words' keys joined
        key = ""
        while j < n and j - i < MAX_TOKENS:
            if j > i and not tokens[j - 1].joined:
                break
            tj = tokens[j]
            simple = simple and tj.key not in _PENDING and len(tj.key) > 1 and " " not in tj.key
            key = (tj.key if j == i else key + " " + tj.key) if simple else _window_keys(tokens[i:j + 1])
            if key in keys and not (j == i and lead_article):
                best_j, best_key = j, key
            if tokens[j].possessive or (key not in prefixes and tokens[j].key not in _PENDING):
                break
            j += 1
        if best_j < 0:
            i += 1
            continue
        yield _Window(i, best_j, best_key, keys[best_key], i, best_j)
        i = best_j + 1


# -- evidence -----------------------------------------------------------------------------------
def _kind_context(text: str, tokens: list[_Tok], w: _Window) -> str:
    """A kind word written beside the name, folded: "Camp X", "X air base", "the town of X"."""
    if w.facts.inner_kind:
        return w.facts.inner_kind
    j = w.j + 1
    if j < len(tokens) and tokens[w.j].joined and tokens[j].key.partition(" ")[0] in _KIND_LEAD:
        k = _window_keys(tokens[j:j + 2]).split()
        two = k[:2] == ["air", "bases"] or k[:2] == ["air", "fields"]
        if two:
            k = ["airbase"]
        elif k and k[0].endswith("s") and normalize(k[0][:-1]) in _KIND_AFTER:
            k = [normalize(k[0][:-1])]  # "the Conoco and Green Village bases", "Ain Issa outposts"
        if k and k[0] in _KIND_AFTER:
            w.hi = j + (1 if two or (k[0] == "airbase" and len(tokens[j].key.split()) == 1 and j + 1 < len(tokens)
                                     and tokens[j + 1].key in ("base", "field", "station", "strip")) else 0)
            return k[0]
        if k and k[0] in ("province", "countryside"):  # "Aleppo countryside": the governorate
            w.hi = j
            return "governorate"
    if w.i >= 1 and tokens[w.i - 1].key in _KIND_BEFORE and tokens[w.i - 1].joined:
        w.lo = w.i - 1
        return normalize(tokens[w.i - 1].text)
    if w.i >= 2 and tokens[w.i - 1].key in ("of", "at", "in"):
        k = _window_keys(tokens[max(0, w.i - 3):w.i - 1]).split()
        if k and (k[-1] in _KIND_OF or k[-1] == "province") and _unnamed(tokens, w.i - 2):
            return "governorate" if k[-1] == "province" else k[-1]
    return ""


_DETERMINERS = frozenset("a an the its their this that one another".split())


def _unnamed(tokens: list[_Tok], k: int) -> bool:
    """Whether the kind noun at token ``k`` heads an unnamed phrase ("an air base in Erbil"), not a
    name of its own ("the Mezzeh military airport in Damascus")."""
    for j in range(k - 1, max(-1, k - 5), -1):
        t = tokens[j]
        if t.key in _DETERMINERS or t.text.casefold() in _DETERMINERS:
            return True
        if t.cap and not t.upper and not t.initial:
            return False
    return False


def _attributive(text: str, tokens: list[_Tok], w: _Window) -> bool:
    """A name used as a modifier of forces or an actor: "US forces", "US-led", "IS-held"."""
    j = w.hi + 1
    if j >= len(tokens) or tokens[w.hi].possessive:
        return False
    if tokens[j].text.casefold() not in MODIFIED_NOUNS:
        return False
    gap = text[tokens[w.hi].end:tokens[j].start]
    return gap == "-" or gap.strip() == ""


def _owns_site(tokens: list[_Tok], w: _Window) -> bool:
    """A name with a site of its own after it ("Palmyra's military airport"): it names a place."""
    if not tokens[w.j].possessive:
        return False
    after = [t.key for t in tokens[w.j + 1:w.j + 4]]
    return any(k in _KIND_AFTER or k == "air" and nxt in ("base", "bases", "field") for k, nxt in
               zip(after, after[1:] + [""]))


def _person(tokens: list[_Tok], w: _Window, text: str) -> bool:
    """A name inside a person's name: after a title ("General Hassan"), or before a surname."""
    if w.i >= 1:
        prev = tokens[w.i - 1]
        if prev.key in PERSON_TITLES and prev.cap and _gap_ok(text, prev, tokens[w.i]):
            return True
    return False


def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
    gap = text[a.end:b.start]
    return len(gap) <= 2 and gap.strip(". ") == ""


def _longer_name(text: str, tokens: list[_Tok], w: _Window) -> bool:
    """The window is part of a longer capitalised name ("Hassan Nasrallah", "Green Zone")."""
    if w.lo >= 1:
        b = tokens[w.lo - 1]
        # (a heading on the line before, "MONDAY\nHabbaniya", is not part of the name)
        if (b.cap and b.joined and not b.possessive and b.key not in ARTICLES
                and not (b.initial and b.text.casefold() in _COMMON_STARTS)
                and "\n" not in text[b.end:tokens[w.lo].start]):
            return True
        # "Bashar al-Assad", "Hayat Tahrir al-Sham": a name with its article inside a longer one
        if b.key in ARTICLES and w.lo >= 2 and "-" in text[b.end:tokens[w.lo].start]:
            c = tokens[w.lo - 2]
            if c.cap and c.joined and not c.possessive and c.key not in ARTICLES and not c.initial:
                return True
    after = w.hi + 1
    if after < len(tokens) and not tokens[w.hi].possessive:
        a = tokens[after]
        gap = text[tokens[w.hi].end:a.start]
        # ("Harir - Several outlets": a spaced dash ends the name)
        if a.cap and tokens[w.hi].joined and a.key not in GENERIC and a.key not in _KIND_AFTER \
                and "\n" not in gap and not (" " in gap and "-" in gap):
            return True
    return False


#: capitalised words that begin sentences without being part of a name
_COMMON_STARTS = frozenset("the a an in at on by from near after before when while as during".split())


# -- resolving -----------------------------------------------------------------------------------
class _Doc:
    """What the article says about where it is: countries and governorates named, anchor places."""

    def __init__(self) -> None:
        self.countries: dict[str, int] = {}  # country code -> sentence count
        self.country_sentences: dict[int, set[str]] = {}
        self.admin_sentences: dict[int, set[tuple[str, str]]] = {}
        #: places certain on their own, in order: latitude, longitude, mention index
        self.anchor_lat: list[float] = []
        self.anchor_lon: list[float] = []
        self.anchor_idx: list[int] = []
        self.ranked: dict[int, list] = {}
        #: (mention index, candidate pk) -> km to the nearest anchor around the mention
        self.near: dict[tuple[int, int], float] = {}


def _base_scores(memo: dict, table: _Table, focus: frozenset[str], w: _Window, kind: str
                 ) -> list[tuple[float, int, str]]:
    """(score, pk, why) of each candidate before context: the gazetteer's own weights."""
    found = memo.get((w.key, kind))
    if found is None:
        found = _score_candidates(table, focus, w, kind)
        if len(memo) < 100_000:
            memo[(w.key, kind)] = found
    return found


def _score_candidates(table: _Table, focus: frozenset[str], w: _Window, kind: str) -> list[tuple[float, int, str]]:
    hinted = KIND_WORDS.get(kind, set()) if kind else set()
    out = []
    for pk, how in w.hits:
        pid, pkind, country, _a, _lat, _lon, prom, source, _pop = table.places[pk]
        score, why = MATCH_SCORES[how] + prom, ["exact name" if how == EXACT else "name without its kind word"]
        if table.name_keys.get(pk) == w.key:
            score += 2  # its own name, not one of its alternate names ("Ras al-Ain" is the Syrian town)
        if source == "curated":
            why.append("curated military site")
        if country in focus:
            score += 1.5
        if hinted:
            if pkind in hinted:
                score += 4
                why.append(f"kind word {kind!r} fits")
            else:
                score -= 4
        out.append((score, pk, "; ".join(why)))
    return out


def geoparse(text: str, *, debug: bool = False, gazetteer: Gazetteer | None = None,
             sentences: list[tuple[int, int]] | None = None) -> list[Mention]:
    """Every place mention in ``text``, in order, each resolved in the article's context.

    With ``debug`` the result also holds the candidates that were skipped (``skipped``
    true, ``place`` None) with the reason in ``note``.  ``sentences``: the text's
    ``sentence_spans``, when the caller has them already.
    """
    if not isinstance(text, str):
        raise TypeError(f"geoparse needs text (str), got {type(text).__name__}")
    if gazetteer is None:
        from . import default

        gazetteer = default()
    table = _table(gazetteer)
    with gc_paused():
        return _geoparse(text, debug, gazetteer, table, sentence_spans(text) if sentences is None else sentences)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Reading a text makes hundreds of thousands of small objects that all live to its end: the
    cyclic garbage collector would walk them again and again for nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _geoparse(text: str, debug: bool, gazetteer: Gazetteer, table: _Table, sentences: list[tuple[int, int]]
              ) -> list[Mention]:
    tokens, may_begin, headline = _tokens(text, sentences, table)
    focus = gazetteer.focus
    found: list[tuple[_Window, str, list[tuple[float, int, str]]]] = []
    skipped: list[Mention] = []

    scores = _SCORES.setdefault(table, {})
    facts = _FACTS.setdefault(table, {})
    for w in _find_windows(text, tokens, may_begin, table):
        w.facts = _key_facts(facts, table, tokens, w)
        kind = _kind_context(text, tokens, w)
        cands = _base_scores(scores, table, focus, w, kind)
        found.append((w, kind, cands))

    # first pass: what is certain on its own sets the article's context
    doc = _Doc()
    verdicts: list[str | None] = []
    for idx, (w, kind, cands) in enumerate(found):
        verdict = _screen(text, tokens, table, w, cands, headline)
        verdicts.append(verdict)
        if verdict is None:
            best = max(cands)
            p = table.places[best[1]]
            if _strong(table, w, kind, cands, best) and not (w.i == w.j and _longer_name(text, tokens, w)):
                _note_context(doc, tokens[w.i].sentence, p, idx, table)
    if not doc.countries:
        for c in focus:
            doc.countries[c] = 0
    doc.near = _nearest_anchors(doc, table, _distances_needed(doc, table, found, verdicts))

    for idx, (w, kind, cands) in enumerate(found):
        if verdicts[idx] is None:
            verdicts[idx] = _context_screen(table, w, kind, cands, doc, idx, text, tokens, headline)
    # one sense per article: a name accepted once is that place wherever it recurs
    accepted: dict[str, int] = {}
    for idx, (w, kind, cands) in enumerate(found):
        if verdicts[idx] is None:
            accepted.setdefault(w.key, _rank(table, w, kind, cands, doc, idx, tokens[w.i].sentence)[0][1])

    mentions: list[Mention] = []
    places = _PLACES.setdefault(gazetteer, {})
    for idx, (w, kind, cands) in enumerate(found):
        surface_start, surface_end = tokens[w.lo].start, tokens[w.hi].end
        surface = text[surface_start:surface_end]
        verdict = verdicts[idx]
        # one sense per article: a name taken for a place once is that place where it recurs
        again = verdict is not None and verdict.startswith(_RECURS) and w.key in accepted
        if verdict is not None and not again:
            if debug:
                skipped.append(Mention(surface, surface_start, surface_end, note=f"skipped: {verdict}",
                                       skipped=True, key=w.key, kind_word=kind))
            continue
        ranked = _rank(table, w, kind, cands, doc, idx, tokens[w.i].sentence)
        if again:
            ranked = [c for c in ranked if c[1] == accepted[w.key]] + [c for c in ranked if c[1] != accepted[w.key]]
        score, pk, facts = ranked[0]
        why = _why(facts)
        if again:
            why += "; the same name is this place elsewhere in the article"
        place = _place(gazetteer, places, pk)
        alts = tuple((_place(gazetteer, places, p2), s2) for s2, p2, _ in ranked[1:3])
        mentions.append(Mention(surface, surface_start, surface_end, place, score, why, alts, kind, key=w.key))
    mentions.extend(_unknown_sites(text, mentions, table, gazetteer))
    if debug:
        mentions.extend(skipped)
    mentions.sort(key=lambda m: (m.start, m.skipped))
    return mentions


def _screen(text: str, tokens: list[_Tok], table: _Table, w: _Window, cands, headline: set[int]) -> str | None:
    """Why a window is not a place mention (None when nothing speaks against it yet)."""
    first = tokens[w.i]
    facts = w.facts
    if facts.month_day:
        return "a month or day name"
    if facts.kind_only:
        return "a kind word, not a name"
    best = max(cands)
    bp = table.places[best[1]]
    if _attributive(text, tokens, w) and (bp[1] in _AREA_KINDS or first.upper):
        return "names an actor (used as a modifier, e.g. 'US forces')"
    if w.hi + 1 < len(tokens) and tokens[w.hi + 1].key in _RULED and bp[1] not in _AREA_KINDS:
        return "a ruler's name ('the Assad government')"
    if facts.code_only:
        if bp[1] != "country" or not (first.upper and _prep_before(text, tokens, w)):
            return "a country or airport code, not written as a place"
    if _person(tokens, w, text):
        return "part of a person's name (after a title)"
    if bp[1] not in _AREA_KINDS and _HIS_AFTER.match(text, tokens[w.hi].end):
        return "a person's name ('X and his family')"
    if w.hi + 1 < len(tokens) and tokens[w.hi + 1].key in _SPEECH and not tokens[w.hi].possessive \
            and (bp[1] in _SITE_KINDS or bp[6] < 2.5) and not _prep_before(text, tokens, w) \
            and facts.bare:
        return "a speaker, not a place ('X said')"
    if first.upper and len(first.text) <= 3 and w.i == w.j and bp[7] != "curated" \
            and not (w.i >= 1 and tokens[w.i - 1].key == "the" and bp[1] in _AREA_KINDS):
        return "a short capitalised abbreviation, not written as a place ('the US' would be)"
    if w.lo == w.i and w.hi == w.j and bp[1] not in _AREA_KINDS \
            and (bp[6] < 2.5 or (bp[7] == "curated" and facts.bare)) \
            and first.sentence not in headline and _longer_name(text, tokens, w):
        return "part of a longer name"
    return None


_ARTICLES_THE = ARTICLES | {"the"}
#: verdicts that a name accepted elsewhere in the article overrules
_RECURS = ("a common word", "far from")


def _prep_before(text: str, tokens: list[_Tok], w: _Window) -> bool:
    """A locative word right before the name ("in Hit", "near the town of", "captured Hit")."""
    k = w.lo - 1
    while k >= 0 and tokens[k].key in _ARTICLES_THE:
        k -= 1
    if k < 0:
        return False
    key = tokens[k].text.casefold()
    if key not in LOCATIVE and not (key == "of" and k >= 1 and tokens[k - 1].text.casefold() in _OF_PLACE):
        return False
    # punctuation between: "left; the JOC said"
    return not text[tokens[k].end:tokens[w.lo].start].strip(" -\u00a0").replace("the", "").strip(" -")


#: words that make "of" locative ("north of Hit", "the fall of Mosul")
_OF_PLACE = frozenset("north south east west northwest northeast southwest southeast outskirts city town village "
                      "province governorate district fall control out".split())


def _strong(table: _Table, w: _Window, kind: str, cands, best) -> bool:
    """A mention certain enough to set the article's context on its own."""
    p = table.places[best[1]]
    if len(cands) > 1 and sorted(cands)[-2][0] > best[0] - 3:
        return False
    if w.facts.all_common:
        return False
    return p[1] in _AREA_KINDS or p[7] == "curated" or p[8] >= 100_000 or w.j > w.i or bool(kind)


def _distances_needed(doc: _Doc, table: _Table, found: list, verdicts: list[str | None]) -> list[tuple[int, int]]:
    """(mention index, candidate pk) of the distances ``_rank`` and ``_context_screen`` read: every
    candidate of a name of several places, and a sole candidate only outside the article's countries."""
    countries, places = doc.countries, table.places
    return [(idx, pk) for idx, (_w, _k, cands) in enumerate(found) if verdicts[idx] is None
            for _s, pk, _y in cands if len(cands) > 1 or places[pk][2] not in countries]


def _note_context(doc: _Doc, sentence: int, p: tuple, idx: int, table: _Table) -> None:
    pid, kind, country = p[0], p[1], p[2]
    doc.countries[country] = doc.countries.get(country, 0) + 1
    if kind == "country":
        doc.country_sentences.setdefault(sentence, set()).add(country)
    elif kind == "governorate" and pid in table.admin1_of_region:
        doc.admin_sentences.setdefault(sentence, set()).add(table.admin1_of_region[pid][:2])
    if kind != "country":
        doc.anchor_lat.append(p[4])
        doc.anchor_lon.append(p[5])
        doc.anchor_idx.append(idx)


def _nearest_anchors(doc: _Doc, table: _Table, queries: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """Distance (km) from each candidate place ``pk`` of mention ``idx`` to the nearest anchor
    among the mentions around it, itself left out: a long text's context is local, the places of
    the same story, not of the whole file.  All queries at once, as arrays, a block at a time."""
    out: dict[tuple[int, int], float] = {}
    if not queries or not doc.anchor_idx:
        return dict.fromkeys(queries, math.inf)
    at = np.asarray(doc.anchor_idx)
    a_lat, a_lon = np.asarray(doc.anchor_lat), np.asarray(doc.anchor_lon)
    for b in range(0, len(queries), _BLOCK):
        block = queries[b:b + _BLOCK]
        idx = np.fromiter(map(itemgetter(0), block), dtype=np.int64, count=len(block))
        rows = list(map(table.places.__getitem__, map(itemgetter(1), block)))
        lat = np.fromiter(map(itemgetter(4), rows), dtype=float, count=len(block))[:, None]
        lon = np.fromiter(map(itemgetter(5), rows), dtype=float, count=len(block))[:, None]
        lo = np.searchsorted(at, idx - CONTEXT_MENTIONS, side="right")
        hi = np.searchsorted(at, idx + CONTEXT_MENTIONS, side="right")
        cols = lo[:, None] + np.arange(max(1, int((hi - lo).max())))
        valid = cols < hi[:, None]
        cols = np.minimum(cols, len(at) - 1)
        valid &= at[cols] != idx[:, None]
        # an equirectangular distance: exact enough at the scale of "same story" (tens of km)
        d2 = (a_lat[cols] - lat) ** 2 + ((a_lon[cols] - lon) * np.cos(np.radians(lat))) ** 2
        d2[~valid] = np.inf
        out.update(zip(block, (111.2 * np.sqrt(d2.min(axis=1))).tolist()))
    return out


def _context_screen(table: _Table, w: _Window, kind: str, cands, doc: _Doc, idx: int, text: str,
                    tokens: list[_Tok], headline: set[int]) -> str | None:
    """Evidence a weak window needs: common words and far-away places must earn their place."""
    first = tokens[w.i]
    ranked = _rank(table, w, kind, cands, doc, idx, first.sentence)
    p = table.places[ranked[0][1]]
    in_context = doc.countries.get(p[2]) is not None or doc.near[idx, ranked[0][1]] <= FAR_KM
    if w.facts.common:
        cap = first.cap and not first.initial and first.sentence not in headline
        prep = _prep_before(text, tokens, w) or _owns_site(tokens, w)
        curated = w.facts.curated
        # a kind word of the name itself ("Old City") says nothing: only one written beside it
        if (kind and not w.facts.inner_kind and (in_context or prep)) or (curated and w.j > w.i):
            return None
        if curated and p[7] == "curated" and cap:
            return None
        if cap and in_context and (prep or w.j > w.i) or cap and prep and w.i == w.j:
            return None
        if cap and in_context and (p[1] in _AREA_KINDS or p[8] >= TOWN_POPULATION):
            return None  # "Palmyra", capitalised mid-sentence in a report on Syria: the town
        why = "a common word" + (" at the start of a sentence" if first.initial else
                                 " in a headline" if first.sentence in headline else "")
        return f"{why} with no kind word, locative preposition or known site beside it"
    if not in_context and p[1] != "country" and w.i == w.j and _longer_name(text, tokens, w):
        return "part of a longer name, and far from the article's places"
    if p[1] == "country" or in_context or kind or p[7] == "curated" or _prep_before(text, tokens, w) \
            or _owns_site(tokens, w):
        return None
    return f"far from the article's other places, and nothing marks it as a place: {p[0]} ({p[2]})"


def _rank(table: _Table, w: _Window, kind: str, cands, doc: _Doc, idx: int, sentence: int):
    """Candidates with the article's context added, best first."""
    if idx not in doc.ranked:
        doc.ranked[idx] = _rank_uncached(table, w, kind, cands, doc, idx, sentence)
    return doc.ranked[idx]


#: what a sentence with no country or governorate named holds (no empty set made per mention)
_NONE: frozenset = frozenset()


def _rank_uncached(table: _Table, w: _Window, kind: str, cands, doc: _Doc, idx: int, sentence: int):
    named_countries = doc.country_sentences.get(sentence, _NONE) | doc.country_sentences.get(sentence - 1, _NONE)
    named_admins = doc.admin_sentences.get(sentence, _NONE) | doc.admin_sentences.get(sentence - 1, _NONE)
    out = []
    bare_towns = w.facts.towns
    for score, pk, why in cands:
        _pid, pkind, country, admin1, lat, lon, _prom, source, _pop = table.places[pk]
        # the reasons are put into words only for the candidate that is shown (see _why)
        named = country in named_countries
        if named:
            score += 8
        elif doc.countries.get(country):
            score += 3
        admin = bool(named_admins) and pkind not in _AREA_KINDS and any(
            country == c and (admin1 == code or _admin_name_matches(table, admin1, c, code))
            for c, code in named_admins)
        if admin:
            score += 6
        d = doc.near[idx, pk] if len(cands) > 1 else math.inf
        if d < math.inf:
            score += 5 * math.exp(-d / 150)
        if source == "curated" and not kind:
            # "Manbij" alone is the town; the outpost needs its kind word
            for tp, tpk in bare_towns:
                if tpk != pk and haversine_km(lat, lon, tp[4], tp[5]) < 50:
                    score -= 12
                    break
        out.append((score, pk, (why, country, named, bool(doc.countries.get(country)), admin, d)))
    if len(out) > 1:
        out.sort(key=lambda c: (-c[0], -table.places[c[1]][8], table.places[c[1]][0]))
    return out


def _why(facts: tuple[str, str, bool, bool, bool, float]) -> str:
    """The reasons of a ranked candidate, in words."""
    why, country, named, about, admin, d = facts
    reasons = [why]
    if named:
        reasons.append(f"{country} named nearby")
    elif about:
        reasons.append(f"article is about {country}")
    if admin:
        reasons.append("its governorate named nearby")
    if d < 150:
        reasons.append(f"{d:.0f} km from other places in the article")
    return "; ".join(reasons)


def _admin_name_matches(table: _Table, admin1: str, country: str, code: str) -> bool:
    """Curated sites store the governorate's name ("Anbar"); GeoNames stores its code ("01")."""
    if not admin1 or admin1.isdigit():
        return False
    for c, cd, names in table.admin1_of_region.values():
        if c == country and cd == code:
            return core(normalize(admin1)) in names
    return False


def _place(g: Gazetteer, memo: dict[int, Place], pk: int) -> Place:
    p = memo.get(pk)
    if p is None:
        p = memo[pk] = row_to_place(g._con.execute("SELECT * FROM places WHERE pk=?", (pk,)).fetchone())
    return p


#: (every match begins with a capital: the look-ahead lets the engine skip to the next one quickly;
#: a word and the spaces after it are taken whole, never given back)
_UNKNOWN_SITE = re.compile(
    r"(?=[A-Z])(?:\b(?P<before>Camp|Fort|FOB|Forward Operating Base|Combat Outpost|Patrol Base)\s+"
    r"((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+){0,2})"
    r"|\b((?:[A-Z][\w'’-]++\s++){1,3})(?P<after>(?i:air\s+base|airbase|air\s+field|airfield|military\s+airport|base))\b)"
)
#: a site written as such ("Hmeymin air base") found by a looser spelling must score this much
LOOSE_SITE_SCORE = 95.0


def _loose_site(gazetteer: Gazetteer, name: str, kind: str) -> Candidate | None:
    """The curated site a name written as a site means by a looser spelling, if the gazetteer is sure
    (a fuzzy look-up costs milliseconds, and reports repeat their names)."""
    memo = _LOOSE.setdefault(gazetteer, {})
    if (name, kind) not in memo:
        found = next(iter(gazetteer.candidates(name, kind=kind, limit=1)), None)
        ok = found is not None and found.place.source == "curated" and found.score >= LOOSE_SITE_SCORE
        if len(memo) < 10_000:
            memo[name, kind] = found if ok else None
        return found if ok else None
    return memo[name, kind]


def _unknown_sites(text: str, mentions: list[Mention], table: _Table, gazetteer: Gazetteer) -> Iterable[Mention]:
    """Military sites written as such ("Camp Lemonnier", "Hmeymin air base") that no strict key
    found: a curated site by a looser spelling when the gazetteer is sure of one, else a site
    the gazetteer does not know."""
    starts = [m.start for m in mentions]
    for m in _UNKNOWN_SITE.finditer(text):
        s, e = m.span()
        name = (m.group(2) or m.group(3) or "").strip()
        first = name.split()[0] if name else ""
        k = bisect_right(starts, e) - 1
        if not name or (k >= 0 and mentions[k].end > s) or (k >= 1 and mentions[k - 1].end > s):
            continue
        if normalize(first) in table.common or first.casefold() in _COMMON_STARTS \
                or first.endswith(("i", "ian", "ish")):
            continue  # "the Iraqi air base", "The base": not a name
        kind = "base" if m.group("before") or m.group("after").casefold() == "base" else "airbase"
        found = _loose_site(gazetteer, name, kind)
        if found is not None:
            yield Mention(text[s:e], s, e, found.place, found.score, f"{found.reason}; written as a {kind}",
                          kind_word=kind, key=normalize(name))
        else:
            yield Mention(text[s:e], s, e, None, None, "a military site the gazetteer does not know",
                          kind_word="base")
