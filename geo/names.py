"""Name folding: the one place where spellings of a place become comparable keys.

Reporting on Iraq and Syria spells one place many ways (Ain al-Asad, Ayn al-Assad,
'Ayn al Asad, عين الأسد). Three keys absorb that, from strict to loose:

* ``normalize`` -- the strict key: case, diacritics, punctuation, articles and known
  spelling families folded, word order kept.  Equal strict keys mean "same name".
* ``folded`` -- the strict key with the vowel spellings of transliteration folded
  (Heet/Hit, Beiji/Baiji/Bayji, Qamishlo/Qamishli, Erbil/Irbil/Arbil): "same name,
  another transliteration".
* ``skeleton`` -- a loose consonant key that also matches transliterations nobody
  listed (Zakho/Zaxo, Arabic script against Latin).  It is a fallback.
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
#: apostrophes and ayn/hamza signs vanish; hyphens, underscores and slashes separate words
_PUNCT = str.maketrans({**dict.fromkeys("'`´’‘ʻʼʿʾ′", None), "-": " ", "_": " ", "/": " "})
_NON_WORD = re.compile(r"[^0-9a-z\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF ]+")
_TA_MARBUTA = re.compile(r"(?<=[^aeiou])[ae]h$")
_DIGIT = re.compile(r"\d")


def _fold_arabic(text: str) -> str:
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    # the article is written joined to its word: الأسد -> أسد
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 3 else w for w in text.split())


#: Arabic and Kurdish kind words (written before the name) -> the generic word they mean,
#: so that قاعدة عين الأسد الجوية ("Ain al-Asad air base") keeps only the name as its core
ARABIC_KINDS = {
    _fold_arabic(w): g
    for ws, g in (
        ("قاعدة بنكە بنكەی", "base"), ("مطار فڕۆکەخانە فڕۆکەخانەی", "airport"), ("معسكر", "camp"),
        ("محافظة پارێزگا پارێزگای", "governorate"), ("مدينة شار شاری", "city"), ("بلدة", "town"),
        ("الجوية", "airbase"), ("العسكري العسكرية", "military"), ("الدولي", "international"),
        ("إقليم هەرێم هەرێمی", "region"), ("قضاء ناحية", "district"),
    )
    for w in ws.split()
}


def _latin(text: str) -> str:
    """ASCII letters for a name in another script; accents are stripped fast (Ḩadīthah)."""
    decomposed = unicodedata.normalize("NFKD", text)
    if all(unicodedata.combining(c) for c in decomposed if not c.isascii()):
        return decomposed.encode("ascii", "ignore").decode()
    return anyascii(text)


_WORD_FAMILY = {**ARABIC_KINDS, **FAMILIES}


def _tokens(text: str) -> list[str]:
    """Case- and accent-free tokens, Arabic script kept (folded), articles dropped."""
    if not text:
        return []
    if text.isascii():  # the common case, kept cheap: only ' and ` vanish before punctuation splits
        text = _NON_WORD.sub(" ", text.lower().replace("'", "").replace("`", ""))
    else:
        text = unicodedata.normalize("NFKC", text)
        if _ARABIC.search(text):
            text = _fold_arabic(text)
            if not text.isascii():  # a Latin word beside the Arabic one keeps its letters
                text = "".join(c if c.isascii() or _ARABIC.match(c) else anyascii(c) for c in text)
        else:
            text = _latin(text)
        text = _NON_WORD.sub(" ", text.casefold().translate(_PUNCT))
    if "air" in text or "head" in text or "centre" in text:  # the words the phrases start with
        for pattern, repl in PHRASES:
            text = pattern.sub(repl, text)
    words = [_WORD_FAMILY.get(w, w) for w in text.split()]
    last = len(words) - 1
    return [w for i, w in enumerate(words) if i == last or w not in ARTICLES]


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """The strict comparison key of a name ('' for a name with no letters)."""
    words = [_fold_latin(w) if w.isascii() else w for w in _tokens(name)]
    return _join_codes(words) if _DIGIT.search(name) else " ".join(words)


@lru_cache(maxsize=16384)
def _fold_latin(word: str) -> str:
    """Doubled letters and the spellings of a final ta marbuta (-ah, -eh) folded."""
    word = _DOUBLE.sub(r"\1", word)
    if len(word) >= 4 and word[-1] == "h":
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


_DIPHTHONG = re.compile(r"ee|oo|ou|[ae][iy]|ck|q")
_DIPHTHONGS = {"ee": "i", "oo": "u", "ou": "u", "ai": "ay", "ay": "ay", "ei": "ay", "ey": "ay", "ck": "k", "q": "k"}
_VOWEL_RUN = re.compile(r"[aeiou]+")


#: y written for the vowel i: between consonants (Syria), or before the vowel that ends -iya (Suriya)
_Y_VOWEL = re.compile(r"(?<![aeiou])y(?![aeiou])|(?<=i)y(?=[aeiou])")


@lru_cache(maxsize=16384)
def _fold_word(word: str) -> str:
    if not word.isascii() or word in GENERIC or word.isdigit():
        return word
    if "y" in word:
        word = _Y_VOWEL.sub("i", word)
    word = _DIPHTHONG.sub(lambda m: _DIPHTHONGS[m.group()], word)
    return _DOUBLE.sub(r"\1", _VOWEL_RUN.sub("a", word))


def folded(key: str) -> str:
    """A strict key with transliteration vowels folded and its spaces dropped: every vowel
    run is one ``a``, ee/oo/ou and the diphthongs ai/ei/ey/ay read alike, y written for i
    is a vowel (Syria, Suriya), and q is k.

    Heet and Hit, Beiji and Bayji, Qamishlo and Kamishli, Irbil and Erbil, Tal Afar and
    Talafar share it.
    """
    return "".join(_fold_word(w) for w in key.split())


_ANY_VOWEL = str.maketrans(dict.fromkeys("eiouy", "a"))


def vowel_blind(key: str) -> str:
    """A strict key with its spaces dropped and every vowel (and y) read as ``a``, each in its
    place: two spellings that differ only in vowels are equal, but unlike ``folded`` a vowel
    written double or a syllable more still counts (Nowhere is not Nahariya)."""
    return key.replace(" ", "").translate(_ANY_VOWEL)


_DIGRAPHS = re.compile(r"kh|gh|sh|ch|th|dh|zh|ph|ck|[qx]")
_DIGRAPH = {"kh": "k", "gh": "g", "sh": "s", "ch": "s", "th": "t", "dh": "d", "zh": "z", "ph": "f", "ck": "k",
            "q": "k", "x": "k"}
_FINAL_H = re.compile(r"(?<=[aeiou])h\b")
_VOWELS = re.compile(r"[aeiouyw]")


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """A loose consonant key: vowels, semivowels and doubled letters dropped, q=k, x=kh=k.

    Arabic script is transliterated first, so عين الأسد and Ain al-Asad share
    the skeleton ``n sd``.  Keys with fewer than two consonants are too loose
    to be useful and come back empty.
    """
    return skeleton_of(core(normalize(name)))


def skeleton_of(key: str) -> str:
    """``skeleton`` of a name whose core strict key is already known."""
    if _ARABIC.search(key):
        key = anyascii(key).casefold().translate(_PUNCT)
    out = [s for s in map(_skeleton_word, key.split()) if s]
    return " ".join(out) if sum(map(len, out)) >= 2 else ""


@lru_cache(maxsize=65536)
def _skeleton_word(word: str) -> str:
    if not word.isascii():
        return ""
    word = _DIGRAPHS.sub(lambda m: _DIGRAPH[m.group()], _FINAL_H.sub("", word))  # Hasakah / Hasaka
    return _DOUBLE.sub(r"\1", _VOWELS.sub("", word))
