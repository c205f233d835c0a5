"""Name folding: the one place where spellings of a place become comparable keys.

Reporting on Iraq and Syria spells one place many ways (Ain al-Asad, Ayn al-Assad,
'Ayn al Asad, عين الأسد). Two keys absorb that:

* ``normalize`` -- a strict key: case, diacritics, punctuation, articles and known
  spelling families folded, word order kept.  Equal strict keys mean "same name".
* ``skeleton`` -- a loose consonant key that also matches transliterations nobody
  listed (Dayr/Deir, Zawr/Zour, Arabic script against Latin).  It is a fallback.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

#: Arabic definite articles and their assimilated forms, as separate tokens.
ARTICLES = frozenset(
    "al el il ul ad ed as es ar er az ez at et an en ash esh adh ath ats l".split()
)

#: Whole-token spelling families: variant -> canonical.
FAMILIES = {
    "ayn": "ain", "ein": "ain", "ayin": "ain", "aen": "ain",
    "dayr": "deir", "dair": "deir", "der": "deir", "dyr": "deir",
    "zour": "zor", "zawr": "zor", "zur": "zor", "zaur": "zor",
    "hq": "headquarters",
    "airbase": "airbase", "ab": "airbase", "afb": "airbase", "airfield": "airbase",
    "aerodrome": "airbase", "airstrip": "airbase",
    "intl": "international",
    "gov": "governorate", "govt": "governorate", "muhafazat": "governorate",
    "province": "governorate", "wilayat": "governorate",
    "mt": "mount", "jabal": "jebel", "jabel": "jebel",
}

#: Multi-word families, applied before tokenising families.
PHRASES = (
    (re.compile(r"\bair (?:base|field|station|strip)\b"), "airbase"),
    (re.compile(r"\bmilitary (?:airport|air ?field|airbase)\b"), "airbase"),
    (re.compile(r"\bhead ?quarters?\b"), "headquarters"),
    (re.compile(r"\bcommand centre\b"), "command center"),
)

_DOUBLE = re.compile(r"([a-z])\1+")

#: Words that name what kind of place it is rather than which one.
GENERIC = frozenset(
    _DOUBLE.sub(r"\1", w)
    for w in "airbase base camp garrison headquarters airport international outpost fob cop "
    "range governorate region city town district village military complex station "
    "landing zone lz site compound facility".split()
)

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ئ": "ي", "ؤ": "و",
        "ة": "ه", "ـ": None, "ک": "ك", "ی": "ي", "ە": "ه", "ۆ": "و", "ێ": "ي",
    }
)
_ARABIC_MARKS = re.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED]")
_APOSTROPHES = re.compile(r"['`´’‘ʻʼʿʾ′]")
_NON_WORD = re.compile(r"[^0-9a-z\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF ]+")
_SPACES = re.compile(r"\s+")
_VOWELS = re.compile(r"[aeiouyw]")
_TA_MARBUTA = re.compile(r"(?<=[^aeiou])[ae]h$")


def _fold_arabic(text: str) -> str:
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    # the article is written joined to its word: الأسد -> أسد
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in text.split())


def _tokens(text: str) -> list[str]:
    """Case- and accent-free tokens, Arabic script kept (folded), articles dropped."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    if _ARABIC.search(text):
        text = _fold_arabic(text)
    else:
        text = anyascii(text) if not text.isascii() else text
    text = _APOSTROPHES.sub("", text.casefold())
    text = text.replace("-", " ").replace("_", " ").replace("/", " ")
    # K-1, Q-West, T-4: a letter joined to a number or word by a hyphen is one token
    text = _NON_WORD.sub(" ", text)
    for pattern, repl in PHRASES:
        text = pattern.sub(repl, text)
    words = [FAMILIES.get(w, w) for w in _SPACES.split(text.strip()) if w]
    kept = [w for i, w in enumerate(words) if not (w in ARTICLES and i + 1 < len(words))]
    return kept


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """The strict comparison key of a name ('' for a name with no letters)."""
    words = _tokens(name)
    words = [_fold_latin(w) if w.isascii() else w for w in words]
    return _join_codes(words)


def _fold_latin(word: str) -> str:
    """Doubled letters and the spellings of a final ta marbuta (-ah, -eh) folded."""
    word = _DOUBLE.sub(r"\1", word)
    if len(word) >= 4 and not word.isdigit():
        word = _TA_MARBUTA.sub("a", word)
    return word


def _join_codes(words: list[str]) -> str:
    """Join a lone letter to the number after it (K 1 -> k1, T 4 -> t4)."""
    out: list[str] = []
    for w in words:
        if out and w.isdigit() and len(out[-1]) == 1 and out[-1].isalpha():
            out[-1] += w
        else:
            out.append(w)
    return " ".join(out)


def core(key: str) -> str:
    """A strict key without the words that only say what kind of place it is."""
    words = [w for w in key.split() if w not in GENERIC]
    return " ".join(words)


def kind_words(key: str) -> frozenset[str]:
    """The generic words of a strict key (used as a kind hint)."""
    return frozenset(w for w in key.split() if w in GENERIC)


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """A loose consonant key: vowels, semivowels and doubled letters dropped, q=k.

    Arabic script is transliterated first, so عين الأسد and Ain al-Asad share
    the skeleton ``n sd``.  Keys with fewer than two consonants are too loose
    to be useful and come back empty.
    """
    key = core(normalize(name))
    if _ARABIC.search(key):
        key = anyascii(key).casefold()
        key = _APOSTROPHES.sub("", key)
    out = []
    for w in key.split():
        if not w.isascii():
            continue
        w = re.sub(r"(?<=[aeiou])h\b", "", w)  # Hasakah / Hasaka, Raqqah / Raqqa
        w = w.replace("q", "k").replace("ph", "f").replace("ou", "u").replace("ck", "k")
        w = _DOUBLE.sub(r"\1", _VOWELS.sub("", w[1:]) if w[0] in "aeiouyw" else _VOWELS.sub("", w))
        if w:
            out.append(w)
    result = " ".join(out)
    return result if sum(len(w) for w in out) >= 2 else ""
