"""The phrase scanner finds exactly what ``finditer`` finds, only faster."""

import re
from pathlib import Path

import pytest

from layers import ingest
from layers.lexicon import Lexicon
from layers.wordscan import ANY, heads, scan

REPORTS = sorted((Path(__file__).parent.parent / "benchmarks" / "ingest_reports").glob("*.txt"))


def test_heads_list_first_words_and_what_may_follow():
    pattern = re.compile(r"\b(?:the\s+same\s+day|the\s+day\s+before|today|(\d{1,2})(?:st|nd)?\s+of\s+May)\b",
                         re.IGNORECASE)
    assert heads(pattern) == {"the": {"same", "day"}, "today": ANY, "0": {"st", "nd", "of"}}


@pytest.mark.parametrize("pattern", [
    r"\b\w+\s+forces\b",  # any word first
    r"(?<!\w)[A-Z][a-z]+ Base\b",  # a class of letters first
    r"\bداعش\b|\bDaesh\b",  # a non-Latin first letter
])
def test_patterns_that_cannot_be_listed_fall_back_to_finditer(pattern):
    compiled = re.compile(pattern)
    assert heads(compiled) is None
    text = "Taji Base and Asad Base: داعش fighters and Daesh forces, US forces."
    assert [m.span() for m in scan(compiled, None, text)] == [m.span() for m in compiled.finditer(text)]


def test_scan_matches_finditer_on_every_report_for_the_ingestion_patterns():
    lexicon = Lexicon()
    patterns = [ingest._DATE, ingest._TRIGGER, ingest._COREF, lexicon._pattern]
    assert all(heads(p) is not None for p in patterns)
    texts = [p.read_text(encoding="utf-8") for p in REPORTS]
    assert len(texts) >= 40
    for text in texts:
        for p in patterns:
            assert [m.span() for m in scan(p, heads(p), text)] == [m.span() for m in p.finditer(text)]
            # a window inside the text, as the ingester scans one sentence at a time
            a, b = len(text) // 3, 2 * len(text) // 3
            assert [m.span() for m in scan(p, heads(p), text, a, b)] == [m.span() for m in p.finditer(text, a, b)]


def test_an_alias_in_arabic_script_is_still_found():
    lexicon = Lexicon([{"id": "isis", "name": "Islamic State", "aliases": "داعش|Daesh"}])
    found = lexicon.find("قال مسؤولون إن داعش انسحب. Daesh fighters left.")
    assert [m.actor for m in found if not m.pronoun] == ["isis", "isis"]
