"""Who is named in a report: actor mentions, from built-in patterns and the dataset's aliases.

Reports name forces in three ways, and the lexicon reads all three:

* by a name or alias ("Peshmerga", "Daesh", "CJTF-OIR") -- from ``actors.csv`` plus the
  spellings listed here;
* by nationality and a force noun ("Iraqi troops", "American advisers", "forces of the
  Syrian government") -- composed from the tables below;
* by a bare state noun ("the army", "government forces") or a family name ("Kurdish
  forces", "Syrian army") that needs the site and the date to say which actor is meant:
  Kurdish forces are the Peshmerga in Iraq and the SDF in Syria, and Syria's state forces
  are the Assad-era army until 8 December 2024 and the new government after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .wordscan import Alternation, Words, alternation

if TYPE_CHECKING:
    import pandas as pd


#: actor families resolved in context: what they become, by site country and date
KURDISH = "~kurdish"
SYRIAN_STATE = "~syrian-state"
HOST_STATE = "~host-state"
#: the Assad government fell on 8 December 2024; the dataset tracks its army and the new
#: government as two actors (see actors.csv).  State forces acting on that day itself are the old
#: army, falling back or leaving; the new government's forces act from the day after.
SYRIAN_SUCCESSION = date(2024, 12, 8)
#: the state forces of each country the dataset tracks
STATE_OF_COUNTRY = {
    "IQ": "isf", "SY": SYRIAN_STATE, "TR": "turkey", "JO": "jordan", "KW": "kuwait", "QA": "qatar",
    "AE": "uae", "SA": "saudi-arabia", "BH": "bahrain", "RU": "russia", "US": "us",
}

#: nationality words (adjective, country, capital used as metonym) -> actor or family
NATIONALITIES: dict[str, str] = {
    **dict.fromkeys(["iraqi", "iraq", "iraq's", "baghdad's"], "isf"),
    **dict.fromkeys(["us", "u.s.", "u.s", "american", "america", "america's", "united states",
                     "the united states", "us's", "washington", "pentagon"], "us"),
    **dict.fromkeys(["russian", "russia", "russia's", "moscow"], "russia"),
    **dict.fromkeys(["turkish", "turkey", "turkey's", "türkiye", "ankara"], "turkey"),
    **dict.fromkeys(["jordanian", "jordan", "jordan's"], "jordan"),
    **dict.fromkeys(["kuwaiti", "kuwait"], "kuwait"),
    **dict.fromkeys(["qatari", "qatar"], "qatar"),
    **dict.fromkeys(["emirati", "uae"], "uae"),
    **dict.fromkeys(["saudi", "saudi arabian"], "saudi-arabia"),
    **dict.fromkeys(["bahraini", "bahrain"], "bahrain"),
    **dict.fromkeys(["syrian", "syria", "syria's", "damascus"], SYRIAN_STATE),
    **dict.fromkeys(["kurdish", "kurdistan region", "krg", "kurdistan"], KURDISH),
    # members of the US-led coalition that the dataset does not track on their own
    **dict.fromkeys(["british", "uk", "french", "italian", "german", "spanish", "australian", "canadian",
                     "dutch", "norwegian", "danish", "belgian", "polish", "hungarian", "czech", "finnish",
                     "swedish", "new zealand"], "coalition"),
}
#: nouns that make a nationality a force
FORCE_NOUNS = (
    "security forces|special forces|special operations forces|armed forces|ground forces|air force|"
    "military police|counter-terrorism forces|counter-terrorism service|forces|force|troops|troop|army|military|"
    "soldiers|units|unit|personnel|advisers|advisors|trainers|marines|commandos|contingent|garrison|"
    "fighters|militias|militia|police|jets|warplanes|aircraft|staff|servicemembers|service members|battalion|"
    "brigade|brigades|division|divisions|battalions|convoy|convoys|columns|engineers|officers|contingents|"
    "detachment|elements|helicopters"
)
_FORCE = rf"(?:{FORCE_NOUNS})"
#: the words that may stand between a nationality and its force noun
_QUALIFIER = (r"(?:(?:government|regime|pro-government|federal|regular|elite|remaining|last|allied|counter-terrorism|"
              r"counterterrorism|special|special-operations|ground|army|border|armou?red|mechani[sz]ed|infantry|"
              r"airborne|commando|tribal|reserve|fresh|additional|new)\s+){0,2}")

#: names and spellings beyond those in actors.csv (the dataset's aliases are added to these)
BUILTIN_ALIASES: dict[str, list[str]] = {
    "isf": ["Iraqi Security Forces", "ISF", "Counter Terrorism Service", "Iraqi Counter-Terrorism Service",
            "Joint Operations Command", "Iraqi Joint Operations Command",
            "Golden Division"],
    "peshmerga": ["Peshmerga", "Pesh Merga", "Kurdish Peshmerga", "Kurdistan Region Guard"],
    "pmf": ["PMF", "PMU", "Popular Mobilization Forces", "Popular Mobilisation Forces", "Popular Mobilization Units",
            "Popular Mobilisation Units", "Hashd", "Hashd al-Shaabi", "al-Hashd al-Shaabi", "Hashd al-Shabi",
            "Popular Mobilization", "Popular Mobilisation"],
    "isis": ["ISIS", "ISIL", "IS", "Daesh", "Da'esh", "Islamic State", "the Islamic State", "Islamic State group",
             "Islamic State militants", "jihadists"],
    "coalition": ["US-led coalition", "U.S.-led coalition", "the coalition", "coalition", "Global Coalition",
                  "international coalition", "CJTF-OIR", "Combined Joint Task Force", "Operation Inherent Resolve",
                  "anti-ISIS coalition", "anti-IS coalition", "NATO Mission Iraq"],
    "us": ["Pentagon", "US Central Command", "CENTCOM", "U.S. Central Command"],
    "russia": ["Kremlin", "the Kremlin", "Russian Defence Ministry", "Russian Defense Ministry"],
    "sdf": ["SDF", "Syrian Democratic Forces", "YPG", "People's Protection Units", "Kurdish-led SDF",
            "Kurdish-led forces", "Kurdish-led fighters", "Kurdish-led alliance", "Kurdish-led militia"],
    "syrian-opposition": ["rebels", "Syrian rebels", "opposition fighters", "opposition forces", "insurgents",
                          "rebel fighters", "rebel groups", "rebel factions", "rebel coalition", "rebel alliance",
                          "Hayat Tahrir al-Sham", "HTS", "Free Syrian Army", "FSA"],
    "sna": ["SNA", "Syrian National Army", "Turkish-backed factions", "Turkish-backed fighters"],
    "maghawir": ["Maghawir al-Thawra", "Syrian Free Army", "Revolutionary Commando Army"],
}
#: words that stand for the state's own forces of whatever country the site is in
HOST_STATE_WORDS = (
    r"(?:the\s+)?(?:government|regime|state|security|armed|national)\s+(?:forces|troops|army|soldiers|units)"
    r"|the\s+army|the\s+military|army\s+units|army\s+troops|the\s+armed\s+forces|government\s+troops"
    r"|the\s+(?:government|regime)(?![\w-]|\s+(?:of|in)\b)"
    r"|(?:army|police)\s+and\s+(?:federal\s+)?(?:army|police)\s+(?:units|forces|troops)|police\s+(?:units|forces)"
    r"|the\s+(?:defen[cs]e|interior)\s+ministry|the\s+ministry\s+of\s+(?:defen[cs]e|the\s+interior)"
    r"|federal\s+(?:troops|forces|police|units)|counter-?terrorism\s+(?:units|forces|troops|service)"
)
#: a nationality followed by these is not itself a force ("US-backed SDF")
#: a kind of site after a name makes it the name of the place ("the Joint Operations Command headquarters")
_SITE_AFTER = re.compile(r"\s+(?:headquarters|HQ|base|compound|building|complex)\b", re.IGNORECASE)
_MODIFIER_SUFFIX = re.compile(r"\s*-\s*(?:led|backed|trained|allied|supported|aligned|affiliated|held|controlled)\b",
                              re.IGNORECASE)
#: force nouns that refer back to an actor: "the militants", "the remaining troops" (the article is
#: found by looking back from the noun, so that the very common "the" need not start a match);
#: some of them also alone ("soldiers fled")
_FORCE_NOUNS_ALONE = ("militants|troops|forces|soldiers|fighters|jihadists|insurgents|extremists|rebels|"
                      "defenders")
_FORCE_NOUNS = frozenset(_FORCE_NOUNS_ALONE.split("|"))
_ALONE = frozenset("soldiers troops militants jihadists".split())
_THE_BEFORE = re.compile(r"\bthe\s+(?:(?-i:[a-z]+)\s+)?$", re.IGNORECASE)
#: nationality words that are also pronouns: they name a country only in capitals ("US")
_PRONOUN_LIKE = frozenset({"us", "us's"})
#: words that refer back to an actor named before
_PRONOUNS = ("they|it|the group|(?:its|their|our|whose) (?:forces|troops|soldiers|fighters|units|men|personnel)"
             "|our army"
             "|(?:hundreds|dozens|thousands|scores) of (?:soldiers|troops|fighters|militants)"
             "|(?:surviving|remaining|retreating|fleeing) (?:soldiers|troops|fighters|militants)"
             f"|{_FORCE_NOUNS_ALONE}").replace(" ", r"\s+")
#: "soldiers", "hundreds of troops": a state's army
_STATE_WORDS = re.compile(r"soldiers|(?:of|surviving|remaining|retreating|fleeing)\s+troops|^troops", re.IGNORECASE)
#: "the militants", "the group": an armed group, not a state's forces
_NONSTATE_WORDS = re.compile(r"group|militants|fighters|jihadists|insurgents|extremists|rebels", re.IGNORECASE)
#: force nouns of armed groups: a nationality before them does not make them the state's ("Syrian fighters")
_IRREGULAR = re.compile(r"\b(?:fighters|militias?|militants|gunmen|rebels|insurgents|tribesmen)$", re.IGNORECASE)
_OF_STATE = re.compile(r"\b(?:government|regime|pro-government|army|state)\b", re.IGNORECASE)
#: "the jihadists", "the extremists": a jihadist group, not any armed group
_JIHADIST_WORDS = re.compile(r"jihadists|extremists|militants", re.IGNORECASE)
#: the jihadist groups among the actors
JIHADIST_ACTORS = frozenset({"isis"})
#: "a rebel coalition", "an opposition coalition": some other alliance than the US-led one
_OTHER_COALITION = re.compile(r"(?:\b(?:a|an)\s+(?:[\w-]+\s+){0,2}|\b(?:rebel|opposition|jihadist|islamist|militant|"
                              r"insurgent|tribal|shiite|shia|sunni|governing|ruling|electoral|parliamentary|"
                              r"political)\s+)$", re.IGNORECASE)
#: the forces of states (and of the Kurdistan Region); the rest are armed groups
STATE_ACTORS = frozenset(
    "isf peshmerga coalition us syrian-arab-army syrian-government russia turkey jordan kuwait qatar uae "
    "saudi-arabia bahrain".split()) | {KURDISH, SYRIAN_STATE, HOST_STATE}


class ActorMention(NamedTuple):
    """An actor named in the text; ``actor`` may be a family (``~kurdish``) until resolved.  A named
    tuple: a report names dozens, and a frozen dataclass costs six times as much to make."""

    start: int
    end: int
    surface: str
    actor: str
    #: followed by a verb of saying ("the SDF said"): a source, not necessarily the doer
    speaker: bool = False
    #: a pronoun or "the troops": refers back to an actor named before
    pronoun: bool = False
    #: what a pronoun may refer to: "jihadist" ("the jihadists"), "nonstate" ("the militants"), "" (anyone)
    refers_to: str = ""


class Lexicon:
    """Finds actor mentions; built from the built-in spellings and a dataset's actors table."""

    def __init__(self, actors: pd.DataFrame | Iterable[Mapping[str, str]] | None = None):
        aliases: dict[str, str] = {}
        for actor_id, names in BUILTIN_ALIASES.items():
            for n in names:
                aliases.setdefault(n, actor_id)
        self.actor_ids: set[str] = set(BUILTIN_ALIASES)
        rows = actors.to_dict("records") if hasattr(actors, "to_dict") else (actors or [])
        for row in rows:
            actor_id, name, alias_text = row["id"], row.get("name", ""), row.get("aliases", "")
            if actor_id:
                self.actor_ids.add(actor_id)
                for n in [name, *str(alias_text or "").split("|")]:
                    n = n.strip()
                    # the dataset's own spelling wins over a built-in one
                    if n and len(n) > 1:
                        aliases[n] = actor_id
        self.aliases = aliases
        self._by_key = {_key(n): a for n, a in aliases.items()}
        self._alternation = self._compile(aliases)

    @staticmethod
    def _compile(aliases: dict[str, str]) -> Alternation:
        """One alternation, longest spellings first; short all-capital codes match case-sensitively."""
        names = sorted(aliases, key=len, reverse=True)
        parts = []
        for n in names:
            body = re.escape(n).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]?")
            if len(n) <= 4 and n.upper() == n:
                parts.append(rf"(?-i:{body})")
            else:
                parts.append(body)
        nat = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(NATIONALITIES, key=len, reverse=True))
        # "forces of the Syrian government", "advisers of the US-led coalition" are handled by aliases below
        # "Iraqi troops", "US F-16 jets", "Syrian government forces"
        parts.append(rf"(?P<natforce>(?:{nat})(?:'s)?\s+{_QUALIFIER}(?:(?-i:[A-Z0-9][\w-]*)\s+){{0,2}}"
                     rf"(?:{_FORCE}\s+and\s+(?:[\w-]+\s+)?)?{_FORCE})")
        parts.append(rf"(?P<forceof>{_FORCE}\s+(?:of|loyal\s+to)\s+(?:the\s+)?(?P<ofnat>{nat})(?:'s)?\s+(?:new\s+)?"
                     r"(?:government|regime|army|authorities|leadership))")
        parts.append(rf"(?P<undernat>(?:{nat}))(?=\s+(?:control|administration|command|hands|sovereignty)\b)")
        parts.append(rf"(?P<host>{HOST_STATE_WORDS})")
        parts.append(rf"(?P<country>{nat})")
        parts.append(rf"(?P<pronoun>{_PRONOUNS})")
        return alternation(tuple(parts), re.IGNORECASE, r"(?<![\w-])", r"(?![\w])")

    def find(self, text: str, start: int = 0, end: int | None = None, words: Words | None = None
             ) -> list[ActorMention]:
        """Actor mentions in ``text[start:end]``, in order (offsets into ``text``); ``words``: those
        of the whole text, when it is read sentence by sentence."""
        end = len(text) if end is None else end
        out: list[ActorMention] = []
        for m in self._alternation.finditer(text, start, end, words):
            surface = m.group()
            s, e = m.span()
            branch = m.lastgroup  # the branch's own group (None for an alias), closed last
            noun = surface.split()[-1].casefold() in _FORCE_NOUNS
            the = _THE_BEFORE.search(text, max(start, s - 24), s) if noun else None
            # "the rebels", "the insurgents" (also aliases): whoever the story calls so
            if branch == "pronoun" or the is not None and " " not in surface:
                if out and not out[-1].pronoun and not text[out[-1].end:s].strip():
                    continue  # "Islamic State militants": the noun of the name before it
                if noun and the is None and " " not in surface and surface.casefold() not in _ALONE:
                    continue  # "forces", "fighters" alone say too little
                if the is not None:
                    s, surface = the.start(), text[the.start():e]
                hint = "whose" if surface.casefold().startswith("whose") else \
                    "jihadist" if _JIHADIST_WORDS.search(surface) else \
                    "nonstate" if _NONSTATE_WORDS.search(surface) else \
                    "state" if _STATE_WORDS.search(surface) else \
                    "speaker" if surface.casefold().startswith("our") else ""
                # an alias said with "the" keeps its own meaning for when nothing came before it
                own = self._alias_actor(surface.split()[-1]) if branch != "pronoun" else None
                out.append(ActorMention(s, e, surface, own or "", pronoun=True, refers_to=hint))
                continue
            if branch in ("natforce", "country") and surface.split()[0].casefold() in _PRONOUN_LIKE \
                    and not surface.split()[0].isupper():
                continue  # "protect us left": the pronoun, not the United States
            if branch == "natforce":
                actor = NATIONALITIES[_nationality_of(surface)]
                if actor != KURDISH and _IRREGULAR.search(surface) and not _OF_STATE.search(surface):
                    continue  # "allied Syrian fighters", "Iraqi militias": not the state's own forces
            elif branch == "forceof":
                actor = NATIONALITIES[_fold(m.group("ofnat"))]
            elif branch == "undernat":
                actor = NATIONALITIES[_fold(surface)]
            elif branch == "host":
                actor = HOST_STATE
            elif branch == "country":
                if _MODIFIER_SUFFIX.match(text, e) or not _subject_like(text, e):
                    continue  # "US-backed", "Syria's largest oil field": a place or modifier
                actor = NATIONALITIES[_fold(surface)]
            else:
                actor = self._alias_actor(surface)
                if actor is None:
                    continue
                if surface.casefold() == "coalition" and _OTHER_COALITION.search(text, max(0, s - 40), s):
                    continue  # "a rebel coalition" is not the US-led one
                if _MODIFIER_SUFFIX.match(text, e) or _SITE_AFTER.match(text, e):
                    continue  # "Turkish-backed", "Kurdish-led" name another group; "... Command headquarters" a place
            out.append(ActorMention(s, e, surface, actor, speaker=_speaker(text, e)))
        return out

    def _alias_actor(self, surface: str) -> str | None:
        return self._by_key.get(_key(surface))


