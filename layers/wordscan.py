"""``finditer`` for large alternations of phrases, tried only where a phrase can begin.

Python's regex engine tries every branch of an alternation at every character, so a
pattern of a few hundred phrases (actor aliases, trigger verbs, date expressions) is slow
on long texts.  A phrase can only begin at a word, and only at a few words: the heads of
a pattern, read off its parsed form, list the words a match can begin with and the
words that may follow each ("the" only before "same", "day", "previous", ...).
``scan`` looks the words of the text up in that table and tries the pattern only where
both fit, so it finds exactly what ``finditer`` finds.

An ``Alternation`` goes one step further for a pattern made of many branches: at a word it
tries only the branches that can begin with that word (in their order, so the branch that
wins is the one that would have won in the whole pattern).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate, compress
from re import _constants as sre
from re import _parser

#: the words ``scan`` reads: runs of Latin letters, or of digits (split out with what lies between)
_SPLIT = re.compile(r"([A-Za-z]+|\d+)")
#: what every number stands for in the table
NUMBER = "0"
#: the table's mark for "any word may follow"
ANY = None

Heads = dict[str, "set[str] | None"]


class _Unlisted(Exception):
    """A match may begin with something that is not a listed word."""


def heads(pattern: re.Pattern) -> Heads | None:
    """First word -> the second words that may follow it (``ANY``: whatever follows), for
    every match of ``pattern``; None when a match may begin otherwise (with a class of
    letters, a non-Latin letter, punctuation), as a table could then miss it."""
    table: Heads = {}
    try:
        _walk(tuple(_parser.parse(pattern.pattern, pattern.flags)), ("",), table, False)
    except _Unlisted:
        return None
    return table


class Words:
    """The words of a text, or of a part of it, found once and shared by every scan over it
    (an ingester scans each report for dates, triggers and actors, sentence by sentence)."""

    def vocabulary(self, start: int, end: int) -> set[str]:
        """The keys of the words that begin in ``start:end``."""
        return set(self.keys[bisect_left(self.starts, start):bisect_left(self.starts, end)])

    def __init__(self, text: str, start: int = 0, end: int | None = None) -> None:
        self.start, self.end = start, len(text) if end is None else end
        parts = _SPLIT.split(text[self.start:self.end])
        words = parts[1::2]
        self.starts = [start + at for at in list(accumulate(map(len, parts)))[0::2][:len(words)]]
        self.keys = list(map(str.lower, words))
        for i in compress(range(len(words)), map(str.isdigit, words)):
            self.keys[i] = NUMBER


class Alternation:
    """A pattern of many branches (``prefix(?:b1|b2|...)suffix``), compiled whole and, per word
    a match can begin with, with only the branches that can begin with it."""

    def __init__(self, branches: list[str], flags: int = 0, prefix: str = "", suffix: str = "") -> None:
        def compiled(bs: list[str]) -> re.Pattern:
            return re.compile(f"{prefix}(?:{'|'.join(bs)}){suffix}", flags)

        self.whole = compiled(branches)
        self.table: Heads | None = {}
        by_word: dict[str, list[str]] = {}
        for b in branches:
            own = heads(compiled([b]))
            if own is None:  # a branch that may begin anywhere: the whole pattern at every character
                self.table, by_word = None, {}
                break
            for first, seconds in own.items():
                by_word.setdefault(first, []).append(b)
                _merge(self.table, first, seconds)
        self.by_word = {w: compiled(bs) for w, bs in by_word.items()}
        #: the words a match can begin with (None: anywhere)
        self.heads: frozenset[str] | None = None if self.table is None else frozenset(self.table)

    @staticmethod
    def of(pattern: re.Pattern) -> Alternation:
        """The alternation of a compiled pattern's top-level branches (made once per pattern; looked
        up by identity, as hashing a compiled pattern hashes all its code, microseconds a call)."""
        got = _OF.get(id(pattern))
        if got is None or got[0] is not pattern:
            if len(_OF) > 256:
                _OF.clear()
            got = _OF[id(pattern)] = (pattern, alternation(tuple(_top_branches(pattern.pattern)), pattern.flags))
        return got[1]

    def finditer(self, text: str, start: int = 0, end: int | None = None, words: Words | None = None
                 ) -> Iterator[re.Match]:
        """``self.whole.finditer(text, start, end)``, each word tried with its own branches."""
        return scan(self.whole, self.table, text, start, end, words, self.by_word)


def search(pattern: re.Pattern, text: str, start: int = 0, end: int | None = None, words: Words | None = None,
           vocabulary: set[str] | None = None) -> re.Match | None:
    """``pattern.search(text, start, end)``, tried only at the words a match can begin with.

    ``vocabulary``: the words (as ``Words`` keys them) of a stretch holding ``start:end``, such as
    its sentence, when the caller searches it again and again: a pattern that can begin with none
    of them is not tried at all."""
    alt = Alternation.of(pattern)
    if vocabulary is not None and alt.heads is not None and vocabulary.isdisjoint(alt.heads):
        return None
    return next(scan(alt.whole, alt.table, text, start, end, words, alt.by_word), None)


#: id of a compiled pattern -> (the pattern, its alternation)
_OF: dict[int, tuple[re.Pattern, Alternation]] = {}


@lru_cache(maxsize=32)
def alternation(branches: tuple[str, ...], flags: int = 0, prefix: str = "", suffix: str = "") -> Alternation:
    """The ``Alternation`` of these branches, made once: working out its table parses every branch,
    which costs a lexicon of a few hundred aliases a good part of a second."""
    return Alternation(list(branches), flags, prefix, suffix)


def scan(pattern: re.Pattern, table: Heads | None, text: str, start: int = 0, end: int | None = None,
         words: Words | None = None, by_word: dict[str, re.Pattern] | None = None) -> Iterator[re.Match]:
    """``pattern.finditer(text, start, end)``, tried only at the words ``table`` lists (with the
    pattern ``by_word`` gives for the word, when it gives one).

    ``words`` of the whole text may be passed in when it is scanned part by part; the parts
    must begin and end between words (sentences do).
    """
    end = len(text) if end is None else end
    if table is None:
        yield from pattern.finditer(text, start, end)
        return
    if words is None or not words.start <= start <= end <= words.end:
        words = Words(text, start, end)
    starts, keys = words.starts, words.keys
    lo, hi = bisect_left(starts, start), bisect_left(starts, end)
    pos = start
    by_word = by_word or {}
    for i in compress(range(lo, hi), map(table.__contains__, keys[lo:hi])):
        at = starts[i]
        if at < pos:
            continue
        key = keys[i]
        seconds = table[key]
        if seconds is not ANY and (i + 1 >= hi or keys[i + 1] not in seconds):
            continue
        m = by_word.get(key, pattern).match(text, at, end)
        if m and m.end() > at:
            yield m
            pos = m.end()


def _top_branches(pattern: str) -> list[str]:
    """The branches of a pattern's top-level alternation (``a|(b|c)|d`` -> ``a``, ``(b|c)``, ``d``)."""
    out, depth, klass, escaped, at = [], 0, False, False, 0
    for k, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif klass:
            klass = ch != "]"
        elif ch == "[":
            klass = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[at:k])
            at = k + 1
    out.append(pattern[at:])
    return out


