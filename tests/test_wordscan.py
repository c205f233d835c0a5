"""The phrase scanner finds exactly what ``finditer`` finds, only faster."""

import re
from pathlib import Path

import pytest

from geo.geoparse import sentence_spans
from layers import ingest
from layers.lexicon import Lexicon
from layers.wordscan import ANY, Alternation, Words, heads, scan, search

REPORTS = sorted((Path(__file__).parent.parent / "benchmarks" / "ingest_reports").glob("*.txt"))


def test_heads_list_first_words_and_what_may_follow():
    pattern = re.compile(r"\b(?:the\s+same\s+day|the\s+day\s+before|today|(\d{1,2})(?:st|nd)?\s+of\s+May)\b",
                         re.IGNORECASE)
    assert heads(pattern) == {"the": {"same", "day"}, "today": ANY, "0": {"st", "nd", "of"}}


@pytest.mark.parametrize("pattern", [
    r"\b\w+\s+forces\b",  # any word first
    r"(?<!\w)[A-Z][a-z]+ Base\b",  # a class of letters first
    r"\bداعش\b|\bDaesh\b",  # a non-Latin first letter
    r"n't\b|\bnot\b",  # a match that may begin inside a word ("wouldn't")
])
def test_patterns_that_cannot_be_listed_fall_back_to_finditer(pattern):
    compiled = re.compile(pattern)
    assert heads(compiled) is None
    text = "Taji Base and Asad Base: داعش fighters and Daesh forces, US forces. They wouldn't, not yet."
    assert [m.span() for m in scan(compiled, None, text)] == [m.span() for m in compiled.finditer(text)]


def test_scan_matches_finditer_on_every_report_for_the_ingestion_patterns():
    lexicon = Lexicon()
    alternations = [Alternation.of(ingest._DATE), Alternation.of(ingest._TRIGGER), lexicon._alternation]
    patterns = [ingest._COREF, *(a.whole for a in alternations)]
    assert all(heads(p) is not None for p in patterns)
    assert all(a.table is not None for a in alternations)
    texts = [p.read_text(encoding="utf-8") for p in REPORTS]
    assert len(texts) >= 40
    for text in texts:
        # a window inside the text too, as the ingester scans one sentence at a time
        for a, b in ((0, len(text)), (len(text) // 3, 2 * len(text) // 3)):
            for p in patterns:
                assert [m.span() for m in scan(p, heads(p), text, a, b)] == [m.span() for m in p.finditer(text, a, b)]
            for alt in alternations:
                got = [(m.span(), m.lastgroup) for m in alt.finditer(text, a, b)]
                assert got == [(m.span(), m.lastgroup) for m in alt.whole.finditer(text, a, b)]


def test_an_alias_in_arabic_script_is_still_found():
    lexicon = Lexicon([{"id": "isis", "name": "Islamic State", "aliases": "داعش|Daesh"}])
    found = lexicon.find("قال مسؤولون إن داعش انسحب. Daesh fighters left.")
    assert [m.actor for m in found if not m.pronoun] == ["isis", "isis"]


def test_search_is_the_first_match_of_the_sentence_level_patterns():
    patterns = [ingest._DENIAL, ingest._CLAIM, ingest._UNVERIFIED, ingest._HEDGE, ingest._FUTURE, ingest._NEGATION,
                ingest._INFINITIVE, ingest._PROGRESSIVE, ingest._SINCE, ingest._DAYS_AFTER]
    # "'ll" starts after an apostrophe, "[^\\S\\n]" is a space: both still have a table
    assert all(Alternation.of(p).table is not None for p in patterns)
    for path in REPORTS:
        text = path.read_text(encoding="utf-8")
        for a in range(0, len(text), 97):
            b = min(len(text), a + 160)
            for p in patterns:
                got, want = search(p, text, a, b), p.search(text, a, b)
                assert (got and got.span()) == (want and want.span()), (p.pattern[:40], text[a:b])


def test_a_sentence_vocabulary_only_skips_what_cannot_match():
    patterns = [ingest._DENIAL, ingest._CLAIM, ingest._UNVERIFIED, ingest._FUTURE, ingest._INFINITIVE,
                ingest._PROGRESSIVE, ingest._SINCE, ingest._BEGAN_TO, ingest._RANKED_TO]
    for path in REPORTS:
        text = path.read_text(encoding="utf-8")
        words = Words(text)
        for s, e in sentence_spans(text):
            vocabulary = words.vocabulary(s, e)
            # the sentence, and its beginning up to every fifth word (where a verb would stand)
            for end in [e, *[at for at in words.starts if s < at < e][::5]]:
                for p in patterns:
                    got, want = search(p, text, s, end, words, vocabulary), p.search(text, s, end)
                    assert (got and got.span()) == (want and want.span()), (p.pattern[:40], text[s:end])
