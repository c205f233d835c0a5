"""What the gazetteer hands out: places, and answers that explain themselves."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Place:
    """One named location, wherever it came from."""

    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    admin1: str = ""
    population: int = 0
    aliases: tuple[str, ...] = ()
    geonames_id: int | None = None
    wikidata: str = ""
    source: str = ""
    source_url: str = ""
    #: "point" when the source locates the place itself, "locality" when only its town.
    precision: str = "point"
    #: the GeoNames code of the first-level division (``admin1`` is its name, empty when unknown)
    admin1_code: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["aliases"] = list(self.aliases)
        return d


@dataclass(frozen=True)
class Candidate:
    place: Place
    score: float
    reason: str


@dataclass(frozen=True)
class Resolution:
    """The winning place for a query, with why it won and what else was close."""

    query: str
    place: Place
    score: float
    reason: str
    runners_up: tuple[Candidate, ...] = field(default=())

    def to_dict(self) -> dict:
        p = self.place
        return {
            "query": self.query,
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "country": p.country,
            "admin1": p.admin1,
            "admin1_code": p.admin1_code or None,
            "lat": p.lat,
            "lon": p.lon,
            "score": round(self.score, 1),
            "reason": self.reason,
            "precision": p.precision,
            "source": p.source,
            "source_url": p.source_url,
            "runners_up": [
                {"id": c.place.id, "name": c.place.name, "kind": c.place.kind,
                 "country": c.place.country, "score": round(c.score, 1)}
                for c in self.runners_up
            ],
        }


class UnknownPlace(LookupError):
    """No place matches a name; carries the nearest names as suggestions."""

    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown place {query!r}{hint}")