@lru_cache(maxsize=4096)
def _key(s: str) -> str:
    """Spelling-insensitive key of an alias: case, spaces and hyphens ignored (the same few
    spellings come back in every report)."""
    return re.sub(r"[-\s]+", "", s.casefold())


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().casefold())


@lru_cache(maxsize=4096)
def _nationality_of(surface: str) -> str:
    low = _fold(surface)
    best = ""
    for n in NATIONALITIES:
        if (low.startswith(n + " ") or low.startswith(n + "'s ")) and len(n) > len(best):
            best = n
    return best


_SPEECH_AFTER = re.compile(
    r"\s*(?:,\s*)?(?:(?:officials?|spokesm[ae]n|spokesperson|sources?|commanders?)\s+)?"
    r"(?:said|says|told|announced|stated|claimed|confirmed|denied|reported|added|insisted|declared|warned)\b",
    re.IGNORECASE)


def _speaker(text: str, end: int) -> bool:
    return bool(_SPEECH_AFTER.match(text, end))


_SUBJECT_NEXT = re.compile(
    r"\s+(?:(?:has|have|had|is|are|was|were|will|would|also|then|finally|now|formally|officially|quietly|"
    r"completely|fully|reportedly)\s+)*(?:\w+ed|took|left|withdrew|overran|retook|seized|captured|began|"
    r"handed|sent|moved|pulled|kept|keeps|holds|held|controls|remains|stays|said|says|withdraws|leaves|"
    r"takes|assumes|receives|deploys|deployed|arrived)\b", re.IGNORECASE)


def _subject_like(text: str, end: int) -> bool:
    """A bare country name acts only as a subject: "Russia withdrew", not "Syria's largest field"."""
    return bool(_SUBJECT_NEXT.match(text, end))


def resolve_actor(actor: str, *, country: str | None, on: date | None) -> str | None:
    """A concrete actor id for a mention's actor or family, given the site's country and the date."""
    if actor == HOST_STATE:
        actor = STATE_OF_COUNTRY.get(country or "", "")
        if not actor:
            return None
    if actor == KURDISH:
        return "sdf" if country == "SY" else "peshmerga"
    if actor in (SYRIAN_STATE, "syrian-arab-army", "syrian-government"):
        if on is None:
            return "syrian-arab-army" if actor == SYRIAN_STATE else actor
        return "syrian-government" if on > SYRIAN_SUCCESSION else "syrian-arab-army"
    return actor