def _merge(table: Heads, first: str, seconds: set[str] | None) -> None:
    if seconds is ANY:
        _add(table, first, ANY)
    else:
        for second in seconds:
            _add(table, first, second)


def _add(table: Heads, first: str, second: str | None) -> None:
    if second is ANY or (first in table and table[first] is ANY):
        table[first] = ANY
    else:
        table.setdefault(first, set()).add(second)


def _walk(items: tuple, words: tuple[str, ...], table: Heads, anchored: bool) -> None:
    """Follow every path through ``items`` until the second word is spelt, recording it.

    ``words`` holds the words read so far, the last one still being spelt; ``anchored``: a
    word boundary comes before the first (a match that may begin inside a word, as ``n't``
    does, cannot be found by looking at word starts).
    """
    for k, (op, av) in enumerate(items):
        rest = items[k + 1:]
        if op is sre.LITERAL:
            ch = chr(av)
            if len(words) == 1 and not words[0] and not anchored and (ch.isalpha() or ch.isdigit()):
                raise _Unlisted
            if ch.isascii() and ch.isalpha():
                if words[-1] == NUMBER:  # "1st": a number, then a word
                    words = _close(words, table)
                    if words is None:
                        return
                words = (*words[:-1], words[-1] + ch.lower())
            elif ch.isdigit():
                if words[-1] and words[-1] != NUMBER:
                    words = _close(words, table)
                    if words is None:
                        return
                words = (*words[:-1], NUMBER)
            elif words[-1]:
                words = _close(words, table)
                if words is None:
                    return
            elif len(words) == 1:
                raise _Unlisted  # punctuation or a non-Latin letter before the first word
            continue
        if op is sre.AT:
            if len(words) == 1 and not words[0] and av in (sre.AT_BOUNDARY, sre.AT_BEGINNING,
                                                           sre.AT_BEGINNING_STRING):
                anchored = True
            if av is sre.AT_BOUNDARY and words[-1]:
                words = _close(words, table)
                if words is None:
                    return
            continue
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            # "(?<![\w-])", "(?<=')": no letter before, so a word begins here
            behind = _flat(av[1]) if av[0] == -1 else []
            if op is sre.ASSERT_NOT and (sre.CATEGORY, sre.CATEGORY_WORD) in behind or \
                    op is sre.ASSERT and behind and all(o is sre.LITERAL and not chr(c).isalnum() for o, c in behind):
                anchored = True
            continue
        if op is sre.BRANCH:
            for alt in av[1]:
                _walk(tuple(alt) + rest, words, table, anchored)
            return
        if op is sre.SUBPATTERN:
            _walk(tuple(av[3]) + rest, words, table, anchored)
            return
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, sub = av
            sub = tuple(sub)
            if low == 0:
                _walk(rest, words, table, anchored)
            if high:
                _walk(sub + rest, words, table, anchored)
                if high > 1 and _spells(sub):
                    _walk(sub + sub + rest, words, table, anchored)
            return
        if op is sre.IN:
            try:
                members = _members(av)
            except _Unlisted:
                if len(words) == 1:
                    raise
                _add(table, words[0], ANY)  # the second word is free
                return
            for one in members:
                _walk((one, *rest), words, table, anchored)
            return
        if op is sre.CATEGORY and av is sre.CATEGORY_DIGIT:
            _walk(((sre.LITERAL, ord("0")), *rest), words, table, anchored)
            return
        if op is sre.CATEGORY and av is sre.CATEGORY_SPACE:
            _walk(((sre.LITERAL, ord(" ")), *rest), words, table, anchored)
            return
        # any character, a class of words or letters: this word cannot be listed
        if len(words) == 1:
            raise _Unlisted
        _add(table, words[0], ANY)
        return
    if not words[0]:
        raise _Unlisted  # a match may be empty
    _add(table, words[0], words[1] if len(words) > 1 and words[1] else ANY)


