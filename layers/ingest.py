"""News ingestion: read a report, propose dated and sourced control and presence events.

A report is read sentence by sentence.  Only sentences with a verb or noun of change
(take control, hand over, withdraw, capture, deploy, remain ...) are analysed: for each
such trigger the analysis finds who gains or leaves (the nearest actor before it in its
clause, or the agent of a passive, "by X" / "to X" / "from X"), which site (the places
named after it, the subject of a passive, or "the base" / "both sites" referring back),
and when (a date in the sentence, else the one the story is at, else the publication
date).  Negated, denied, planned and ongoing changes are not facts of the date: they are
kept apart with their status and never queued.

``propose(text, published=...)`` is the library entry point; ``propose_files`` runs it
over many files with a progress bar; ``run_cli`` is ``garrison ingest``.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import json
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from geo.geoparse import Mention, gc_paused, geoparse, sentence_spans

from .cli import UsageError
from .lexicon import (
    FORCE_NOUNS,
    HOST_STATE,
    JIHADIST_ACTORS,
    NATIONALITIES,
    STATE_ACTORS,
    ActorMention,
    Lexicon,
    resolve_actor,
)
from .wordscan import Alternation, Words, search

#: the largest report read (bytes); larger input is refused with a clear error
MAX_BYTES = 64 * 1024 * 1024
#: what the site of an event may be: military sites, and towns for control of a town
SITE_KINDS = frozenset("airbase base camp headquarters airport outpost range port city town".split())
_MILITARY = frozenset("airbase base camp headquarters airport outpost range port".split())
STATUSES = ("reported", "planned", "denied", "claimed", "ongoing")


class InputError(UsageError, ValueError):
    """A report that cannot be read: names the file and what is wrong with it."""


# -- reading -------------------------------------------------------------------------------------
def read_text(path: str | Path, *, warn=None) -> str:
    """The text of a report file ('-' is standard input).

    UTF-8 (with or without a byte-order mark) is expected; other bytes are decoded as
    Windows-1252 and ``warn`` (default: stderr) is told so.  Empty, binary and oversized
    files are refused with an ``InputError`` that names the file.
    """
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "standard input"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{name}: file not found")
        if p.is_dir():
            raise InputError(f"{name}: is a folder, not a text file")
        try:
            size = p.stat().st_size
            if size > MAX_BYTES:
                raise InputError(f"{name}: {size / 1e6:.0f} MB is more than the {MAX_BYTES / 1e6:.0f} MB "
                                 "a report may have; split it")
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: more than {MAX_BYTES / 1e6:.0f} MB; split it")
    if not data.strip():
        raise InputError(f"{name}: the file is empty")
    head = data[:8192]
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 20:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        (warn or _stderr)(f"{name}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                          "read as Windows-1252")
    return text


def _stderr(msg: str) -> None:
    sys.stdout.flush()  # keep the order of what a terminal shows
    print(f"garrison: {msg}", file=sys.stderr)


# -- dates ------------------------------------------------------------------------------------------
_MONTHS = {m.casefold(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.casefold(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_DAYS = {d.casefold(): i for i, d in enumerate(calendar.day_name)}
_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_MON = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH_WORD = re.compile(rf"\b{_MON}", re.IGNORECASE)
_DAY = r"(?:" + "|".join(_DAYS) + r")"
_N = r"(?:\d{1,2}|" + "|".join(_NUMBERS) + r"|a)"
#: space within a date: a line break ends it ("No. 20160711-01" above "July 11" is no "1 July")
_SP = r"[^\S\n]+"

_DATE = re.compile(
    r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)"
    rf"|(?P<dmy>\b\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MON},?{_SP}\d{{4}}\b)"
    rf"|(?P<mdy>\b{_MON}{_SP}\d{{1,2}}(?:st|nd|rd|th)?,?{_SP}\d{{4}}\b)"
    rf"|(?P<dm>\b\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MON}(?![\w.])(?:{_SP}(?P<dmrel>last|this){_SP}year\b)?)"
    rf"|(?P<md>\b{_MON}{_SP}\d{{1,2}}(?:st|nd|rd|th)?\b(?![,\s]*\d{{4}})(?:{_SP}(?P<mdrel>last|this){_SP}year\b)?)"
    rf"|(?P<my>\b(?:(?:early|mid|late|end{_SP}of)[\s-]+)?{_MON},?{_SP}\d{{4}}\b)"
    rf"|(?P<mthat>\b(?:(?:in|by|early|mid|late)[\s-]+)?{_MON}\s+(?:of\s+)?(?:that|the\s+same)\s+year\b)"
    rf"|(?P<m>\b(?:in|since|during|until|by|early|mid|late|end\s+of|last)[\s-]+{_MON}"
    r"(?:\s+(?:of\s+)?(?P<mrel>last|this)\s+year\b|(?![\w.]|\s+\d)))"
    r"|(?P<year>\b(?:in|since|during|from|until|early|late|mid|of|by|throughout)[\s-]+(?:19|20)\d{2}\b(?![-/]\d))"
    rf"|(?P<weekday>\b(?:(?:on|last|this|past|late\s+on|early\s+on|late|early)\s+)?{_DAY}(?P<wdposs>['’]s)?"
    r"(?:\s+(?:morning|afternoon|evening|night))?\b)"
    r"|(?P<yesterday>\byesterday\b|\blast\s+night\b)"
    r"|(?P<today>\btoday\b|\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b"
    r"|\bat\s+(?:about\s+|around\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    # a live blog's entry stamped with the time of day ("10:47 - The coalition says ...")
    r"|\b(?<![^\n])\d{1,2}[:.]\d{2}(?=\s))"
    r"|(?P<lastweek>\b(?:last|past|previous)\s+week(?P<lwposs>['’]s)?\b|\bearlier\s+this\s+week\b|\bthis\s+week\b"
    r"|\b(?:in|over|during)\s+(?:recent|the\s+(?:past|last)\s+few)\s+days\b)"
    r"|(?P<thismonth>\b(?:earlier|this|late|early)\s+(?:this\s+)?month\b)"
    r"|(?P<lastmonth>\b(?:last|past|previous)\s+month\b)"
    r"|(?P<thisyear>\b(?:earlier\s+)?this\s+year\b)"
    r"|(?P<lastyear>\blast\s+year\b)"
    rf"|(?P<ago>\b{_N}\s+(?:day|days|week|weeks)\s+ago\b)"
    r"|(?P<daybefore>\b(?:the\s+day\s+before|a\s+day\s+earlier|the\s+previous\s+day|a\s+day\s+before)\b)"
    rf"|(?P<later>\b{_N}\s+(?:days?|weeks?)\s+later\b)"
    r"|(?P<nextday>\bthe\s+(?:next|following)\s+(?:day|morning)\b)"
    r"|(?P<inherit>\b(?:overnight|the\s+same\s+day|hours\s+later|later\s+that\s+day|that\s+day|at\s+the\s+time)\b)"
    r"|(?P<future>\b(?:next\s+(?:week|month|year|spring|summer|autumn|fall|winter)|tomorrow|"
    r"in\s+the\s+coming\s+(?:days|weeks|months)|later\s+this\s+(?:week|month|year)|within\s+(?:days|weeks)|"
    rf"by\s+(?:the\s+end\s+of\s+)?(?:{_MON}|next|this|the\s+end)|soon)\b)",
    re.IGNORECASE,
)


_DATE_KINDS = ("iso", "dmy", "mdy", "dm", "md", "my", "mthat", "m", "year", "weekday", "yesterday", "today", "lastweek",
               "thismonth", "lastmonth", "thisyear", "lastyear", "ago", "daybefore", "later", "nextday", "inherit",
               "future")


class DateExpr(NamedTuple):
    """A date written in the text; ``value`` None when it cannot be resolved (and ``note`` says why).
    A named tuple, as ``ActorMention``: cheap to make."""

    start: int
    end: int
    surface: str
    value: date | None
    precision: str | None
    note: str = ""
    future: bool = False
    #: "last week's attack": names the date of something else
    modifier: bool = False
    #: "the same day", "overnight": the story's current date
    inherit: bool = False
    #: "three days later": days after the date it refers back to
    later_days: int = 0
    #: "in August that year": this month of the year it refers back to
    month: int = 0


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _to_int(word: str) -> int:
    word = word.casefold()
    return 1 if word == "a" else _NUMBERS.get(word, int(word) if word.isdigit() else 0)


def find_dates(text: str, start: int, end: int, published: date | None, words: Words | None = None
               ) -> list[DateExpr]:
    """Date expressions in ``text[start:end]`` resolved against ``published`` (relative ones);
    ``words``: those of the whole text, when it is read sentence by sentence."""
    out: list[DateExpr] = []
    for m in Alternation.of(_DATE).finditer(text, start, end, words):
        groups = m.groupdict()
        kind = next(k for k in _DATE_KINDS if groups.get(k))
        d = _resolve_date(kind, m, published)
        if out and kind in _EXPLICIT_DAY and _WEEKDAY_OF.fullmatch(text, out[-1].start, d.start):
            out.pop()  # "on Tuesday, 17 October": the date the weekday names
        out.append(d)
    return out


#: date kinds that name their day; a weekday right before one of them only names it again
_EXPLICIT_DAY = frozenset({"iso", "dmy", "mdy", "dm", "md"})
_WEEKDAY_OF = re.compile(rf"(?:on\s+)?{_DAY}\s*,?\s*(?:the\s+)?", re.IGNORECASE)


def _resolve_date(kind: str, m: re.Match, pub: date | None) -> DateExpr:
    s, e, surface = m.start(), m.end(), m.group()
    group = m.groupdict().get  # a branch's pattern holds its own groups only
    low = surface.casefold()

    def made(value, precision, note="", **kw) -> DateExpr:
        return DateExpr(s, e, surface, value, precision, note, **kw)

    def needs_pub() -> DateExpr:
        return made(None, None, f"relative date {surface!r} not resolved: no publication date (--published)")

    if kind == "future":
        return made(None, None, "in the future", future=True)
    if kind == "inherit":
        return made(None, None, inherit=True)
    if kind == "later":
        n = _to_int(surface.split()[0])
        return made(None, None, inherit=True, later_days=n * (7 if "week" in low else 1))
    if kind == "nextday":
        return made(None, None, inherit=True, later_days=1)
    if kind == "mthat":
        return made(None, None, inherit=True, month=_MONTHS[_MONTH_WORD.findall(surface)[-1].rstrip(".").casefold()])
    try:
        if kind == "iso":
            y, mo, d = (int(x) for x in surface.split("-"))
            return made(date(y, mo, d), "day")
        if kind in ("dmy", "mdy", "dm", "md"):
            nums = [int(x) for x in re.findall(r"\d+", surface)]
            month = _MONTHS[re.search(_MON, surface, re.IGNORECASE).group().rstrip(".").casefold()]
            day = nums[0]
            if kind in ("dmy", "mdy"):
                return made(date(nums[1], month, day), "day")
            if pub is None:
                return made(None, None, f"{surface!r} has no year and there is no publication date (--published)")
            value = date(pub.year, month, day)
            rel = group("dmrel") or group("mdrel")
            if rel:  # "on June 11 last year"
                value = date(pub.year - (rel.casefold() == "last"), month, day)
            elif value > pub:  # "on 30 December" read in January: last year
                value = date(pub.year - 1, month, day)
            return made(value, "day")
        if kind == "my":
            month = _MONTHS[re.search(_MON, surface, re.IGNORECASE).group().rstrip(".").casefold()]
            return made(date(int(re.search(r"\d{4}", surface).group()), month, 1), "month")
        if kind == "year":
            return made(date(int(re.search(r"\d{4}", surface).group()), 1, 1), "year")
        if kind == "m":
            month = _MONTHS[_MONTH_WORD.findall(surface)[-1].rstrip(".").casefold()]
            if pub is None:
                return made(None, None, f"{surface!r} has no year and there is no publication date (--published)")
            # "in July" in an October report is this year's July; in a March report, last year's
            year = pub.year if month < pub.month or month == pub.month and not low.startswith("last") else pub.year - 1
            if group("mrel"):  # "in August last year", "in March this year"
                year = pub.year - (group("mrel").casefold() == "last")
            return made(date(year, month, 1), "month")
    except ValueError:
        return made(None, None, f"{surface!r} is not a calendar date")
    if pub is None:
        return needs_pub()
    if kind == "weekday":
        wd = _DAYS[next(d for d in _DAYS if d in low)]
        back = (pub.weekday() - wd) % 7
        if low.startswith("last ") and back == 0:
            back = 7
        return made(pub - timedelta(days=back), "day", modifier=bool(group("wdposs")))
    if kind == "yesterday":
        return made(pub - timedelta(days=1), "day")
    if kind == "today":
        return made(pub, "day")
    if kind == "lastweek":
        if low.endswith("days"):  # "in recent days"
            return made(_month_start(pub - timedelta(days=3)), "month")
        if "this week" in low:
            return made(_month_start(pub - timedelta(days=pub.weekday())), "month")
        return made(_month_start(pub - timedelta(days=7)), "month", modifier=bool(group("lwposs")))
    if kind == "thismonth":
        return made(_month_start(pub), "month")
    if kind == "lastmonth":
        return made(_month_start(_month_start(pub) - timedelta(days=1)), "month")
    if kind == "thisyear":
        return made(date(pub.year, 1, 1), "year")
    if kind == "lastyear":
        return made(date(pub.year - 1, 1, 1), "year")
    if kind == "ago":
        n = _to_int(surface.split()[0])
        days = n * (7 if "week" in low else 1)
        value = pub - timedelta(days=days)
        return made(value if "week" not in low else _month_start(value), "day" if "week" not in low else "month")
    if kind == "daybefore":
        return made(pub - timedelta(days=1), "day", note="the day before", inherit=True)
    return made(None, None, f"cannot read the date {surface!r}")


# -- triggers --------------------------------------------------------------------------------------
#: a change in words: (type, pattern).  Types: gain (a new controller), expel (a new controller, the
#: actor named inside leaving), receive, handover
#: (the giver leaves, the receiver controls), leave, arrive, remain, hold (control as a state)
_ADJ = r"(?:(?:full|complete|total|effective|formal|sole|security|military|operational|administrative|overall)\s+)*"
TRIGGERS: list[tuple[str, str]] = [
    ("gain", rf"\b(?:took|take|takes|taking|taken|assumed|assume|assumes|assuming|seized|seize|seizes|seizing|"
             rf"gained|gain|gains|gaining|regained|regain|regains|retook|retake|retakes|retaken|retaking|won|wrested|"
             rf"restored|established|establish)\s+(?:back\s+)?{_ADJ}(?:control|command|charge|possession)\b"),
    ("gain", r"\b(?:took|take|takes|taking|taken)\s+over\b"),
    # "rebels took Damascus", "took the town": a place right after the verb
    ("gain", r"\b(?:took|taken|take|takes)\b(?=\s+(?:(?-i:[A-Z])|the\s+(?:town|city|base|airport|air\s*base|airfield|"
             r"garrison|camp|outpost)\b))"),
    # "the capture of Tabqa", "the capture earlier this year of Tabqa" (before the verbs: the noun, not "capture")
    ("gain", r"\bdeclared?\s+(?:(?:full|complete|total|final)\s+)?(?:victory|control)\s+(?:in|over|of)\b|"
             r"\b(?:liberation|recapture|capture|takeover|fall)\s+(?:(?:earlier|later|late|early|last|this|in|on)\s+"
             r"(?:[\w-]+\s+){0,2}?)?of\b"),
    ("gain", r"\b(?:recaptured|recapture|recaptures|recapturing|retook|retake|retakes|retaken|retaking|"
             r"liberated|liberate|liberates|liberating|captured|capture|captures|capturing|overran|overrun|overruns|"
             r"overrunning|seized|seize|seizes|seizing|stormed|storm|storms|conquered|reclaimed|regained|won\s+back|wrested)\b"),
    ("gain", r"\b(?:passed|passes|pass)\s+to\b"),
    ("gain", r"\bbrought\s+under\s+(?:[\w-]+\s+){0,2}?control\b"),
    ("gain", r"\b(?:fell|fallen|fall|falls|falling)\s+(?:(?!back\b|short\b|apart\b|silent\b)[\w,]+\s+){0,4}?to\b"),
    ("gain", r"\b(?:secured|secure|secures|securing)\b"),
    ("gain", r"\b(?:declared?|announced)\s+(?:(?!that\b)[\w'’.-]+\s+){1,4}?[\"“]?(?:(?:fully|completely|totally)\s+)?"
             r"(?:liberated|free|freed|retaken|recaptured|secured|cleared)\b"),
    ("weakgain", r"\b(?:entered|enter|enters|entering|(?:swept|sweep|sweeps|sweeping|pushed|stormed)\s+into)\b"),
    ("expel", r"\b(?:drove|driven|drive|drives|driving|pushed|expelled|expel|expels|expelling|ousted|oust|ousts|"
              r"evicted|kicked|chased|flushed)\s+(?:[\w'’.-]+\s+){0,4}?out\s+of\b"
              r"|\b(?:drove|driven|driving|kicked|chased|forced)\s+out\b(?!\s+of\b)"
              r"|\b(?:drove|driven|drive|drives|driving|pushed|forced|chased|kicked)\s+(?:[\w'’.-]+\s+){1,4}?out\b"
              r"(?!\s+of\b)"),
    ("receive", r"\b(?:received|receive|receives|receiving)\b"),
    ("handover", r"\b(?:handed|hand|hands|handing|turned|turn|turns|turning)\s+(?:\w+\s+){0,6}?over\b"),
    ("handover", r"\b(?:handed|hand|hands|handing|gave|give|gives|giving)\s+(?:[\w-]+\s+){0,6}?back\s+to\b"),
    ("handover", r"\b(?:handed|hands|handing|transferred|transfer|transfers|transferring|ceded|cede|cedes|"
                 r"surrendered|returned\s+control\s+of)\b"),
    ("handover", r"\b(?:handover|hand-over|handing\s+over|transfer)\b"),
    ("leave", r"\b(?:withdrew|withdraw|withdrawn|withdraws|withdrawing|withdrawal|departed|depart|departs|departing|"
              r"departure|left|leave|leaves|leaving|evacuated|evacuate|evacuates|evacuating|evacuation|vacated|"
              r"vacate|vacates|vacating|abandoned|abandon|abandons|abandoning|fled|flee|flees|fleeing|"
              r"pulled\s+out|pull\s+out|pulls\s+out|pulling\s+out|pullout|pull-out|exited|"
              r"pulled\s+back|pull\s+back|pulls\s+back|pulling\s+back|retreated|retreat|retreats|"
              r"moved\s+out|move\s+out|moves\s+out|moving\s+out|melted\s+away|flown\s+out|flew\s+out)\b"),
    ("leave", r"\b(?:closed|closes|closing|close|shut|shuts|shutting)\s+(?:down\s+)?(?:its|their)\s+(?:[\w-]+\s+){0,2}?"
              r"(?:bases?|outposts?|garrisons?|camps?|positions?|facilit(?:y|ies)|presence)\b"),
    ("arrive", r"\b(?:deployed|deploy|deploys|deploying|deployment|redeployed|redeploy|arrived|arrive|arrives|"
               r"arriving|arrival|stationed|station|returned\s+to|return\s+to|returns\s+to|returning\s+to|"
               r"moved\s+(?:in|into|to)|move\s+(?:in|into|to)|moves\s+(?:in|into|to)|relocated\s+to|relocate\s+to|"
               r"relocation\s+to|sent\s+to|dispatched\s+to|landed\s+(?:at|in))\b"),
    ("arrive", r"\b(?:established|establish|establishes|establishing|set\s+up|sets\s+up|setting\s+up|opened|opens)\s+"
               r"(?:(?:a|an|its|their)\s+)?(?:[\w-]+\s+){0,2}?(?:presence|base|outpost|garrison|foothold)\b"),
    ("remain", r"\b(?:remain|remains|remained|stay|stays|stayed|staying|(?:based|present)\s+(?:at|in))\b"),
    ("hold", r"\bunder\s+(?:the\s+)?(?:full\s+|complete\s+|total\s+|sole\s+)?(?:\w+\s+){0,2}?"
             r"(?:control|administration|command|sovereignty|authority)\b"),
    ("hold", r"\bin\s+(?:full\s+|complete\s+|total\s+)?control\s+of\b|\bin\s+the\s+hands\s+of\b"),
    ("hold", r"\b(?:held|controlled|occupied)\s+by\b|\b(?:now\s+)?controls\b|\bnow\s+control\b"),
    ("hold", r"\b(?:has|have|had)\s+(?:\w+ly\s+)?(?:held|controlled|occupied)\b(?!\s+(?:by|out|on)\b)"
             r"|\bin\s+(?:[\w.-]+\s+){1,3}?hands\b"),
]
_TRIGGER = re.compile("|".join(f"(?P<t{i}>{p})" for i, (_, p) in enumerate(TRIGGERS)), re.IGNORECASE)
#: nouns of a change that take their site with "of"
_OF_NOUNS = ("liberation", "recapture", "capture", "takeover", "fall")
_NOUNS = frozenset("withdrawal departure evacuation pullout pull-out deployment arrival handover hand-over transfer "
                   "relocation withdrawals departures evacuations pullouts deployments arrivals handovers "
                   "transfers".split()) | {f"{n} of" for n in _OF_NOUNS}
#: how sure a change is in itself, by type
_STRENGTH = {"gain": 0.85, "expel": 0.85, "weakgain": 0.5, "receive": 0.8, "handover": 0.85, "leave": 0.8,
             "arrive": 0.75, "remain": 0.7, "hold": 0.7}

_BE = r"(?:is|are|was|were|be|been|being|has\s+been|have\s+been|had\s+been|was\s+being|were\s+being)"
#: "IS" in capitals is the group ("IS seized Palmyra"), not the verb
_PASSIVE = re.compile(rf"\b(?!(?-i:IS)\b){_BE}\s+(?:\w+ly\s+)?$", re.IGNORECASE)
#: verbs of beginning ("began arriving", "started to withdraw")
_START_VERBS = "began|begun|begin|begins|started|starting|start|starts"
_PROGRESSIVE = re.compile(r"\b(?!(?-i:IS)\b)(?:is|are|was|were|been|be)\s+(?:\w+ly\s+)?$|"
                          r"\b(?:seen|spotted|observed)\s+$|"
                          rf"\b(?:{_START_VERBS}|continued|continue|continues|"
                          r"continuing|kept|keep)\s+(?:to\s+)?$", re.IGNORECASE)
_STARTED = re.compile(rf"(?:{_START_VERBS})\b", re.IGNORECASE)
_FUTURE = re.compile(
    r"\b(?:will|would|shall|(?<=['’])ll|could|might|(?-i:may)|should|must|going\s+to|expected\s+to|expects\s+to|expect\s+to|"
    r"set\s+to|due\s+to|scheduled\s+to|slated\s+to|poised\s+to|plans?\s+to|planned\s+to|planning\s+to|"
    r"intends?\s+to|intended\s+to|aims?\s+to|aiming\s+to|preparing\s+to|prepared\s+to|ready\s+to|"
    r"likely\s+to|unlikely\s+to|about\s+to|agreed\s+to|agree\s+to|promised\s+to|vowed\s+to|threatened\s+to|"
    r"wants?\s+to|seeks?\s+to|hopes?\s+to|asked\s+to|ordered\s+to|if|unless|once|until|whether|as\s+long\s+as|"
    r"provided\s+that|on\s+condition\s+that|"
    r"plans?\s+for|timetable\s+for|deadline\s+for)\b(?:(?!\b(?:said|says|told|but)\b)[^.;])*$",
    re.IGNORECASE)
#: before an -ing verb, words that make it a finished act ("after leaving", "finished pulling out")
_DONE_BEFORE = re.compile(r"(?:\b(?:after|following|before|upon|since|by|finished|completed|concluded|ended|stopped)"
                          r"\s+$|,\s*$)", re.IGNORECASE)
#: "seized more than half of it", "took parts of the base": not the whole place
_PARTIAL = re.compile(r"\s+(?:into\s+)?(?:control\s+of\s+|over\s+)?[\"“]?(?:the\s+)?"
                      r"(?:more\s+than\s+|nearly\s+|almost\s+|about\s+|around\s+|roughly\s+)?(?:(?:large|big|small|several|many|key|main|eastern|western|"
                      r"northern|southern|north-?\w+|south-?\w+)\s+)?"
                      r"(?:(?:half|part|parts|most|much|sections?|portions?|areas?|some|"
                      r"a\s+(?:part|section|portion))[\"”]?\s+of\b|the\s+(?:[\w-]+\s+)?(?:neighbou?rhoods|districts|suburbs|"
                      r"outskirts|edges?|quarters|perimeter)\b)", re.IGNORECASE)
#: "had Russian or Syrian forces entered the site": a condition that was not met
_HAD_BEFORE = re.compile(r"(?:^|[,;]|\bthat|\bif)\s*had\s+(?:[\w-]+\s+(?:or|and)\s+)?(?:the\s+)?$", re.IGNORECASE)


def _unmet_condition(text: str, s: int, fr: _Frame, actors: list[ActorMention]) -> re.Match | None:
    """"had" right before the subject of the verb ("that had Syrian forces entered the site")."""
    for a in actors:
        if fr.clause_start <= a.start and a.end <= fr.start and "had" in text[max(s, a.start - 30):a.start].lower():
            m = _HAD_BEFORE.search(text, max(s, a.start - 30), a.start)
            if m:
                return m
    return None
#: "the handover of the two districts continues": a change in progress
_UNDER_WAY = re.compile(r"(?:\s+[\w'’-]+){0,10}?\s+(?:continues|continued|is\s+continuing|(?:is|was|are|were)\s+"
                        r"(?:still\s+)?(?:under\s?way|ongoing|in\s+progress)|(?:appears|seems)\s+to\s+be\s+under\s?way)\b",
                        re.IGNORECASE)
_TO_NAME = re.compile(r"\w+(?:\s+\w+)?\s+to\s+(?-i:[A-Z])", re.IGNORECASE)
#: "the first Iraqi city to fall": a rank of what happened, not a plan
_RANKED_TO = re.compile(r"\b(?:first|last|second|third|only|latest)\s+(?:[\w-]+\s+){0,3}to\s+$", re.IGNORECASE)
_NO_AFTER = re.compile(r"\s*(?:no|none)\b", re.IGNORECASE)
_BEGAN_TO = re.compile(r"\b(?:forced|began|started)\s+to\s+$", re.IGNORECASE)
_FELL = re.compile(r"fell|fallen|fall|falls|falling|passed|passes|pass", re.IGNORECASE)
_HELD_BY = re.compile(r"(?:held|controlled|occupied)\s+by", re.IGNORECASE)
_INFINITIVE = re.compile(r"\bto\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nor|neither|without|yet\s+to|failed\s+to|refused\s+to|cannot|"
    r"(?:ca|wo|do|does|did|has|have|had|is|are|was|were|would|could|should|must|might|need|sha|ai|dare|ought)"
    r"n['’]t)\b", re.IGNORECASE)
#: "no" negates a change only when it quantifies the forces ("no US personnel had left"), not
#: something else ("no injuries were reported among troops stationed there")
#: a preposition right before an actor, maybe with who leads or backs it ("fell to HTS-led rebels")
_LED = r"(?:the\s+)?(?:[\w.]+-(?:led|backed|allied)\s+)?$"
_ENDS_BY = re.compile(rf"\bby\s+{_LED}")
_ENDS_TO = re.compile(rf"\bto\s+{_LED}")
_ENDS_FROM = re.compile(rf"\bfrom\s+{_LED}")
_ENDS_OF = re.compile(r"\bof\s+(?:the\s+)?$")
_ENDS_PREP = re.compile(rf"\b(?:from|to|by|with|against|for|on)\s+{_LED}", re.IGNORECASE)
#: "militants from the Islamic State", "fighters of the SDF": the group is the doer
_MEMBERS_OF = re.compile(r"\b(?:militants|fighters|troops|soldiers|forces|members|units|advis[eo]rs|personnel|"
                         r"elements|jihadists|gunmen|rebels)\s+(?:from|of|led\s+by|loyal\s+to)\s+(?:the\s+)?$",
                         re.IGNORECASE)
_NO_FORCES = re.compile(r"\s+(?:[\w.-]+\s+){0,2}?(?:troops|forces|personnel|soldiers|advis[eo]rs|trainers|units|"
                        r"staff|fighters|militants|marines|contingent|coalition|military)\b", re.IGNORECASE)
_DENIAL = re.compile(r"\b(?:denied|deny|denies|denying|dismissed|rejected|refuted|false|baseless|untrue|rumou?rs?)\b",
                     re.IGNORECASE)
_OF_NEXT = re.compile(r"\s+of\b", re.IGNORECASE)
#: "fighters, supported by US special forces, seized": the supporters are not the doers
_SUPPORTER = re.compile(r"\b(?:supported|backed|aided|assisted|helped|accompanied|advised|trained)\s+by\s+"
                        r"(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_SINCE = re.compile(r"\bsince\b", re.IGNORECASE)
#: a turn in the sentence: what follows is no longer under the denial or the claim before it
_TURN = re.compile(r"\bbut\b|\bhowever\b|;", re.IGNORECASE)
_CLAIM = re.compile(r"\b(?:claimed|claims|claiming|claim\s+to|(?:believed|thought|presumed|feared|reported|said|"
                    r"understood|rumou?red)\s+to\s+have|"
                    r"alleged|alleges|alleging|purportedly|rumou?red|"
                    r"unconfirmed|unverified|(?:reports|sources)\s+(?:suggested|suggest)|no\s+confirmation|"
                    r"(?:not|unable)\s+(?:been\s+)?(?:able\s+)?to\s+(?:independently\s+)?(?:confirm|verify)|"
                    r"(?:cannot|can\s+not|could\s+not|can['’]t|couldn['’]t)\s+(?:independently\s+)?(?:confirm|verify)|"
                    r"no\s+independent\s+(?:confirmation|verification)|"
                    r"not\s+(?:yet\s+|independently\s+|been\s+)*(?:confirmed|verified))\b", re.IGNORECASE)
#: "..., which could not be verified", or the next sentence: "That claim could not be independently confirmed."
_UNVERIFIED = re.compile(r"\b(?:(?:could|can)\s*(?:not|n't)\s+(?:be\s+)?|(?:has|have|had)\s+not\s+been\s+able\s+to\s+|"
                         r"(?:was|were|are|is)\s+unable\s+to\s+)(?:independently\s+)?(?:verif|confirm)\w*"
                         r"|\bno\s+independent\s+(?:confirmation|verification)", re.IGNORECASE)
_UNVERIFIED_NEXT = re.compile(r"\s*(?:(?:that|this|the)\s+(?:claim|report|account)s?|(?:we|it|they)|the\s+\w+|"
                              r"(?:these|those)(?:\s+(?:claims|reports))?)\s+(?:(?:could|can)\s*(?:not|n't)\s+(?:be\s+)?|"
                              r"(?:has|have)\s+not\s+(?:yet\s+)?(?:been\s+able\s+to\s+)?)(?:independently\s+)?"
                              r"(?:verif|confirm)\w*",
                              re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:reportedly|allegedly|unconfirmed|claimed|claims|activists?|rumou?red|purportedly|"
                    r"according\s+to\s+(?:local|unnamed|unverified|social))\b", re.IGNORECASE)
#: where a clause ends: its subject is not looked for across these -- marks, and words (found by a
#: word scan: a pattern of words tried at every character is slow)
_BOUNDARY_MARK = re.compile(r"[;:]|\s[-–—]\s|,\s*(?:but|while|whereas|although|though|which|who|whose|where|when)\b",
                            re.IGNORECASE)
_BOUNDARY_WORD = re.compile(r"\b(?:but|while|whereas|although|though|after|before|because|since|as|when|once|until|"
                            r"unless|if|that|following|amid|and|or)\b", re.IGNORECASE)
#: the kinds a back reference can mean
_COREF = re.compile(
    r"\b(?:(?:the|this|that|its|their)\s+(?:(?:former|western|eastern|northern|southern|sprawling|main|key|"
    r"strategic|nearby|remote|desert|same|us|u\.s\.|american|iraqi|syrian|russian|coalition|military|joint|"
    r"border|air|vast|large|small)\s+){0,3}(?P<noun>bases|base|airbase|air\s+base|airfield|air\s+field|"
    r"airport|facility|garrison|outpost|camp|compound|installation|site|headquarters|plant|field|oil\s+field|"
    r"gas\s+field|complex|academy|airstrip|town|city|(?:provincial\s+)?capital)"
    r"|(?P<both>both(?:\s+(?:sites|bases|facilities|installations|of\s+them|(?P<towns>towns|cities)))?)"
    r"|(?P<it>\bit\b|\bthere\b))\b",
    re.IGNORECASE)
#: a compass direction ("west", "north-east") and a unit of distance
_COMPASS = r"(?:north|south|east|west)(?:-?(?:east|west))?"
_DISTANCE_UNIT = r"(?:kilometres|kilometers|km|miles)"
_LOCATOR = re.compile(rf"(?:\b(?:in|near|outside|inside|at|of|between|towards?|close\s+to|{_COMPASS}|{_DISTANCE_UNIT})"
                      r"\s+(?:of\s+)?(?:the\s+)?(?:[\w-]+\s+){0,2}$)", re.IGNORECASE)
_COORD = re.compile(r"^\s*(?:,|and|,\s*and|as\s+well\s+as|or|plus|,\s*as\s+well\s+as)\s*(?:the\s+)?"
                    r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_POSSESSIVE_AFTER = re.compile(r"['’]s\b")
#: "a former US base near", "an air base outside": a site named only by the town it is near
_SITE_NOUN = r"air\s*bases?|airbases?|bases?|airfields?|airports?|outposts?|camps?|garrisons?|facilit(?:y|ies)"
#: what places a site by a town: "near", "west of", "on the western outskirts of" (and the space after)
_BESIDE = (r"\s+(?:near|outside|close\s+to|(?:north|south|east|west)\s+of|in|at|"
           r"on\s+the\s+(?:(?:northern|southern|eastern|western|north-?\w+|south-?\w+)\s+)?outskirts\s+of)\s+")
#: words that describe a site without naming it: lower case, or of a nation ("a former US base")
_COMMON_WORDS = r"(?-i:(?:[a-z][\w.-]*|[A-Z][a-z]+(?:an|ish|i|ese)|US|U\.S\.)\s+)"
_UNNAMED_SITE = re.compile(
    # "an outpost", "a former US base"; in a headline with no article, words in lower case or of a nation
    # before it ("abandoned American outpost"), as "K-1 Air Base near" is a name
    rf"(?:\b(?:a|an|one|another|the|its|their)\s+{_COMMON_WORDS}{{0,3}}?(?P<noun>{_SITE_NOUN})"
    rf"|(?<![\w-]){_COMMON_WORDS}{{1,2}}(?-i:(?P<bare>{_SITE_NOUN})))"
    rf"{_BESIDE}(?:the\s+(?:[\w-]+\s+){{0,3}}?(?:town|city)\s+of\s+)?$", re.IGNORECASE)
#: a kind word right after a town's name
_KIND_NEXT = re.compile(r"\s+(?:military\s+)?(?P<noun>air\s*base|airbase|airfield|airport)\b", re.IGNORECASE)
#: what must come right before the town of an unnamed site (a cheap test before the full pattern)
_BESIDE_END = re.compile(r"\b(?:near|outside|to|of|in|at)\s+(?:the\s+)?$", re.IGNORECASE)
#: an object that is not a site, located by the town after it ("the oil fields of", "the outskirts of")
_NON_SITE_NP = re.compile(
    r"\b(?:the|a|an|its|their)\s+(?:[\w-]+\s+){0,2}?(?!(?:towns?|city|cities|villages?|bases?|airbases?|airports?|"
    r"airfields?|camps?|outposts?|garrisons?|headquarters|compounds?|facility|facilities|centre|center|heart)\b)"
    r"[\w-]+\s+(?:of|near|outside|around)\s+(?:the\s+)?$",
    re.IGNORECASE)
_POSSESSIVE_KIND = re.compile(r"['’]s\s+(?:main\s+|military\s+|international\s+|old\s+)?(?P<noun>air\s*base|"
                              r"airbase|airfield|airport|air\s+field|garrison|camp|base)\b", re.IGNORECASE)
#: "Bashiqa camp near": a named site the gazetteer does not know, placed by the town after it
_UNKNOWN_NAMED_SITE = re.compile(
    r"(?P<name>(?-i:[A-Z][a-z][\w'’-]*)(?:\s+\d+)?)\s+(?:military\s+)?(?:(?:training|range|firing)\s+)?(?:camp|base|"
    rf"air\s*base|airbase|airfield|airport|outpost|garrison|range|complex|compound)s?,?(?:{_BESIDE}|\s+(?:north|south|east|"
    r"west)(?:-?(?:east|west))?\s+of\s+)(?:the\s+)?$", re.IGNORECASE)
#: how far a known site may be from the town an unnamed one is placed by
NEAR_KM = 50.0
_NOUN_KINDS = {
    "air base": frozenset({"airbase", "airport"}), "airbase": frozenset({"airbase", "airport"}),
    "airfield": frozenset({"airbase", "airport"}), "airport": frozenset({"airport", "airbase"}),
    "camp": frozenset({"camp", "base"}), "outpost": frozenset({"outpost", "base"}),
}
#: right after a verb: an object that is not a site ("fled the country", "left several positions")
_OTHER_OBJECT = re.compile(
    r"\s+(?:(?:the\s+)?(?:sub-?district|village|district|neighbou?rhood|quarter|hill|dam|bridge|crossing|"
    r"oil\s+field|gas\s+field)\s+of\b|(?:their|its|his|her|our)\s+(?!(?:\w+\s+)?(?:bases?|positions|posts|outposts?|garrisons?|camps?|"
    r"air\s*bases?|airfields?|airports?|facilit\w+|headquarters|compound)\b)[a-z]+\b(?!\s+(?:at|in|from)\b)|"
    r"(?:out\s+of\s+|from\s+)?(?:the\s+(?:country|region|area|province|north|south|east|west|city|border)\b|"
    r"(?:several|some|many|most|all|dozens|hundreds|\d[\d,]*)\s+(?:of\s+)?(?:its\s+|their\s+|the\s+)?"
    r"(?:positions|posts|bases|sites|checkpoints|areas|villages|towns|equipment|vehicles|troops|soldiers)\b))",
    re.IGNORECASE)
_ROLE = [(re.compile(r"advis[eo]rs?|trainers?|mentors?", re.I), "advisers"),
         (re.compile(r"military police", re.I), "military police"),
         (re.compile(r"special (?:operations )?forces|commandos", re.I), "special forces"),
         (re.compile(r"jets|aircraft|warplanes|planes|drones", re.I), "aircraft"),
         (re.compile(r"marines", re.I), "marines")]


# -- proposals -------------------------------------------------------------------------------------
@dataclass
class Proposal:
    """One proposed event, with the evidence that supports it and how sure we are."""

    site_id: str
    site_name: str
    kind: str
    actor: str
    actor_leaving: str | None
    date: str | None
    date_precision: str | None
    evidence: str
    evidence_start: int
    evidence_end: int
    confidence: float
    status: str = "reported"
    note: str = ""
    lat: float | None = None
    lon: float | None = None
    site_kind: str = ""
    site_country: str = ""
    role: str = ""
    trigger: str = ""
    source_url: str = ""
    source_title: str = ""
    published: str = ""
    file: str = ""
    #: whether the dataset already tracks the site (an accepted event adds it to sites.csv)
    tracked: bool = True

    @property
    def confidence_word(self) -> str:
        """The word events.csv uses: high, medium or low."""
        return "high" if self.confidence >= 0.75 else "medium" if self.confidence >= 0.5 else "low"

    @property
    def id(self) -> str:
        """A stable id: the same claim from the same source always gets the same id."""
        origin = self.source_url or self.file or self.evidence
        raw = "|".join([origin, self.site_id, self.kind, self.actor, self.date or "", self.status])
        return "p-" + hashlib.sha1(raw.encode()).hexdigest()[:8]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["id"] = self.id
        d["confidence"] = round(self.confidence, 2)
        d["confidence_word"] = self.confidence_word
        return d


@dataclass(slots=True)
class _Frame:
    """One trigger in one sentence, and what the analysis found around it."""

    type: str
    start: int
    end: int
    surface: str
    sentence: int
    clause_start: int
    clause_end: int
    passive: bool = False  # "was retaken by": the subject is what changed hands
    subject: ActorMention | None = None
    subject_how: str = ""
    co_subjects: list[ActorMention] = field(default_factory=list)  # "X and Y took ...": Y
    agent: ActorMention | None = None  # "by X" / "fell to X"
    to_actor: ActorMention | None = None  # "to X"
    from_actor: ActorMention | None = None  # "from X"
    sites: list[tuple[Mention, str]] = field(default_factory=list)  # (mention, how found)
    to_sites: list[Mention] = field(default_factory=list)  # "withdrew from A to B": B
    status: str = "reported"
    status_why: str = ""
    date: DateExpr | None = None
    date_how: str = ""
    #: a site's own date in a list of sites with dates (by the site mention's start)
    site_dates: dict[int, DateExpr] = field(default_factory=dict)


class Ingester:
    """Event recognition over the gazetteer and an actor lexicon; reusable across many texts."""

    def __init__(self, lexicon: Lexicon | None = None, gazetteer=None, tracked: Iterable[str] = ()):
        if lexicon is None:
            from .dataset import bundled_path

            lexicon = Lexicon(_read_actors(bundled_path() / "actors.csv"))
        self.lexicon = lexicon
        self.gazetteer = gazetteer
        self.tracked = frozenset(tracked)
        self._military: list | None = None
        self._nearest: dict[tuple, tuple | None] = {}

    # -- the pipeline --------------------------------------------------------------------------
    def propose(
        self,
        text: str,
        *,
        published: date | None = None,
        source_url: str = "",
        source_title: str = "",
        file: str = "",
        unconfirmed: bool = False,
    ) -> list[Proposal]:
        """Proposed events of one report; with ``unconfirmed`` also the planned, denied, claimed and ongoing
        ones."""
        with gc_paused():
            return self._propose(text, published, source_url, source_title, file, unconfirmed)

    def _propose(self, text: str, published: date | None, source_url: str, source_title: str, file: str,
                 unconfirmed: bool) -> list[Proposal]:
        sentences = sentence_spans(text)
        trig_sentences: dict[int, list[re.Match]] = {}
        starts = [s for s, _ in sentences]
        words = Words(text)
        for m in Alternation.of(_TRIGGER).finditer(text, words=words):
            i = _sentence_of(starts, m.start())
            trig_sentences.setdefault(i, []).append(m)
        if not trig_sentences:
            return []
        mentions = [m for m in geoparse(text, gazetteer=self.gazetteer, sentences=sentences) if m.place is not None]
        # actors and dates read once over the whole report, then taken sentence by sentence
        all_actors = self.lexicon.find(text, 0, len(text), words)
        all_dates = find_dates(text, 0, len(text), published, words)
        actor_starts, date_starts = [a.start for a in all_actors], [d.start for d in all_dates]
        out: list[Proposal] = []
        state = _Story()
        state.words, state.text = words, text
        state.actors_before = lambda end: [a for a in all_actors if a.end <= end]
        headline_end = _headline_end(text)
        state.author = _author(text, all_actors, headline_end)
        state.since = {d.start for d in all_dates if _since(text, d)}
        mi = 0
        prev_actors: list[ActorMention] = []
        for si, (s, e) in enumerate(sentences):
            sent_mentions = []
            while mi < len(mentions) and mentions[mi].start < e:
                if mentions[mi].start >= s:
                    sent_mentions.append(mentions[mi])
                mi += 1
            # capitals named for their governments ("asked Damascus", "Baghdad said"), found once
            state.metonyms.update(m.start for m in sent_mentions if _metonym(text, m))
            state.locating = {m.start for m in sent_mentions if _locates(text, m, sent_mentions)}
            dates = all_dates[bisect_left(date_starts, s):bisect_left(date_starts, e)]
            # the dateline's date is when the story was filed: it dates no act
            dated = [d for d in dates if not _in_dateline(text, d)]
            actors = all_actors[bisect_left(actor_starts, s):bisect_left(actor_starts, e)]
            if si in trig_sentences:
                state.vocabulary = words.vocabulary(s, e)
                frames = self._frames(text, si, s, e, trig_sentences[si], actors, sent_mentions, dated, state,
                                      prev_actors, published)
                for fr in frames:
                    out.extend(self._events(text, fr, s, e, state, published, source_url, source_title, file))
            # "The SDF launched its push in September. They took the Conoco plant ...": the last named
            # (or called by a name of their own: "The jihadists control the valley. They captured Hit")
            prev_actors = [a for a in actors if not a.pronoun or a.actor] or prev_actors
            state.actors.extend(a for a in actors if not a.pronoun)
            state.see_sites(sent_mentions)
            state.see_dates(dated or dates)
        return _dedupe(out if unconfirmed else [p for p in out if p.status == "reported"], headline_end)

    def _frames(self, text, si, s, e, triggers, actors, mentions, dates, state, prev_actors, published
                ) -> list[_Frame]:
        bounds = _clause_bounds(text, s, e, actors, state.words)
        frames: list[_Frame] = []
        # words that only look like a change ("an abandoned outpost") do not end the clause before them
        triggers = [m for m in triggers if not _not_a_trigger(text, m, TRIGGERS[int(m.lastgroup[1:])][0])]
        # "The SDF, which has held the east bank for years, moved into the city": the relative clause
        # ends at the comma before the main verb
        for m in triggers:
            comma = _COMMA_BEFORE.search(text, max(s, m.start() - 12), m.start())
            if comma and _in_relative_clause(text, bounds, m.start()) and comma.start() not in bounds:
                bounds = sorted([*bounds, comma.start()])
        for k, m in enumerate(triggers):
            ttype = TRIGGERS[int(m.lastgroup[1:])][0]
            surface = m.group()
            if ttype == "gain" and surface.casefold().endswith(" of") and len(surface.split()) > 2 \
                    and surface.split()[0].casefold() in _OF_NOUNS:
                surface = f"{surface.split()[0]} of"  # "the capture earlier this year of Tabqa": the noun
            cs, ce = _clause_of(bounds, m.start(), s, e)
            # what follows a verb up to the next one is its business ("took X from Y, ... held by Z")
            if k + 1 < len(triggers):
                ce = min(ce, max(m.end(), triggers[k + 1].start()))
            end = m.end()
            if (ttype == "handover" or surface.split()[0].casefold() in ("declare", "declared", "announced")) \
                    and len(surface.split()) > 2:
                # "handed the K-1 air base over to ...", "declared Tikrit liberated": the object sits inside
                end = m.start() + len(surface.split()[0])
            fr = _Frame(ttype, m.start(), end, surface, si, cs, ce,
                        passive=bool(_PASSIVE.search(text, max(cs, m.start() - 30), m.start())))
            self._actors(text, fr, actors, frames, prev_actors, state, mentions)
            self._sites(text, fr, mentions, state, s, e, dates, bounds)
            fr.sites = [self._unnamed_site(text, m, how) for m, how in fr.sites]
            if fr.sites or fr.to_sites:  # whether and when it happened matter only where it happened
                self._modality(text, fr, s, e, state, actors)
                self._date(text, fr, dates, state, bounds)
                self._days_after(text, fr, s, e, dates, state, published)
            state.event_sites.extend(m for m, _ in fr.sites)
            frames.append(fr)
        return frames

    # -- modality: is it a fact of the date? ------------------------------------------------------
    def _modality(self, text: str, fr: _Frame, s: int, e: int, state: _Story, actors: list[ActorMention]) -> None:
        word = fr.surface.split()[0].casefold()
        tail = text[fr.end:fr.clause_end]
        if text[max(s, e - 8):e].rstrip().endswith("?"):
            fr.status, fr.status_why = "claimed", "asked, not stated (a question)"
            return
        words, vocab = state.words, state.vocabulary  # (what cannot begin in the sentence is not searched for)
        denial = search(_DENIAL, text, s, fr.start, words, vocab)
        if denial and not _TURN.search(text, denial.end(), fr.start):
            fr.status, fr.status_why = "denied", f"denied ({denial.group()!r})"
            return
        # a party's claim, or a report nobody could check: not yet a fact
        claim = search(_CLAIM, text, s, fr.start, words, vocab)
        if claim and _TURN.search(text, claim.end(), fr.start):
            claim = None
        claim = claim or search(_UNVERIFIED, text, fr.end, e, words, vocab) or _UNVERIFIED_NEXT.match(text, e)
        if claim:
            fr.status, fr.status_why = "claimed", f"a claim, not confirmed ({claim.group().strip()[:40]!r})"
            return
        neg = next((n for n in Alternation.of(_NEGATION).finditer(text, fr.clause_start, fr.start, words)
                    if n.group().casefold() != "no" or _NO_FORCES.match(text, n.end(), fr.start)), None)
        if neg or _NO_AFTER.match(tail) and fr.type in ("leave", "arrive"):
            fr.status, fr.status_why = "denied", f"negated ({(neg.group() if neg else 'no')!r})"
            return
        fut = search(_FUTURE, text, fr.clause_start, fr.start, words, vocab) or _unmet_condition(text, s, fr, actors)
        if fut and _TO_NAME.match(fut.group()):
            fut = None  # "troops ordered to Iraq arrived": sent somewhere, not yet to do something
        if fut and re.match(r"once\s+(?:the|a|an)\b", fut.group(), re.IGNORECASE) \
                and text[:fut.start()].rstrip().endswith(","):
            fut = None  # ", once the capital of ...,": formerly, not a condition
        if fut is None and fr.type != "hold":
            # "to take", unless "began to take", "the first city to fall" (all end right before the verb)
            near = max(fr.clause_start, fr.start - 60)
            fut = search(_INFINITIVE, text, near, fr.start, words, vocab)
            if fut and (search(_BEGAN_TO, text, near, fr.start, words, vocab) or
                        search(_RANKED_TO, text, near, fr.start, words, vocab)):
                fut = None
        if fut:
            fr.status, fr.status_why = "planned", f"planned or conditional ({fut.group().strip()[:30]!r})"
            return
        progressive = word.endswith("ing") and search(_PROGRESSIVE, text, fr.clause_start, fr.start, words, vocab)
        # "began arriving": a presence that has begun (a withdrawal that has begun has not ended)
        if progressive and not (fr.type == "arrive" and _STARTED.match(progressive.group())):
            fr.status, fr.status_why = "ongoing", f"under way, not complete ({fr.surface!r})"
            return
        if fr.type == "hold" and (word == "had" or _HAD_BEEN.search(text, max(fr.clause_start, fr.start - 20),
                                                                      fr.start)) \
                and not search(_SINCE, text, fr.end, e, words, vocab):
            fr.status, fr.status_why = "ongoing", "a state before the story, with no date of its own"
            return
        if fr.type in ("gain", "weakgain") and _PARTIAL.match(text, fr.end, fr.clause_end):
            fr.status, fr.status_why = "ongoing", "only part of the place taken"
            return
        if fr.surface.casefold() in _NOUNS and _UNDER_WAY.match(text, fr.end, fr.clause_end):
            fr.status, fr.status_why = "ongoing", f"under way, not complete ({fr.surface!r})"
            return
        if word.endswith("ing") and word not in ("leaving", "handing") and fr.surface.casefold() not in _NOUNS \
                and not progressive:
            prev = text[max(fr.clause_start, fr.start - 40):fr.start]
            if not _DONE_BEFORE.search(prev):
                fr.status, fr.status_why = "ongoing", f"described, not reported as done ({fr.surface!r})"

    # -- actors ---------------------------------------------------------------------------------
    def _actors(self, text, fr: _Frame, actors: list[ActorMention], frames: list[_Frame], prev_actors, state,
                mentions: list[Mention]):
        in_clause = [a for a in actors if fr.clause_start <= a.start and a.end <= fr.clause_end]
        after = [a for a in in_clause if a.start >= fr.end]
        for a in after:
            prep = text[max(fr.start, a.start - 12):a.start].casefold()
            if a.pronoun:
                a = self._antecedent(a, actors, [], prev_actors, state)
                if a is None:
                    continue
            if _ENDS_BY.search(prep) and fr.agent is None:
                fr.agent = a
            elif _ENDS_TO.search(prep) and fr.to_actor is None:
                fr.to_actor = a
            elif _ENDS_FROM.search(prep) and fr.from_actor is None:
                fr.from_actor = a
            elif _ENDS_OF.search(prep) and fr.surface.casefold() in _NOUNS and fr.subject is None:
                fr.subject, fr.subject_how = a, "named after the noun"
        if fr.type == "gain" and _FELL.match(fr.surface) and fr.agent is None:
            # "fell to X": the actor after "to" gains
            fr.agent, fr.to_actor = fr.to_actor, None
        if fr.subject is not None:
            return
        if fr.surface.casefold() in _NOUNS:
            self._noun_subject(text, fr, in_clause, frames, prev_actors, state)
            return
        before = [a for a in in_clause if a.end <= fr.start]
        # an actor inside "from X" / "to X" before the trigger is not its subject
        before = [a for a in before if not _ENDS_PREP.search(text, max(fr.clause_start, a.start - 10), a.start)
                  or _MEMBERS_OF.search(text, max(fr.clause_start, a.start - 30), a.start)]
        # not the supporters, nor the object of an earlier verb ("drove the Islamic State group out of"),
        # nor a name that only qualifies an act ("in the face of the Islamic State advance")
        doers = [a for a in before if not a.speaker and not a.pronoun
                 and not _SUPPORTER.search(text, max(fr.clause_start, a.start - 30), a.start)
                 and not _ACT_AFTER.match(text, a.end)
                 and not any(f.start <= a.start < f.end and f.sentence == fr.sentence for f in frames)]
        if frames and frames[-1].subject is not None and frames[-1].sentence == fr.sentence and \
                fr.surface.split()[0].casefold().endswith("ing") and _PARTICIPLE_AFTER.search(
                    text, max(fr.clause_start, fr.start - 3), fr.start):
            # "drove IS out of Palmyra on Sunday, retaking the city": the doer of the main verb
            fr.subject, fr.subject_how = frames[-1].subject, "the subject of the main verb"
            fr.co_subjects = frames[-1].co_subjects
            return
        if doers:
            k = len(doers) - 1
            # "Turkish troops and allied Syrian fighters captured": the first of the joint subject
            while k > 0 and _JOINT_GAP.fullmatch(text, doers[k - 1].end, doers[k].start):
                k -= 1
            fr.subject, fr.subject_how = doers[k], "named"
            fr.co_subjects = doers[k + 1:]
            return
        pron = [a for a in before if a.pronoun]
        if pron:
            fr.subject, fr.subject_how = self._antecedent(pron[-1], actors, frames, prev_actors, state), "pronoun"
            return
        speakers = [a for a in before if a.speaker]
        if speakers:
            fr.subject, fr.subject_how = speakers[-1], "the source speaking of itself"
            return
        opener = _OPENER.match(text, fr.clause_start, fr.clause_start + 20)
        subordinate = opener and opener.group(1).casefold() in _SUBORDINATORS
        if opener and opener.group(1).casefold() in ("who", "which"):
            # "YPG fighters and their allies, who took it from rebel factions": the ones just named (for
            # "which", unless a place was named since: "the T-4 airbase, which remains ...")
            named = [a for a in actors if a.end <= fr.clause_start and not a.speaker and not a.pronoun]
            if named and fr.clause_start - named[-1].end <= 60 and not (opener.group(1).casefold() == "which" and any(
                    named[-1].end <= m.start < fr.clause_start for m in mentions)):
                fr.subject, fr.subject_how = named[-1], "named before 'who'"
                return
        if frames and frames[-1].subject is not None and frames[-1].sentence == fr.sentence and not subordinate:
            # "left the base and handed it to ...": the same doer
            fr.subject, fr.subject_how = frames[-1].subject, "shared with the previous verb"

    def _noun_subject(self, text, fr, in_clause, frames, prev_actors, state) -> None:
        """Actors of a noun ("the US withdrawal", "their withdrawal", "completed its pullout")."""
        near = [a for a in in_clause if a.end <= fr.start and fr.start - a.end <= 12]
        if near:
            a = near[-1]
            if re.fullmatch(r"(?i)its|their", text[a.end:fr.start].strip()):
                pass
            elif a.pronoun:  # "the militants' capture of al-Sukhnah"
                fr.subject, fr.subject_how = self._antecedent(a, in_clause, frames, prev_actors, state), "pronoun"
                return
            else:
                fr.subject, fr.subject_how = a, "named before the noun"
                return
        head = text[max(fr.clause_start, fr.start - 40):fr.start]
        if re.search(r"\b(?:complete[sd]?|finish(?:e[sd])?|began|begins?|start(?:ed|s)?|announce[sd]?|conclude[sd]?|"
                     r"end(?:ed|s)?)\s+(?:the|its|their|a)\s+"
                     r"(?:\w+\s+)?$", head, re.I):
            doers = [a for a in in_clause if a.end <= fr.start and not a.speaker]
            if doers and not doers[0].pronoun:
                fr.subject, fr.subject_how = doers[0], "subject of the clause"
                # "our armed forces and the Popular Mobilisation completed the liberation": both
                k = 0
                while k + 1 < len(doers) and _JOINT_GAP.fullmatch(text, doers[k].end, doers[k + 1].start):
                    k += 1
                fr.co_subjects = doers[1:k + 1]
            elif doers:
                fr.subject, fr.subject_how = self._antecedent(doers[0], in_clause, frames, prev_actors,
                                                              state), "pronoun"

    def _antecedent(self, pron: ActorMention, actors, frames, prev_actors, state) -> ActorMention | None:
        """What a pronoun refers to: the last doer for "they"/"it", else the last fitting actor named."""
        def fits(a: ActorMention | None) -> bool:
            return a is not None and (pron.refers_to != "nonstate" or a.actor not in STATE_ACTORS) \
                and (pron.refers_to != "state" or a.actor in STATE_ACTORS) \
                and (pron.refers_to != "jihadist" or a.actor in JIHADIST_ACTORS) \
                and _agrees(pron, a, state.text)

        if pron.refers_to == "whose":
            # "seized the crossing from Islamic State, whose fighters fled": the one named just before
            named = [a for a in actors if a.end <= pron.start and not a.pronoun]
            return named[-1] if named and pron.start - named[-1].end <= 12 else None
        if pron.refers_to == "speaker":
            # "our forces" in a quote: the forces of whoever speaks, else of whoever issued the statement
            # ("Statement of the General Command of the SDF"), else of the country the site is in
            speakers = [a for a in actors if a.speaker and not a.pronoun]
            return speakers[0] if speakers else state.author or \
                ActorMention(pron.start, pron.end, pron.surface, HOST_STATE)

        # "The army said its units had redeployed": the one speaking, just named
        said_by = next((a for a in reversed(actors) if a.end <= pron.start and not a.pronoun), None)
        if said_by is not None and said_by.speaker and pron.start - said_by.end <= 40 and fits(said_by):
            return said_by
        if frames and fits(frames[-1].subject) and pron.refers_to not in ("nonstate", "jihadist"):
            return frames[-1].subject
        if not frames and fits(state.last_subject) and pron.refers_to not in ("nonstate", "jihadist"):
            return state.last_subject
        earlier = [a for a in actors if a.end <= pron.start and not a.pronoun] + []
        for a in reversed(earlier):
            if fits(a):
                return a
        for a in reversed(prev_actors):
            if fits(a):
                return a
        for a in reversed(state.actors):
            if fits(a):
                return a
        # named in a sentence with no change in it ("Islamic State fighters attacked the town ...")
        for a in reversed(state.actors_before(pron.start)):
            if not a.pronoun and fits(a):
                return a
        # "The rebels take Aleppo" opening a story: the alias's own meaning
        return pron if pron.actor else None

    # -- sites ----------------------------------------------------------------------------------
    def _sites(self, text, fr: _Frame, mentions: list[Mention], state: _Story, s: int, e: int,
               dates: list[DateExpr], bounds: list[int]) -> None:
        refs = _corefs(text, fr.clause_start, fr.clause_end, mentions, state)
        cands = sorted([(m.start, m.end, m, "named") for m in mentions] + refs, key=lambda c: c[0])
        after = [c for c in cands if c[0] >= fr.end and c[1] <= fr.clause_end]
        # "Mosul's airport": the site of that kind at the place
        if after and after[0][2] is not None and _POSSESSIVE_AFTER.match(text, after[0][1]):
            kind_noun = _POSSESSIVE_KIND.match(text, after[0][1])
            if kind_noun and not text[fr.end:after[0][0]].strip(" ,").replace("the", "").strip():
                site = self._site_near(after[0][2], kind_noun.group("noun"))
                if site is not None:
                    fr.sites.append((site, f"{after[0][2].surface}'s {kind_noun.group('noun')}: the known site"))
                    return
        # a possessive place is a modifier of the object ("Syria's largest oil field")
        after = [c for c in after if not _POSSESSIVE_AFTER.match(text, c[1])]
        if fr.type != "expel" and fr.passive and any(
                fr.clause_start <= c[0] and c[1] <= fr.start for c in cands) and not (
                after and _OF_FROM.fullmatch(text, fr.end, after[0][0])):
            after = []  # "The airport outside Tal Afar had been seized by ...": its subject is the site
        away = _directions(text, after) if fr.type == "leave" else set()
        after = [c for c in after if c[0] not in away]
        if after:
            first = after[0]
            if first[2] is not None and first[2].place.kind not in SITE_KINDS and first[3] == "named":
                return  # "withdrew from Syria": a country, not a site
            lead = text[fr.end:first[0]]
            named = _UNKNOWN_NAMED_SITE.search(lead)
            if first[2] is not None and first[2].place.kind in ("city", "town") and named \
                    and named.group("name").casefold() not in NATIONALITIES \
                    and not named.group("name").endswith(("ian", "ish", "ese")):
                return  # "deployed to Bashiqa camp near Mosul": a site the gazetteer lacks, not the city
            unnamed = _UNNAMED_SITE.search(lead)
            if unnamed and first[2] is not None and first[2].place.kind in ("city", "town"):
                # "moved into a former US base near Kobane": the base, not the town
                site = self._site_near(first[2], unnamed.group("noun") or unnamed.group("bare"))
                if site is not None:
                    fr.sites.append((site, f"{unnamed.group().strip()!r} {first[2].surface}: the nearest known site"))
                return
            if fr.type != "leave" and _OUTSIDE.search(text, max(fr.end, first[0] - 40), first[0]):
                # "redeployed outside Hama", "surrendered to Kurdish forces near Dibis": not in the place
                return
            # the object, the places coordinated with it ("A and B"), skipping those that only
            # locate one of them ("A in Anbar province and B in Baghdad")
            if first[2] is not None and first[2].place.kind in ("city", "town") and _NON_SITE_NP.search(lead):
                return  # "stayed near the oil fields of Deir ez-Zor": the town only locates the object
            chosen, prev = [first], first
            for c in after[1:]:
                gap = text[prev[1]:c[0]]
                if _dated_list(text, prev, c, dates):
                    chosen.append(c)  # "A on 17 March, B on 26 March and C three days later"
                elif len(gap) <= 40 and _AND.match(gap):
                    chosen.append(c)  # "A and B", "A and from the town of B"
                elif len(gap) <= 80 and _INCLUDING.search(gap):
                    chosen.append(c)  # "the army's positions, including the K-1 base"
                elif _LOCATOR.search(gap) and len(gap) <= 40:
                    pass  # locates the site before it
                elif _COORD.match(gap):
                    chosen.append(c)
                else:
                    break
                prev = c
            for c in chosen:
                for mention in ([c[2]] if c[2] is not None else c[4]):
                    # a capital named for its government ("the agreement reached with Damascus") is no site
                    if mention.place.kind in SITE_KINDS and not (c[2] is not None and mention.start in state.metonyms):
                        lead_in = text[max(fr.end, c[0] - 10):c[0]]
                        if fr.type == "leave" and re.search(r"\bto\s+(?:the\s+)?$", lead_in, re.I):
                            fr.to_sites.append(mention)  # "withdrew from A to B": they went to B
                        else:
                            fr.sites.append((mention, c[3]))
            if len(chosen) > 1:
                self._site_dates(fr, chosen, dates)
            for c in chosen:
                towns = [m for m in ([c[2]] if c[2] is not None else c[4]) if m.place.kind in ("city", "town")]
                own = _AND_ITS_SITE.match(text, c[1]) if len(towns) == 1 else None
                site = self._site_near(towns[0], own.group("noun")) if own else None
                if site is not None:  # "the city of Tabqa and its military airport"
                    fr.sites.append((site, f"{text[c[0]:c[1]]} and its {own.group('noun')}: the known site"))
            if fr.sites or fr.to_sites:
                return
        if _OTHER_OBJECT.match(text, fr.end, fr.clause_end):
            return  # "fled the country", "left several positions": an object that is no site
        before = [c for c in cands if fr.clause_start <= c[0] and c[1] <= fr.start]
        before = [c for c in before if not _POSSESSIVE_AFTER.match(text, c[1])]
        if fr.type == "leave":
            away = _directions(text, before)
            before = [c for c in before if c[0] not in away]
        # "Fallujah, about 50 km west of Baghdad, was ...": the second place only locates the first
        before = [c for k, c in enumerate(before) if not (
            k and c[0] - before[k - 1][1] <= 40 and _LOCATOR.search(text, before[k - 1][1], c[0]))]
        # the subject of a passive is the first place of its clause ("Al-Qaim, on the border opposite the
        # town of Albu Kamal, had been recaptured"); otherwise the place nearest the verb
        for c in (before if fr.passive else
                  reversed(before)):
            ms = [c[2]] if c[2] is not None else c[4]
            good = [m for m in ms if m.place.kind in SITE_KINDS]
            if good and good[0].start not in state.locating:
                fr.sites.extend((m, c[3]) for m in good)
                return
        if fr.type in ("gain", "hold", "leave") and not after:
            # "al-Shaddadi, a town that the Islamic State had held since 2014": the place the clause is about
            opener = _OBJECT_RELATIVE.match(text, fr.clause_start, fr.start) and not (
                _COMPLEMENT_BEFORE.search(text, max(0, fr.clause_start - 40), fr.clause_start)
                or _SAID_BEFORE.search(text, max(0, fr.clause_start - 30), fr.clause_start))
            head = max((c for c in cands if c[1] <= fr.clause_start and fr.clause_start - c[1] <= 80 and
                        c[2] is not None and c[2].place.kind in SITE_KINDS and c[2].start not in state.locating),
                       default=None,
                       key=lambda c: c[1]) if opener else None
            if head is not None:
                fr.sites.append((head[2], "the place the clause is about"))
                return
        if fr.type == "remain" or fr.type == "hold" and _ACTIVE_HOLD.match(fr.surface):
            return  # "has controlled most of the east bank": a state with an object needs its own place
        # elsewhere in the sentence: military sites first, not places that only locate another
        away = _directions(text, [(m.start, m.end) for m in mentions]) if fr.type == "leave" else set()
        # not in another's relative clause ("the Observatory, which tracks the war from London")
        whole = [m for m in mentions if m.place.kind in SITE_KINDS and m.start not in state.locating
                 and m.start not in away and m.start not in state.metonyms
                 and not (_in_relative_clause(text, bounds, m.start)
                          and not fr.clause_start <= m.start < fr.clause_end)]
        if whole:
            mil = [m for m in whole if m.place.kind in _MILITARY] or whole
            best = min(mil, key=lambda m: abs(m.start - fr.start))
            fr.sites.append((best, "named in the sentence"))
            return
        if refs:
            for r in refs:
                fr.sites.extend((m, r[3]) for m in r[4])
            return
        # a bare noun ("this transfer is the result of ...") speaks of the change in general
        if state.sites and fr.type not in ("hold", "remain") and fr.surface.casefold() not in _NOUNS:
            # the site of the last change, else the last named; a military site named since then wins
            # ("26 March - Q-West, south of Mosul. Handed to Iraqi forces.")
            last = (state.event_sites or state.sites)[-1]
            named = next((x for x in reversed(state.sites[-_MEMORY:]) if x.place.kind in _MILITARY), None)
            if named is not None and named.start > last.start:
                last = named
            fr.sites.append((last, "the site the report is about"))

    def _site_near(self, town: Mention, noun: str) -> Mention | None:
        """The known military site nearest a town (within ``NEAR_KM``) of a kind the noun allows."""
        if self._military is None:
            import geo

            g = self.gazetteer or geo.default()
            self._military = [p for p in g.places(source="curated") if p.kind in _MILITARY]
        from geo.gazetteer import haversine_km

        kinds = _NOUN_KINDS.get(re.sub(r"\s+", " ", noun.casefold()).rstrip("s"), _MILITARY)
        key = (town.place.id, kinds)
        if key not in self._nearest:  # the same town and noun come back in story after story
            self._nearest[key] = min(((haversine_km(town.place.lat, town.place.lon, p.lat, p.lon), p)
                                      for p in self._military if p.kind in kinds), default=None, key=lambda x: x[0])
        best = self._nearest[key]
        if best is None or best[0] > NEAR_KM:
            return None
        return Mention(town.surface, town.start, town.end, best[1], town.score, f"{best[0]:.0f} km from {town.surface}")

    @staticmethod
    def _site_dates(fr: _Frame, chosen: list, dates: list[DateExpr]) -> None:
        """Each site of a list its own date, when the list gives one after each ("Qayyarah West on
        26 March, and K-1 three days later")."""
        ref = None
        for k, c in enumerate(chosen):
            stop = chosen[k + 1][0] if k + 1 < len(chosen) else fr.clause_end
            own = next((d for d in dates if c[1] <= d.start < stop and not d.future and not d.modifier), None)
            if own is None:
                continue
            if own.later_days and ref is not None and ref.value is not None:
                own = DateExpr(own.start, own.end, own.surface, ref.value + timedelta(days=own.later_days),
                               ref.precision)
            if own.value is None:
                continue
            for mention in ([c[2]] if c[2] is not None else c[4]):
                fr.site_dates[mention.start] = own
            ref = own

    def _unnamed_site(self, text: str, m: Mention, how: str) -> tuple[Mention, str]:
        """A town that only places the site meant ("an outpost near the town of Manbij") stands for
        the known site of that kind beside it."""
        kind_after = _KIND_NEXT.match(text, m.end) if m.place.kind in ("city", "town") else None
        if kind_after:  # "the Qaiyarah airfield": the airfield of that town
            site = self._site_near(m, kind_after.group("noun"))
            if site is not None:
                return site, f"{m.surface} {kind_after.group('noun')}: the known site"
        if m.place.kind in ("city", "town") and _BESIDE_END.search(text, max(0, m.start - 40), m.start):
            unnamed = _UNNAMED_SITE.search(text, max(0, m.start - 80), m.start)
            noun = unnamed and (unnamed.group("noun") or unnamed.group("bare"))
            site = self._site_near(m, noun) if noun else None
            if site is not None:
                return site, f"a {noun} near {m.surface}: the nearest known site"
        return m, how

    # -- dates ----------------------------------------------------------------------------------
    def _date(self, text, fr: _Frame, dates: list[DateExpr], state: _Story, bounds: list[int]) -> None:
        usable = [d for d in dates if not d.modifier]
        if any(d.future and fr.clause_start <= d.start < fr.clause_end for d in usable) and fr.status == "reported":
            fr.status, fr.status_why = "planned", "dated in the future"
        usable = [d for d in usable if not d.future]
        present = fr.type in ("arrive", "remain") and _present_state(text, fr)
        since = any(fr.clause_start <= d.start < fr.clause_end and d.start in state.since for d in usable)
        if fr.status == "reported" and (fr.type == "remain" or present) and not since:
            # "US troops remain at Erbil", "where advisers are stationed": a state, not an arrival; a
            # proposal of presence_start would date the start of a presence that began long before
            fr.status, fr.status_why = "ongoing", f"a state, not a change ({fr.surface!r})"
        if present and not any(fr.clause_start <= d.start < fr.clause_end for d in usable):
            # so when it was said, or when the report was written
            fr.date = next((d for d in usable if _SAID_ON.search(text, max(bounds[0], d.start - 30), d.start)), None)
            fr.date_how = "the date it was said" if fr.date else ""
            return
        if not usable:
            fr.date, fr.date_how = state.date, "the date the story is at" if state.date else ""
            if fr.type == "arrive" and _HAD_BEEN.search(text, max(fr.clause_start, fr.start - 30), fr.start) \
                    and fr.status == "reported":
                fr.status, fr.status_why = "ongoing", "a state before the story, with no date of its own"
            return
        in_clause = [d for d in usable if fr.clause_start <= d.start < fr.clause_end]
        if not in_clause and _WHEN_OPENER.match(text, fr.clause_start, fr.clause_end):
            # "since December 2016, when the army recaptured the east": the date the clause hangs on
            named = next((d for d in usable if d.end <= fr.clause_start and d.value is not None
                          and not text[d.end:fr.clause_start].strip(" ,")), None)
            if named is not None:
                fr.date, fr.date_how = named, "the date the 'when' clause follows"
                return
        # a date in a relative clause ("..., which Iraqi troops took in July") is that clause's own
        pool = in_clause or [d for d in usable if not _in_relative_clause(text, bounds, d.start)]
        if not pool:
            fr.date, fr.date_how = state.date, "the date the story is at" if state.date else ""
            return
        # a day before a month ("earlier this month ... took Jandaris on 8 March"), then the nearest
        best = min(pool, key=lambda d: (d.precision != "day" and any(x.precision == "day" for x in in_clause),
                                        abs(d.start - fr.end) if d.start >= fr.end else abs(fr.start - d.end) + 5))
        if best.inherit:
            # "the same day", "the day before": the date named earlier in the sentence, else the story's
            ref = next((d for d in reversed(usable) if d.end <= best.start and d.value is not None
                        and not d.inherit and not _in_relative_clause(text, bounds, d.start)), None) or state.date
            if ref is not None and ref.value is not None and best.note == "the day before":
                fr.date = DateExpr(best.start, best.end, best.surface, ref.value - timedelta(days=1), "day")
            elif ref is not None and ref.value is not None and best.month:
                fr.date = DateExpr(best.start, best.end, best.surface, date(ref.value.year, best.month, 1), "month")
            elif ref is not None and ref.value is not None and best.later_days:
                fr.date = DateExpr(best.start, best.end, best.surface, ref.value + timedelta(days=best.later_days),
                                   ref.precision)
            elif ref is not None and ref.value is not None:
                fr.date = DateExpr(best.start, best.end, best.surface, ref.value, ref.precision)
            else:
                fr.date = best if best.value is not None else state.date
            fr.date_how = "relative to the sentence's or the story's date"
        else:
            fr.date, fr.date_how = best, "in the sentence"

    def _days_after(self, text: str, fr: _Frame, s: int, e: int, dates: list[DateExpr], state: _Story,
                    published: date | None) -> None:
        """"Two days after the troops left, ...", "entered on Thursday, a day after they pulled out":
        the act in the after-clause is dated back from the sentence's other date."""
        rel = None
        for m in Alternation.of(_DAYS_AFTER).finditer(text, s, fr.start, state.words):
            if not _COMMA.search(text, m.end(), fr.start):
                rel = m
        if rel is None:
            return
        clause_end = next((k.start() for k in re.finditer(r"[,;]", text[fr.end:e])), e - fr.end) + fr.end
        outside = [d for d in dates if d.value is not None and not d.future and not d.modifier
                   and not rel.start() <= d.start < clause_end]
        before = [d for d in outside if d.start < rel.start()]
        anchor = before[-1] if before else outside[0] if outside else state.date
        if anchor is not None and anchor.value is not None:
            value, precision = anchor.value, anchor.precision
        elif published is not None:
            value, precision = published, "day"
        else:
            return
        n, unit = _to_int(rel.group("n")), rel.group("unit").casefold()
        if unit in ("day", "week"):
            value = value - timedelta(days=n * (7 if unit == "week" else 1))
        else:  # "18 months after the militants overran it": that month, not that day
            months = value.year * 12 + value.month - 1 - n * (12 if unit == "year" else 1)
            value, precision = (date(months // 12, months % 12 + 1, 1), "month") if unit == "month" else \
                (date(months // 12, 1, 1), "year")
        fr.date = DateExpr(rel.start(), rel.end(), rel.group(), value, precision)
        fr.date_how = f"{rel.group()!r} the sentence's date"

    # -- events ---------------------------------------------------------------------------------
    def _events(self, text, fr: _Frame, s, e, state: _Story, published, source_url, source_title, file):
        out: list[Proposal] = []
        if not fr.sites and not fr.to_sites:
            return out
        sub, agent, to_a, from_a = fr.subject, fr.agent, fr.to_actor, fr.from_actor
        passive = fr.passive
        gains, leaves, arrives = [], [], []
        t = fr.type
        low = fr.surface.casefold()
        if t in ("gain", "weakgain", "hold"):
            if low.startswith(("under", "in the hands")) or low.startswith("in ") and low.endswith("hands"):
                # "under full Iraqi administration", "under their control": the actor inside the phrase
                inner = [a for a in self.lexicon.find(text, fr.start, min(fr.clause_end, fr.end + 40))]
                gainer = inner[0] if inner else None
                poss = re.search(r"\b(?:their|its|our)\b", fr.surface, re.IGNORECASE)
                if gainer is None and poss:
                    # "in our hands": the side of whoever speaks
                    gainer = ActorMention(fr.start + poss.start(), fr.start + poss.end(), poss.group(), "",
                                          pronoun=True, refers_to="speaker" if poss.group().casefold() == "our"
                                          else "")
                if gainer is not None and gainer.pronoun:
                    gainer = self._antecedent(gainer, self.lexicon.find(text, s, fr.start), [], [], state)
            elif passive or _HELD_BY.match(low) or _FELL.match(low):
                gainer = agent or (to_a if passive else None)
                if gainer is None and passive and low in ("overrun", "overran", "stormed", "sacked"):
                    # "Rutbah was overrun in June 2014": by the armed group the story is about
                    gainer = self._antecedent(ActorMention(fr.start, fr.end, fr.surface, "", pronoun=True,
                                                           refers_to="nonstate"), [], [], [], state)
                elif gainer is None and passive and state.last_gainer is not None:
                    # "1 Dec. - Aleppo airport and Kuweires air base are captured": by the story's last taker
                    gainer = state.last_gainer
                    fr.subject_how = "the story's last taker"
            else:
                # "the capture of Tabqa by the SDF": the noun's doer comes after it
                gainer = sub or (agent if low in _NOUNS else None)
            gains.append((gainer, from_a))
        elif t == "expel":
            # "drove Islamic State out of Kobani"; passive: "IS was driven out of Kobani by Kurdish fighters"
            # the one driven out: inside the phrase ("drove IS out of"), or right after it ("driving out the rebels")
            inner = [a for a in self.lexicon.find(text, fr.start, fr.end) if not a.pronoun] or \
                [a for a in self.lexicon.find(text, fr.end, min(fr.clause_end, fr.end + 40)) if not a.pronoun]
            winner, loser = (agent, sub) if passive else (sub, inner[0] if inner else None)
            gains.append((winner, loser))
            if loser is not None:
                leaves.append((loser, 0.05))
        elif t == "receive":
            gains.append((sub, from_a))
            if from_a is not None:
                leaves.append((from_a, 0.05))
        elif t == "handover":
            giver = agent if passive else sub
            receiver = to_a
            if receiver is None and state.handover is not None and (giver is None or giver.actor ==
                                                                    state.handover[0].actor) \
                    and (fr.surface.casefold() not in _NOUNS or _OF_NEXT.match(text, fr.end)):
                # "the handover of the al-Qaim base on 19 March": the same hands as the story's last one
                giver, receiver = giver or state.handover[0], state.handover[1]
                fr.subject_how = fr.subject_how or "the story's last handover"
            inherited = False
            if receiver is not None and giver is None:
                # "Handed to Iraqi Security Forces." in a list of transfers: by whoever handed over or left last
                prior = state.handover[0] if state.handover is not None else state.last_leaver
                if prior is not None and prior.actor != receiver.actor:
                    giver, inherited = prior, True
                    fr.subject_how = fr.subject_how or "the story's last handover"
            if receiver is not None:
                gains.append((receiver, giver))
                if giver is not None:
                    state.handover = (giver, receiver)
            if giver is not None and (not passive or inherited):
                leaves.append((giver, 0.05))
        elif t == "leave":
            leaver = agent if passive and agent is not None else sub
            if fr.surface.casefold().startswith("leaving") and to_a is not None:
                gains.append((to_a, leaver))  # "leaving the facility to the Iraqi army"
            leaves.append((leaver, 0.0))
        elif t in ("arrive", "remain"):
            arrives.append(sub if not (passive and agent) else agent)
        for co in fr.co_subjects if sub is not None else ():
            # every actor of a joint subject does what it does
            gains += [(co, lost) for g, lost in gains if g is sub]
            leaves += [(co, pen) for g, pen in leaves if g is sub]
            arrives += [co for g in arrives if g is sub]
        sites = fr.sites
        base = _STRENGTH[t] - (0.05 if fr.surface.casefold() in _NOUNS else 0)
        evidence = text[s:e].strip()
        lead = len(text[s:e]) - len(text[s:e].lstrip())
        ev_start, ev_end = s + lead, s + lead + len(evidence)
        if s not in state.hedges:  # one search a sentence, whatever the number of its verbs
            state.hedges[s] = search(_HEDGE, text, s, e, state.words)
        hedge = state.hedges[s]

        def make(kind: str, actor_m: ActorMention | None, leaving_m, mention: Mention, how: str, penalty: float):
            notes = []
            if actor_m is None:
                return
            ev_date = fr.site_dates.get(mention.start, fr.date)
            on = ev_date.value if ev_date is not None else published
            country = mention.place.country
            actor = resolve_actor(actor_m.actor, country=country, on=on) if actor_m.actor else None
            if not actor or actor not in self.lexicon.actor_ids:
                return
            leaving = None
            if leaving_m is not None and leaving_m.actor:
                leaving = resolve_actor(leaving_m.actor, country=country, on=on)
            if kind == "presence_end":
                leaving = actor
                if fr.status == "reported":
                    state.last_leaver = actor_m
            if kind == "control" and fr.status == "reported":
                state.last_gainer = actor_m
            if leaving == actor and kind == "control":
                return
            conf = base - penalty
            if fr.subject_how in ("pronoun", "shared with the previous verb", "the source speaking of itself",
                                  "the story's last handover", "the story's last taker"):
                conf -= 0.08
                notes.append(f"actor from {fr.subject_how}")
            if actor_m.actor.startswith("~"):
                conf -= 0.03
                notes.append(f"{actor_m.surface!r} read as {actor} ({country}, {on or 'undated'})")
            if how != "named":
                conf -= 0.1 if how != "the site the report is about" else 0.2
                notes.append(f"site: {how}")
            if mention.alternatives and mention.score is not None and \
                    mention.alternatives[0][1] > mention.score - 3:
                conf -= 0.05
                notes.append(f"place name also fits {mention.alternatives[0][0].id}")
            if hedge:
                conf -= 0.12
                notes.append(f"hedged ({hedge.group()!r})")
            d, prec = None, None
            if ev_date is not None and ev_date.value is not None:
                d, prec = ev_date.value, ev_date.precision
                if fr.date_how != "in the sentence" and mention.start not in fr.site_dates:
                    conf -= 0.05
                    notes.append(f"date: {fr.date_how} ({ev_date.surface!r})")
            elif ev_date is not None and ev_date.note:
                conf -= 0.2
                notes.append(ev_date.note)
            elif published is not None:
                d, prec = published, "day"
                conf -= 0.12
                notes.append("no date in the text: the publication date")
            else:
                conf -= 0.2
                notes.append("no date in the text and no publication date")
            status, why = fr.status, fr.status_why
            if d is not None and published is not None and d > published and status == "reported":
                status, why = "planned", "dated after publication"
            if status != "reported":
                conf = min(conf, 0.2 if status == "planned" else 0.1 if status == "denied" else 0.3)
                notes.insert(0, why)
            p = mention.place
            out.append(Proposal(
                site_id=p.id, site_name=p.name, kind=kind, actor=actor, actor_leaving=leaving,
                date=_fmt(d, prec), date_precision=prec, evidence=evidence, evidence_start=ev_start,
                evidence_end=ev_end, confidence=max(0.05, min(0.97, conf)), status=status, note="; ".join(notes),
                lat=p.lat, lon=p.lon, site_kind=p.kind, site_country=p.country,
                role=_role(actor_m.surface) if kind != "control" else "", trigger=fr.surface,
                source_url=source_url, source_title=source_title,
                published=published.isoformat() if published else "", file=file,
                tracked=not self.tracked or p.id in self.tracked))

        for mention, how in sites:
            for gainer, leaving in gains:
                make("control", gainer, leaving, mention, how, 0.0)
            for leaver, pen in leaves:
                make("presence_end", leaver, None, mention, how, pen)
            for arriver in arrives:
                make("presence_start", arriver, None, mention, how, 0.1 if t == "remain" else 0.0)
        for mention in fr.to_sites:
            for leaver, _ in leaves:
                make("presence_start", leaver, None, mention, "named", 0.15)
        if out:
            state.last_subject = sub or agent or state.last_subject
        return out


# -- story state ---------------------------------------------------------------------------------
#: how many of the latest sites a back reference looks at (a long file is many stories)
_MEMORY = 40


class _Story:
    """What the report has said so far: the sites named, the date it is at, the last doer."""

    def __init__(self) -> None:
        self.sites: list[Mention] = []
        #: sites of the changes read so far: what "the base" most likely means
        self.event_sites: list[Mention] = []
        self.date: DateExpr | None = None
        self.last_subject: ActorMention | None = None
        #: the actors named so far (what "the jihadists" may refer back to, sentences later)
        self.actors: list[ActorMention] = []
        #: the report and its words, for the scans sentence by sentence
        self.text = ""
        #: a sentence's hedge ("reportedly"), by its start
        self.hedges: dict[int, re.Match | None] = {}
        self.words: Words | None = None
        #: the places named in the last sentence read
        self.last_named: list[Mention] = []
        #: the last actor read taking a site
        self.last_gainer: ActorMention | None = None
        #: the last actor read leaving a site
        self.last_leaver: ActorMention | None = None
        #: (giver, receiver) of the last handover read: what a later bare "handover of X" means
        self.handover: tuple[ActorMention, ActorMention] | None = None
        #: the words of the sentence being read
        self.vocabulary: set[str] = set()
        #: starts of the dates that open a state ("since 2015")
        self.since: set[int] = set()
        #: starts of the place mentions that stand for a government, not a place
        self.metonyms: set[int] = set()
        #: starts of the towns of the sentence being read that only locate a site named before them
        self.locating: set[int] = set()
        #: who issued the report, when it is a statement that says so in its title
        self.author: ActorMention | None = None
        #: every actor named before a position (read only when a back reference needs it)
        self.actors_before: Callable[[int], list[ActorMention]] = lambda end: []

    def see_sites(self, mentions: list[Mention]) -> None:
        # where the report was filed from ("DAMASCUS, Feb 16 -") is not a place it is about
        named = [m for m in mentions if m.place.kind in SITE_KINDS and not _dateline_place(self.text, m)]
        self.last_named = [m for m in named if m.start not in self.metonyms]
        # nor is a town that only locates a site named before it ("Q-West, south of Mosul")
        self.sites.extend(m for m in named if m.start not in self.locating)

    def see_dates(self, dates: list[DateExpr]) -> None:
        # "occupied since 11 June 2014" opens a state long past; the story does not move there
        usable = [d for d in dates if d.value is not None and not d.modifier and not d.future and not d.inherit
                  and d.start not in self.since]
        # a day moves the story on; a month or a year is mostly background ("seized in June 2014")
        precise = [d for d in usable if d.precision == "day"]
        if precise or (usable and self.date is None):
            self.date = (precise or usable)[0]


_WHEN_OPENER = re.compile(r"[\s,]*when\b", re.IGNORECASE)
#: "a spokesman said on Tuesday": the date of a statement
_SAID_ON = re.compile(r"\b(?:said|says|told\s+\w+|announced|stated|added|confirmed|reported)\s+(?:on\s+)?$",
                      re.IGNORECASE)
#: "had been stationed at the base": where they were before the story, not an arrival
_HAD_BEEN = re.compile(r"\bhad\s+been\s+(?:\w+ly\s+)?$", re.IGNORECASE)
#: "are stationed", "is based", "remain": a state in the present tense
_IS_BEFORE = re.compile(r"\b(?:is|are)\s+(?:still\s+|now\s+|currently\s+)?$", re.IGNORECASE)
_PRESENT_VERB = re.compile(r"(?:remain|remains|stay|stays|present|based)\b", re.IGNORECASE)


def _present_state(text: str, fr: _Frame) -> bool:
    return bool(_PRESENT_VERB.match(fr.surface)) or bool(
        _IS_BEFORE.search(text, max(fr.clause_start, fr.start - 20), fr.start)) and \
        fr.surface.split()[0].casefold() in ("stationed", "based", "deployed", "present")


_SINCE_BEFORE = re.compile(r"\bsince\s+$", re.IGNORECASE)


def _since(text: str, d: DateExpr) -> bool:
    """A date that opens a state ("based there since 2015")."""
    return d.surface[:5].casefold() == "since" or bool(_SINCE_BEFORE.search(text, max(0, d.start - 8), d.start))


def _sentence_of(starts: list[int], pos: int) -> int:
    return max(0, bisect_right(starts, pos) - 1)


#: "two days after": the act that follows happened that long before the sentence's date
_DAYS_AFTER = re.compile(rf"\b(?P<n>{_N})\s+(?P<unit>day|week|month|year)s?\s+after\b", re.IGNORECASE)
#: what a receiver takes over: a site, by name or by kind, or its control ("received the keys")
_RECEIVED_SITE = re.compile(
    r"\s+(?:back\s+)?(?:(?:the|a|an|its|their)\s+)?(?:(?-i:[A-Z])|(?:[\w-]+\s+){0,2}?(?:base|bases|airbase|air\s+base|"
    r"airport|airfield|camp|garrison|outpost|compound|facility|facilities|town|city|site|headquarters|control|"
    r"keys|command)\b)", re.IGNORECASE)
#: a determiner right before a participle makes it an adjective
_ATTRIBUTIVE_BEFORE = re.compile(r"\b(?:a|an|the|its|their|this|that|these|those|into|onto|toward|towards|near|of)"
                                 r"\s+(?:(?:recently|newly|now|"
                                 r"hastily|partly|partially|largely|long|once)[\s-]+)?$")
def _not_a_trigger(text: str, m: re.Match, ttype: str) -> bool:
    """Words that look like a change but are not one here."""
    w = m.group().casefold()
    if m.group()[:1].isupper() and _NAME_BEFORE.search(text, max(0, m.start() - 30), m.start()) \
            and _LOWER_NEXT.match(text, m.end()):
        return True  # "the Jazira Storm campaign": a word of a name
    after = text[m.end():m.end() + 24].casefold()
    before = text[max(0, m.start() - 16):m.start()].casefold()
    if (w.startswith("enter") or w.endswith(" into")) and \
            re.match(r"\s+(?:the\s+)?(?:outskirts|suburbs|edges?|vicinity|outer)\b", after):
        return True
    if w == "left" and re.match(r"\s*(?:behind|wing|bank|side|hand|over|unclear|open|dead|injured|wounded)\b", after):
        return True
    if w in ("leaving", "leave", "leaves") and re.match(r"\s*behind\b", after):
        return True  # "fled, leaving behind their dead": what stays, not a departure
    if w == "left" and re.match(r"\s+(?:at|inside)\s+(?:the\s+)?(?!dawn|dusk|night|noon|midnight|first|last|once|"
                                r"about|around|\d)[a-z]", after) and not re.search(r"\b(?:had|have|has)\s+$", before):
        return True  # "the staff left at the compound": those remaining there
    if w in ("left", "leave", "leaves") and re.search(r"\b(?:on|the|of)\s+$", before):
        return True
    if w.startswith("receiv") and not _RECEIVED_SITE.match(text, m.end()):
        return True  # "received no orders", "received training": not a site changing hands
    if w.startswith("station") and re.match(r"\s*(?:chief|commander|in\b)", after):
        return False
    if w in ("stationed", "based") and _FORCE_NOUN_BEFORE.search(before):
        return True  # "army units stationed in the area withdrew": where they were, not an arrival
    if w == "station" and not re.search(r"\bto\s+$", before):
        return True  # a police station, a radar station
    if w in ("transfer", "handover", "hand-over") and re.match(r"\s+(?:of\s+)?(?:weapons|funds|money|prisoners|"
                                                                 r"detainees|power|data)", after):
        return True
    if " " not in w and w.endswith(("ed", "en", "left")) and _ATTRIBUTIVE_BEFORE.search(before) \
            and re.match(r"\s+[a-z]", text[m.end():m.end() + 3], re.IGNORECASE) \
            and not re.match(r"\s+(?:by|to|from|in|at|on|over|out|back|off|into|and|or)\b", after):
        return True  # "an abandoned American outpost", "the recently vacated base": a description
    if ttype == "hold" and w.endswith("controls") and re.search(r"\b(?:border|export|arms|strict)\s+$", before):
        return True
    if _HELD_BY.match(w) and not _PASSIVE.search(before):
        # "the last crossings held by the militants" describes the crossings; "Hit, held by ..." is
        # found through the place before it
        return not re.search(r"[A-Z][\w'’-]*,?\s+$", text[max(0, m.start() - 30):m.start()])
    return False


_FORCE_NOUN_BEFORE = re.compile(rf"\b(?:{FORCE_NOUNS})\s+$", re.IGNORECASE)
#: a capitalised word inside a line, right before a word ("the Jazira Storm campaign")
_NAME_BEFORE = re.compile(r"[a-z,]\s+(?:[A-Z][\w'’-]*\s+)*[A-Z][\w'’-]*\s+$")
_LOWER_NEXT = re.compile(r"\s+[a-z]")


def _clause_bounds(text: str, s: int, e: int, actors: list[ActorMention], words: Words | None) -> list[int]:
    """Positions in the sentence where a clause begins (for subject search and negation scope)."""
    cuts = [s]
    marks = list(_BOUNDARY_MARK.finditer(text, s, e))
    # a word inside a mark (", but") is the mark's
    found = marks + [m for m in Alternation.of(_BOUNDARY_WORD).finditer(text, s, e, words)
                     if not any(k.start() <= m.start() < k.end() for k in marks)]
    for m in sorted(found, key=lambda m: m.start()):
        w = m.group().strip(" ,").casefold()
        if w == "as" and _AS_PHRASE.search(text, max(s, m.start() - 8), m.start()):
            continue  # "as long as", "as well as": the phrase's, not a clause of its own
        if w in ("as", "since") and _SUBORDINATE.match(text, m.end()):
            cuts.append(m.start())  # "as thousands of residents fled": a clause with its own subject
            continue
        if w in ("and", "or"):
            named = [a for a in actors if a.end <= m.start() and not a.speaker]
            if named and _FORCE_TAIL.fullmatch(text, named[-1].end, m.start()):
                continue  # "Iraqi troops and Popular Mobilisation fighters recaptured": one joint subject
        if w in ("and", "or", "as", "since", "that", "following"):
            # only where a new subject follows: "and Iraqi troops took over", "as government troops fled"
            nxt = [a for a in actors if m.end() <= a.start <= m.end() + 30 and not a.speaker]
            if not nxt or not _NP_START.fullmatch(text[m.end():nxt[0].start]):
                continue
        cuts.append(m.start())
        if w in _SUBORDINATORS and _CLAUSE_FIRST.search(text, s, m.start()):
            # "After the SDF said it would pull back, government troops entered ...": a clause put
            # first ends at the comma before the subject of the main one
            comma = text.find(",", m.end(), e)
            nxt = [a for a in actors if comma >= 0 and comma < a.start <= comma + 30 and not a.speaker]
            if nxt and _NP_START.fullmatch(text[comma + 1:nxt[0].start]):
                cuts.append(comma)
    cuts.append(e)
    return sorted(set(cuts))


#: before a word that opens a clause put first: the sentence's start, a colon, a dash or a comma
_CLAUSE_FIRST = re.compile(r"(?:^|(?<=\n)|[:,;(\"“—–-])\s*$")
_AS_PHRASE = re.compile(r"\b(?:long|soon|well|far|much)\s+$", re.IGNORECASE)
#: a force noun that may follow an actor's name before "and" ("Iraqi army troops and PMF fighters")
_TAIL_NOUN = r"\s*(?:(?:troops|forces|fighters|units|soldiers|personnel)\s*)?"
#: between the actors of a joint subject ("Turkish troops and allied Syrian fighters")
_JOINT_GAP = re.compile(rf"{_TAIL_NOUN}(?:,|and|,\s*and)\s+(?:[\w-]+\s+){{0,2}}", re.IGNORECASE)
#: between an actor and "and" in a joint subject: its force noun at most
_FORCE_TAIL = re.compile(rf"{_TAIL_NOUN},?\s*", re.IGNORECASE)
#: the first word of a clause
_OPENER = re.compile(r"[\s,;:]*(\w+)")
_COMMA = re.compile(r"[,;]")
_COMMA_BEFORE = re.compile(r",\s*(?:\w+ly\s+)?$")
_ACT_AFTER = re.compile(r"\s+(?:advance|advances|offensive|attacks?|assault|onslaught|campaign|siege|shelling|"
                        r"bombardment|air\s+strikes?|strikes?|rule|threat|takeover)\b", re.IGNORECASE)
#: ", retaking the city": a participle that goes with the sentence's subject
_PARTICIPLE_AFTER = re.compile(r",\s*$")
#: words that open a clause with a subject of its own
_SUBORDINATORS = frozenset("as after before while whereas when since because although though once until if unless "
                           "that which who where".split())
#: "as"/"since" opening a clause ("as thousands of residents fled"), not "as well", "as part of"
_SUBORDINATE = re.compile(rf"\s+(?!well\b|part\b|a\s+result\b|of\b|such\b|long\b|soon\b|far\b|much\b|many\s+as\b|"
                          rf"(?:19|20)\d\d\b|(?:early|mid|late\s+)?{_MON}\b|the\s+(?:start|end|beginning)\b)"
                          r"(?:the|a|an|its|their|thousands|hundreds|dozens|many|some|most|\d|(?-i:[A-Z]))",
                          re.IGNORECASE)
#: what may stand between "and" and the subject of a new clause ("and some 300 Iraqi troops")
_NP_START = re.compile(r"\s*(?:(?:on|in|by|at|after)\s+[\w-]+(?:\s+\d{1,2})?\s*,?\s+|"
                       r"(?:then|later|also|meanwhile),?\s+)?"
                       r"(?:(?:the|some|about|around|nearly|almost|over|several|many|a|an|its|their|"
                       r"additional|more|\d[\d,]*)\s+)*", re.IGNORECASE)


#: "BEIRUT, Feb 11 (Levant Wire) -": the date a wire report was filed, before its first sentence
_DATELINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?-i:[A-Z][A-Za-z .'’-]+)(?:,[ \t]*[A-Z][\w .'’-]*)?"
                              r"(?:,[ \t]*|[ \t]+\()$")
_DATELINE_AFTER = re.compile(r"(?:,?\s*\d{4})?\)?\s*(?:\([^)\n]{0,40}\)\s*)?[-–—]")


#: after the place of a dateline: a country, then its date or agency, then a dash
_DATELINE_PLACE = re.compile(r"(?=[^\n]{0,40}?[\d(])(?:,[ \t]*[A-Z][\w .'’-]*)?(?:,[ \t]*|[ \t]*\()[\w .,()]{3,40}?"
                             r"[ \t]*[-–—]")


def _dateline_place(text: str, m: Mention) -> bool:
    before = text[max(0, m.start - 40):m.start]
    at_line_start = ("\n" in before or m.start <= 40) and not before[before.rfind("\n") + 1:].strip()
    return at_line_start and bool(_DATELINE_PLACE.match(text, m.end))


def _in_dateline(text: str, d: DateExpr) -> bool:
    """Whether a date is the dateline's: the story starts on it, but it dates no act."""
    return bool(_DATELINE_AFTER.match(text, d.end)) and bool(_DATELINE_BEFORE.search(text, max(0, d.start - 60),
                                                                                       d.start))


#: between a listed site and its date: a preposition, maybe after a short locator ("al-Qaim on the
#: Syrian border on 17 March")
_DATE_PREP = re.compile(r"(?:\s+(?:on|in|near|outside|at|by|north|south|east|west)\b[^,.;:]{0,35}?)?"
                        r"\s*(?:(?:on|in|at|by)\s+)?$", re.IGNORECASE)
_LIST_JOIN = re.compile(r"\s*,?\s*(?:(?:and|as\s+well\s+as)\s+)?(?:of\s+)?(?:the\s+)?", re.IGNORECASE)


def _dated_list(text: str, prev: tuple, c: tuple, dates: list[DateExpr]) -> bool:
    """Whether two places are items of a list that dates each one: "A on 17 March, B on 26 March"
    (the date of A between them, and a date of B's own right after it)."""
    own = next((d for d in dates if prev[1] <= d.start < c[0]), None)
    if own is None or not _DATE_PREP.fullmatch(text, prev[1], own.start) \
            or not _LIST_JOIN.fullmatch(text, own.end, c[0]):
        return False
    after = next((d for d in dates if d.start >= c[1]), None)
    return after is not None and after.start - c[1] <= 60 and "," not in text[c[1]:after.start]


#: nouns of many people without a plural -s ("coalition personnel ... They left")
_PLURAL_NOUNS = frozenset("personnel police staff infantry people military peshmerga militia militiamen men "
                          "servicemen".split())


_PLURAL_AFTER = re.compile(r"\s+(?:(?!(?:its|their|says|said|and)\b)[\w-]+\s+){0,2}?"
                           r"(?:troops|forces|soldiers|fighters|units|personnel|advis[eo]rs|"
                           r"militants|police|members|commanders|trainers|marines|contingents?)\b", re.IGNORECASE)


def _agrees(pron: ActorMention, a: ActorMention, text: str = "") -> bool:
    """Number agreement: "their"/"they" want plural forces, "its"/"it" a single body (acronyms fit both);
    "Coalition troops" are plural by the noun after the name."""
    word = pron.surface.split()[0].casefold()
    last = a.surface.split()[-1]
    if last.isupper() or a.pronoun:
        return True
    plural = last.casefold().endswith("s") and not last.casefold().endswith(("ss", "us", "is")) \
        or last.casefold() in _PLURAL_NOUNS or bool(_PLURAL_AFTER.match(text, a.end))
    if word in ("their", "they"):
        return plural or a.actor in ("peshmerga", "pmf")
    if word in ("its", "it"):
        return not plural
    return True


def _in_relative_clause(text: str, bounds: list[int], pos: int) -> bool:
    start = max((b for b in bounds if b <= pos), default=0)
    opener = _RELATIVE_OPENER.match(text, start, start + 16)
    # "confirmed that US forces left on Tuesday": what was said, not a relative clause
    return bool(opener) and not (opener.group(1).casefold() == "that" and
                                 _SAID_BEFORE.search(text, max(0, start - 30), start))


#: a relative clause whose object is the place before it ("a town that IS had held", "which the army retook")
_OBJECT_RELATIVE = re.compile(r"[\s,]*(?:that|which)\s+(?:the\s+)?(?:[\w-]+\s+){1,4}?"
                              r"(?:had|has|have|was|were|then|later|\w+ly\s+)*$", re.IGNORECASE)
#: "said ... and that": what was said, not a clause about the place before
_COMPLEMENT_BEFORE = re.compile(r"\b(?:and|but|or)\s*$", re.IGNORECASE)
_RELATIVE_OPENER = re.compile(r"[\s,]*(that|which|who|whom|where)\b", re.IGNORECASE)
#: verbs of saying or knowing, before "that" opens what was said
_SAID_BEFORE = re.compile(r"\b(?:said|says|say|confirmed|confirms|announced|announces|reported|reports|added|stated|"
                          r"notes?|noted|"
                          r"told\s+\w+|declared|insisted|acknowledged|showed|show)\s*,?\s*$", re.IGNORECASE)
#: "A and B", "A, along with the nearby B"
_AND = re.compile(r"\s*,?\s*(?:and|or|as\s+well\s+as|plus|along\s+with|together\s+with)\b", re.IGNORECASE)
#: "..., including the K-1 base": a part of the object named before it
_INCLUDING = re.compile(r"(?:^|[,\s])(?:including|among\s+them|notably)\s+(?:the\s+)?$", re.IGNORECASE)


def _clause_of(bounds: list[int], pos: int, s: int, e: int) -> tuple[int, int]:
    start, end = s, e
    for b in bounds:
        if b <= pos:
            start = b
        elif b > pos:
            end = b
            break
    # the clause of a trigger runs to the next boundary after it (its objects), not just the next word
    return start, end


def _corefs(text: str, cs: int, ce: int, mentions: list[Mention], state: _Story) -> list:
    """Back references in a clause ("the base", "both sites", "it"): (start, end, None, how, [mentions])."""
    out = []
    for m in Alternation.of(_COREF).finditer(text, cs, ce, state.words):
        if any(mm.start <= m.start() < mm.end for mm in mentions):
            continue
        # "the base at Taji", "the town of Hit": the name follows; not a back reference
        if any(0 <= mm.start - m.end() <= 8 and _NAMING_GAP.fullmatch(text, m.end(), mm.start) for mm in mentions):
            continue
        if m.group("both"):
            kinds = ("city", "town") if m.group("towns") else _MILITARY
            recent = [*state.sites[-_MEMORY:], *(x for x in mentions if x.end <= m.start())]
            sites = _distinct([x for x in recent if x.place.kind in kinds])[-2:]
            if len(sites) == 2:
                out.append((m.start(), m.end(), None, "'both' refers back", sites))
            continue
        if m.group("it"):
            w = text[max(cs, m.start() - 30):m.start()].casefold()
            if not _IT_OBJECT.search(w) and m.group().casefold() != "there":
                continue
            recent = sorted([*state.event_sites[-_MEMORY:], *(x for x in mentions if x.end <= m.start())],
                            key=lambda x: x.start) or state.sites[-_MEMORY:]
            # not a town that only locates a site named before it ("Union III in Baghdad")
            recent = [x for x in recent if x.place.kind in SITE_KINDS and x.start not in state.metonyms
                      and not _locates(text, x, recent)]
            if recent:
                out.append((m.start(), m.end(), None, f"{m.group()!r} refers back", [recent[-1]]))
            continue
        noun = m.group("noun").casefold()
        kinds = ("city", "town") if noun in ("town", "city") or noun.endswith("capital") else _MILITARY
        # the sites the story is about (those of earlier changes, and named just before) come first; a
        # place named in the sentence before is nearer still ("And Ramadi? The provincial capital fell ...",
        # "3. K1 air base - 29 March. The coalition vacated its area of the base.")
        recent = sorted([*state.event_sites[-_MEMORY:], *(x for x in mentions if x.end <= m.start()
                                                            and x.start not in state.metonyms),
                         *state.last_named], key=lambda x: x.start)
        pool = [x for x in recent if x.place.kind in kinds] or \
            [x for x in state.sites[-_MEMORY:] if x.place.kind in kinds and x.start not in state.metonyms]
        if pool:
            n = 2 if noun.endswith("s") and noun != "headquarters" else 1
            out.append((m.start(), m.end(), None, f"{m.group()!r} refers back", _distinct(pool)[-n:]))
    return out


#: verbs whose object "it" is a place ("handed it to", "took it from")
_IT_OBJECT = re.compile(r"\b(?:handed|hand|hands|handing|transferred|ceded|returned|arrived|deployed|left|took|taken|"
                        r"declared|captured|seized|retook|recaptured|overran|overrun|stormed|liberated|entered|abandoned|"
                        r"evacuated|vacated|out\s+of|from)\s+$")
#: between a kind word and the name it introduces ("the town of Hit", "the base at Taji")
_NAMING_GAP = re.compile(r"\s*(?:(?:of|at|in|near|outside|,)\s*)?", re.IGNORECASE)
_METONYM_BEFORE = re.compile(r"\b(?:asked|urged|told|pressed|warned|accused|called\s+on|invited|thanked|criticised|"
                             r"criticized|with|(?:authorities|government|regime|leadership|rulers)\s+in)\s+$",
                             re.IGNORECASE)
_METONYM_AFTER = re.compile(r"\s+(?:and\s+\w+\s+)?(?:said|says|agreed|announced|accused|urged|asked|warned|denied|"
                            r"insisted|demanded|has\s+said|had\s+said|launched|ordered|condemned|rejected|welcomed|"
                            r"threatened|backed|backs|supported|opposed|retaliated)\b", re.IGNORECASE)


def _metonym(text: str, m: Mention) -> bool:
    """A city named for its government ("asked Damascus for help", "Baghdad said"), not as a place."""
    return bool(_METONYM_BEFORE.search(text, max(0, m.start - 20), m.start)) or \
        bool(_METONYM_AFTER.match(text, m.end))


def _distinct(ms: list[Mention]) -> list[Mention]:
    seen: dict[str, Mention] = {}
    for m in ms:
        seen.pop(m.place.id, None)
        seen[m.place.id] = m
    return list(seen.values())


#: "was driven out of", "were expelled from": the object is the place left
_OF_FROM = re.compile(r"\s*(?:back\s+)?(?:out\s+of|from|of)\s+(?:the\s+)?$", re.IGNORECASE)
#: "Tabqa and its military airport": the site of that kind at the town
_AND_ITS_SITE = re.compile(r"\s+and\s+(?:of\s+)?its\s+(?:main\s+|military\s+|nearby\s+|international\s+)?"
                           r"(?P<noun>air\s*base|airport|airfield|base|garrison)\b", re.IGNORECASE)
_ACTIVE_HOLD = re.compile(r"(?:has|have|had|controls|now\s+control)\b", re.IGNORECASE)
#: "withdrew toward Homs", "retreated in the direction of Raqqa": where they went, not where they were
_TOWARD = re.compile(r"\b(?:towards?|into|for|in\s+the\s+direction\s+of|(?:heading|headed|bound)\s+for)\s+(?:the\s+)?"
                     r"(?:[\w-]+\s+of\s+)?$",
                     re.IGNORECASE)


#: a place that is only where forces are near ("deployed outside Hama", "on the outskirts of Manbij")
_OUTSIDE = re.compile(r"\b(?<!\bin\sand\s)(?:outside|around|near|close\s+to|on\s+the\s+(?:outskirts|edges?|edge)\s+of|"
                      rf"{_COMPASS}\s+of|\d+\s*{_DISTANCE_UNIT}"
                      r"\s+(?:\w+\s+)?(?:of|from))\s+(?:the\s+)?(?:(?:town|city|village)\s+of\s+)?$", re.IGNORECASE)


def _directions(text: str, cands: list[tuple]) -> set[int]:
    """Starts of the places a move went toward ("fled toward Deir ez-Zor and Raqqa"): for a
    departure they are not the site left."""
    out: set[int] = set()
    prev = None
    for c in cands:
        if _TOWARD.search(text, max(0, c[0] - 40), c[0]) or \
                prev is not None and prev[0] in out and _AND_GAP.fullmatch(text, prev[1], c[0]):
            out.add(c[0])
        prev = c
    return out


_AND_GAP = re.compile(r"\s*(?:,\s*)?(?:and|or)?\s*", re.IGNORECASE)


def _locates(text: str, m: Mention, mentions: list[Mention]) -> bool:
    """A town that follows a military site with "near", "west of", "in" ... locates it."""
    if m.place.kind not in ("city", "town"):
        return False
    prior = [x for x in mentions if x.end <= m.start and x.place.kind in _MILITARY]
    if not prior:
        return False
    gap = text[prior[-1].end:m.start]
    return len(gap) < 60 and bool(_LOCATOR.search(gap))


@lru_cache(maxsize=1024)
def _role(surface: str) -> str:
    """What a force is, from its name ("US advisers": advisers), for presence events."""
    for pattern, role in _ROLE:
        if pattern.search(surface):
            return role
    return ""


@lru_cache(maxsize=4096)
def _fmt(d: date | None, precision: str | None) -> str | None:
    from .dates import edtf

    return None if d is None else edtf(d, precision or "day")


def _author(text: str, actors: list[ActorMention], end: int) -> ActorMention | None:
    """The actor a statement names as its issuer in its title ("Statement of the General Command of
    the Syrian Democratic Forces"): what "our forces" means in it (``end``: where the title blocks end)."""
    title = _STATEMENT.search(text, 0, end)
    if title is None:
        return None
    return next((a for a in actors if title.start() <= a.start < end and not a.pronoun), None)


#: the title of a statement, release or communiqué
_STATEMENT = re.compile(r"\b(?:statement|communiqu[eé]|press\s+release|declaration|announcement|bulletin)\b",
                        re.IGNORECASE)


def _headline_end(text: str) -> int:
    """Where the headline ends: the last of the title blocks the report opens with (lines with no
    full stop, set apart by blank lines: a masthead, a release number, a date line, the title), 0
    when it opens with a sentence."""
    end, pos = 0, 0
    while m := _HEADLINE.match(text, pos):
        end, pos = m.end(1), m.end()
    return end


#: a title block: lines without a full stop at their end, then a blank line
_HEADLINE = re.compile(r"\s*((?:[^\n]*[^\n.!?:\s\"”][ \t]*\n)*[^\n]*[^\n.!?:\s\"”])[ \t]*\n[ \t]*\n")


def _dedupe(props: list[Proposal], headline_end: int = 0) -> list[Proposal]:
    """One proposal per claim (site, kind, actor, date, status): the surest evidence kept.  A claim
    of the headline that the body repeats is the body's (dated there; a headline has no date)."""
    in_body = {(p.site_id, p.kind, p.actor, p.status) for p in props if p.evidence_start >= headline_end}
    props = [p for p in props if p.evidence_start >= headline_end or (p.site_id, p.kind, p.actor, p.status)
             not in in_body]
    best: dict[tuple, Proposal] = {}
    for p in props:
        k = (p.site_id, p.kind, p.actor, p.date, p.status)
        if k not in best or p.confidence > best[k].confidence:
            if k in best and not p.actor_leaving:
                p.actor_leaving = best[k].actor_leaving
            best[k] = p
        elif not best[k].actor_leaving and p.actor_leaving:
            best[k].actor_leaving = p.actor_leaving
    # who left a site in the same report is who lost control of it
    ends = {(p.site_id, p.date): p.actor for p in best.values() if p.kind == "presence_end" and p.status == "reported"}
    for p in best.values():
        if p.kind == "control" and not p.actor_leaving and ends.get((p.site_id, p.date)) not in (None, p.actor):
            p.actor_leaving = ends[(p.site_id, p.date)]
    return sorted(best.values(), key=lambda p: (p.evidence_start, p.kind != "control", p.site_id))


# -- library entry points ------------------------------------------------------------------------
def _read_actors(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return [{k: (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(fh)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the actors ({exc})") from None


def ingester_for(data: str | Path | None = None) -> Ingester:
    """An ingester with the actor lexicon and tracked sites of a dataset (the bundled one by default)."""
    from .dataset import ACTORS, SITES, bundled_path

    folder = Path(data) if data is not None else bundled_path()
    if not (folder / ACTORS).is_file():
        raise InputError(f"{folder}: no {ACTORS} (is this a dataset folder?)")
    actors = _read_actors(folder / ACTORS)
    tracked: list[str] = []
    if (folder / SITES).is_file():
        with open(folder / SITES, newline="", encoding="utf-8") as fh:
            tracked = [r.get("id", "").strip() for r in csv.DictReader(fh)]
    return Ingester(Lexicon(actors), tracked=tracked)


def propose(
    text: str,
    *,
    published: date | str | None = None,
    source_url: str = "",
    source_title: str = "",
    data: str | Path | None = None,
    unconfirmed: bool = False,
) -> list[Proposal]:
    """Proposed events of one report (see ``Ingester.propose``); ``data`` picks the dataset's actors."""
    return ingester_for(data).propose(text, published=_as_date(published), source_url=source_url,
                                      source_title=source_title, unconfirmed=unconfirmed)


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    from .dates import parse_day

    return parse_day(value)


def propose_files(
    paths: Sequence[str | Path],
    *,
    published: date | str | None = None,
    source_url: str = "",
    source_title: str = "",
    data: str | Path | None = None,
    unconfirmed: bool = False,
    progress: bool | None = None,
    errors: list[str] | None = None,
) -> list[Proposal]:
    """Proposals for many files, with a progress bar when there are several (``progress`` forces it).

    A file that cannot be read is skipped and its error appended to ``errors`` (raised
    when ``errors`` is None).
    """
    ing = ingester_for(data)
    pub = _as_date(published)
    out: list[Proposal] = []
    for path in _progress(paths, progress, "file"):
        try:
            text = read_text(path)
        except InputError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        out.extend(ing.propose(text, published=pub, source_url=source_url, source_title=source_title,
                               file=str(path), unconfirmed=unconfirmed))
    return out


def propose_many(
    texts: Sequence[str],
    *,
    published: date | str | None = None,
    source_url: str = "",
    source_title: str = "",
    data: str | Path | None = None,
    unconfirmed: bool = False,
    progress: bool | None = None,
) -> list[list[Proposal]]:
    """Proposals for each of many texts (a notebook's corpus), in order, with a progress bar."""
    ing = ingester_for(data)
    pub = _as_date(published)
    return [ing.propose(t, published=pub, source_url=source_url, source_title=source_title,
                        unconfirmed=unconfirmed) for t in _progress(texts, progress, "report")]


def _progress(items: Sequence, show: bool | None, unit: str):
    """A tqdm bar on stderr for more than one item (when stderr is a terminal, unless ``show`` says)."""
    from tqdm import tqdm

    if show is None:
        show = len(items) > 1 and sys.stderr.isatty()
    return tqdm(items, desc="ingest", unit=unit, disable=not show, file=sys.stderr)


# -- command line ----------------------------------------------------------------------------------
def run_cli(args, published: date | None) -> int:
    """``garrison ingest``: print proposals (text or JSON); ``--queue`` adds them to the review queue."""
    if args.queue and not args.source_url:
        raise UsageError("--queue needs --source-url: every event in the dataset names its source")
    if args.queue and published is None:
        raise UsageError("--queue needs --published (YYYY-MM-DD): every event records its source's date")
    if args.source_url and not re.match(r"https?://\S+$", args.source_url):
        raise UsageError(f"--source-url {args.source_url!r} is not an http(s) URL")
    if published is None:
        _stderr("no --published date: relative dates ('on Sunday', 'last week') stay unresolved")
    errors: list[str] = []
    props = propose_files(args.files, published=published, source_url=args.source_url or "",
                          source_title=args.source_title or "", data=args.data, unconfirmed=True, errors=errors)
    for err in errors:
        _stderr(err)
    if errors and len(errors) == len(args.files):
        return 2
    facts = [p for p in props if p.status == "reported"]
    others = [p for p in props if p.status != "reported"]
    if args.format == "json":
        json.dump([p.to_dict() for p in facts], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_text(facts, others, len(args.files) > 1)
    if others:
        counts = {s: sum(p.status == s for p in others) for s in STATUSES if any(p.status == s for p in others)}
        _stderr("left out, not facts of the date: " + ", ".join(f"{n} {s}" for s, n in counts.items())
                + ("" if args.format == "text" else " (the text format lists them)"))
    if args.queue:
        from .review import enqueue

        added, skipped = enqueue(args.data, facts)
        print(f"queued {added} proposal(s); {skipped} already queued or among the events", file=sys.stderr)
    return 1 if errors else 0


def _print_text(facts: list[Proposal], others: list[Proposal], many: bool) -> None:
    from .dates import human
    from .review import actor_text

    if not facts:
        print("no events proposed")
    for p in facts:
        when = human(date.fromisoformat(_pad(p.date)), p.date_precision) if p.date else "date unresolved"
        where = f"{p.site_name} ({p.site_id}) {p.lat:.4f},{p.lon:.4f}" + ("" if p.tracked else " [new site]")
        print(f"{p.id}  {when:>11}  {p.kind:<14} {actor_text(p.kind, p.actor, p.actor_leaving)}  at {where}")
        print(f"{'':13}confidence {p.confidence:.2f} ({p.confidence_word})"
              + (f"; {p.note}" if p.note else "") + (f"  [{p.file}]" if many else ""))
        print(f"{'':13}evidence [{p.evidence_start}:{p.evidence_end}] {_clip(p.evidence)}")
    if others:
        print("\nleft out (not facts of the date):")
        for p in others:
            why = p.note.split(";")[0]
            print(f"  {p.status:<8} {p.kind} {p.actor} at {p.site_id}: {why} -- {_clip(p.evidence, 90)}")


def _pad(d: str) -> str:
    return d + "-01" * (2 - d.count("-"))


def _clip(s: str, n: int = 140) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