def _flat(items: list) -> list:
    """The items of a parsed piece with the members of its classes among them."""
    return [x for op, av in items for x in (av if op is sre.IN else [(op, av)])]


def _close(words: tuple[str, ...], table: Heads) -> tuple[str, ...] | None:
    """End the word being spelt: the first opens the second; the second is recorded (None)."""
    if len(words) == 1:
        return (*words, "")
    _add(table, words[0], words[1])
    return None


def _spells(sub: tuple) -> bool:
    """Whether a repeated part may hold a word (a repeated separator is one separator)."""
    for op, av in sub:
        if op is sre.CATEGORY and av is sre.CATEGORY_SPACE:
            continue
        if op is sre.LITERAL and not chr(av).isalnum():
            continue
        return True
    return False


def _members(av: list) -> list[tuple]:
    """A character class as the single characters it stands for: Latin letters and digits one
    by one, every other character as one separator."""
    out: set[tuple] = set()
    if (sre.NEGATE, None) in av and (sre.CATEGORY, sre.CATEGORY_NOT_SPACE) in av:
        return [(sre.LITERAL, ord(" "))]  # "[^\S\n]": some kinds of space, a separator all the same
    for op, a in av:
        if op is sre.LITERAL:
            ch = chr(a)
            out.add((sre.LITERAL, ord(ch.lower()) if ch.isascii() and ch.isalpha() else
                     ord("0") if ch.isdigit() else ord(" ")))
        elif op is sre.CATEGORY and a is sre.CATEGORY_DIGIT or op is sre.RANGE and a == (ord("0"), ord("9")):
            out.add((sre.LITERAL, ord("0")))
        elif op is sre.CATEGORY and a is sre.CATEGORY_SPACE:
            out.add((sre.LITERAL, ord(" ")))
        else:
            raise _Unlisted  # a range of letters, a negated class, \w: too many words to list
    return sorted(out)
