"""A dataset: a folder of CSV files people edit in a spreadsheet and review in git.

``sites.csv``   id (a gazetteer place id); name, lat, lon, kind, country, source_url
                only to add a site the gazetteer lacks.
``actors.csv``  id, name, aliases ("|"-separated), colour (#rrggbb).
``events.csv``  id, site_id, date, date_precision, kind, actor_id, role, source_url,
                source_title, published, evidence, confidence.

Loading checks every row and reports every problem at once, each with its file,
line, field and value.  Errors make the dataset unusable; warnings (sources that
disagree) are shown but do not stop anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from . import dates

SITES, ACTORS, EVENTS = "sites.csv", "actors.csv", "events.csv"
EVENT_KINDS = ("control", "presence_start", "presence_end")
CONFIDENCE = ("high", "medium", "low")
EVENT_COLUMNS = [
    "id", "site_id", "date", "date_precision", "kind", "actor_id", "role", "source_url",
    "source_title", "published", "evidence", "confidence",
]
ACTOR_COLUMNS = ["id", "name", "aliases", "colour"]
SITE_COLUMNS = ["id", "name", "lat", "lon", "kind", "country", "source_url"]
_REQUIRED_EVENT = [c for c in EVENT_COLUMNS if c not in ("role", "source_title")]
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def bundled_path() -> Path:
    """The dataset that ships with garrison: the coalition era in Iraq and Syria."""
    return Path(str(resources.files("layers") / "data"))


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" | "warning"
    file: str
    line: int | None
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        value = f" = {self.value!r}" if self.value != "" else ""
        return f"{self.severity}: {where}, field {self.field!r}{value}: {self.message}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def add(self, severity: str, file: str, line: int | None, fld: str, value, message: str) -> None:
        self.problems.append(Problem(severity, file, line, fld, "" if value is None else str(value), message))

    def add_rows(self, severity: str, file: str, frame: pd.DataFrame, mask, fld: str, message: str) -> None:
        """One problem for every row of ``frame`` where ``mask`` holds (vectorised checks)."""
        bad = frame.loc[np.asarray(mask, dtype=bool)]
        for line, value in zip(bad["_line"].tolist(), bad[fld].tolist() if fld in bad else [""] * len(bad)):
            self.add(severity, file, line, fld, value, message)

    def __str__(self) -> str:
        lines = [str(p) for p in self.errors + self.warnings]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


class DatasetError(ValueError):
    """A dataset with errors; ``report`` lists all of them."""

    def __init__(self, report: Report):
        self.report = report
        first = report.errors[0] if report.errors else None
        more = f" (and {len(report.errors) - 1} more; run `garrison validate`)" if len(report.errors) > 1 else ""
        super().__init__(f"{first}{more}")


def _read_csv(path: Path, report: Report, required: list[str]) -> pd.DataFrame | None:
    if not path.exists():
        report.add("error", str(path), None, "-", "", "file not found")
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        report.add("error", str(path), None, "-", "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        report.add("error", str(path), None, "-", "", f"not a readable CSV file ({exc})")
        return None
    df.columns = [c.strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    for c in missing:
        report.add("error", str(path), 1, c, "", "column missing from the header")
    if missing:
        return None
    df = df.apply(lambda s: s.str.strip())
    df["_line"] = np.arange(2, len(df) + 2)
    return df


def _check_ids(df: pd.DataFrame, file: str, report: Report) -> None:
    report.add_rows("error", file, df, df["id"] == "", "id", "empty id")
    dup = df["id"].duplicated(keep="first") & (df["id"] != "")
    report.add_rows("error", file, df, dup, "id", "id used on an earlier line")


@dataclass
class Dataset:
    """The three tables of a dataset, checked.  Build it with ``load``."""

    path: Path
    sites: pd.DataFrame
    actors: pd.DataFrame
    events: pd.DataFrame
    report: Report

    @property
    def name(self) -> str:
        return "bundled" if self.path == bundled_path() else str(self.path)


def load_sites(path: Path, report: Report, gazetteer=None) -> pd.DataFrame:
    file = str(path)
    df = _read_csv(path, report, ["id"])
    if df is None:
        return pd.DataFrame(columns=["id", "name", "kind", "country", "admin1", "lat", "lon",
                                     "precision", "source_url"])
    for c in ("name", "lat", "lon", "kind", "country", "admin1", "source_url"):
        if c not in df:
            df[c] = ""
    _check_ids(df, file, report)
    own = (df["lat"] != "") | (df["lon"] != "")
    lat = pd.to_numeric(df["lat"].where(own), errors="coerce")
    lon = pd.to_numeric(df["lon"].where(own), errors="coerce")
    report.add_rows("error", file, df, own & ~lat.between(-90, 90), "lat", "latitude must be a number from -90 to 90")
    report.add_rows("error", file, df, own & ~lon.between(-180, 180), "lon",
                    "longitude must be a number from -180 to 180")
    for c in ("name", "kind", "source_url"):
        report.add_rows("error", file, df, own & (df[c] == ""), c,
                        "a site defined here (with lat/lon) needs a name, a kind and a source_url")
    out = pd.DataFrame({
        "id": df["id"], "name": df["name"], "kind": df["kind"], "country": df["country"].str.upper(),
        "admin1": df["admin1"], "lat": lat, "lon": lon, "precision": "point",
        "source_url": df["source_url"], "_line": df["_line"],
    })
    lookup = out.index[~own.to_numpy()]
    if len(lookup):
        if gazetteer is None:
            import geo

            gazetteer = geo.default()
        from geo import UnknownPlace

        for i in lookup:
            sid = out.at[i, "id"]
            if not sid:
                continue
            try:
                p = gazetteer.place(sid)
            except UnknownPlace as exc:
                report.add("error", file, int(out.at[i, "_line"]), "id", sid,
                           f"not a gazetteer place id; add name, lat, lon, kind, country and "
                           f"source_url to define it here ({exc})")
                continue
            for c in ("name", "kind", "country", "admin1", "lat", "lon", "precision", "source_url"):
                if c in ("name", "kind", "country", "admin1") and out.at[i, c]:
                    continue  # the dataset may rename or reclassify a place
                out.at[i, c] = getattr(p, c)
    return out.drop_duplicates("id").reset_index(drop=True)


def load_actors(path: Path, report: Report) -> pd.DataFrame:
    file = str(path)
    df = _read_csv(path, report, ["id", "name"])
    if df is None:
        return pd.DataFrame(columns=ACTOR_COLUMNS)
    for c in ("aliases", "colour"):
        if c not in df:
            df[c] = ""
    _check_ids(df, file, report)
    bad = (df["colour"] != "") & ~df["colour"].str.match(_COLOUR)
    report.add_rows("error", file, df, bad, "colour", "colour must be #rrggbb")
    return df.drop_duplicates("id").reset_index(drop=True)


def load_events(path: Path, report: Report, site_ids: set[str], actor_ids: set[str]) -> pd.DataFrame:
    file = str(path)
    df = _read_csv(path, report, _REQUIRED_EVENT)
    if df is None:
        return pd.DataFrame(columns=EVENT_COLUMNS + ["start", "published_date", "_line"])
    for c in EVENT_COLUMNS:
        if c not in df:
            df[c] = ""
    _check_ids(df, file, report)
    report.add_rows("error", file, df, ~df["site_id"].isin(site_ids), "site_id",
                    f"unknown site (not in {SITES})")
    report.add_rows("error", file, df, ~df["actor_id"].isin(actor_ids), "actor_id",
                    f"unknown actor (not in {ACTORS})")
    report.add_rows("error", file, df, ~df["kind"].isin(EVENT_KINDS), "kind",
                    f"kind must be one of {', '.join(EVENT_KINDS)}")
    report.add_rows("error", file, df, ~df["confidence"].isin(CONFIDENCE), "confidence",
                    f"confidence must be one of {', '.join(CONFIDENCE)}")
    report.add_rows("error", file, df, ~df["source_url"].str.match(r"https?://\S+$"), "source_url",
                    "every event needs the http(s) URL of its source")
    start, written = dates.parse_series(df["date"])
    report.add_rows("error", file, df, start.isna(), "date",
                    "not a calendar date (YYYY-MM-DD, YYYY-MM or YYYY)")
    declared = df["date_precision"].where(df["date_precision"] != "", written)
    report.add_rows("error", file, df, ~declared.isin(dates.PRECISIONS), "date_precision",
                    "date_precision must be day, month or year")
    report.add_rows("error", file, df, start.notna() & declared.isin(dates.PRECISIONS) & (declared != written),
                    "date_precision", "does not match how the date is written")
    published, pub_prec = dates.parse_series(df["published"])
    report.add_rows("error", file, df, published.isna() | (pub_prec != "day"), "published",
                    "publication date of the source must be YYYY-MM-DD")
    report.add_rows("error", file, df, start.notna() & published.notna() & (start > published), "date",
                    "event is dated after its source was published")
    df["date_precision"] = declared
    df["start"] = start
    df["published_date"] = published
    claim = ["site_id", "kind", "actor_id", "start", "source_url"]
    dup = df.duplicated(claim, keep="first") & ~df["id"].duplicated(keep=False)
    report.add_rows("warning", file, df, dup, "id", "same claim from the same source as an earlier line")
    return df


def load(path: str | Path | None = None, *, strict: bool = True, gazetteer=None) -> Dataset:
    """Read and check a dataset folder (the bundled one by default).

    With ``strict`` a dataset with errors raises ``DatasetError``; otherwise the
    rows that passed are kept and the report says what was wrong.
    """
    folder = Path(path) if path is not None else bundled_path()
    report = Report()
    if not folder.is_dir():
        report.add("error", str(folder), None, "-", "", "dataset folder not found")
        raise DatasetError(report)
    sites = load_sites(folder / SITES, report, gazetteer)
    actors = load_actors(folder / ACTORS, report)
    events = load_events(folder / EVENTS, report, set(sites["id"]), set(actors["id"]))
    if len(events):
        from .timeline import track_warnings

        for line, fld, value, message in track_warnings(events):
            report.add("warning", str(folder / EVENTS), line, fld, value, message)
        bad_lines = {p.line for p in report.errors if p.file == str(folder / EVENTS)}
        events = events[~events["_line"].isin(bad_lines)].reset_index(drop=True)
    if strict and report.errors:
        raise DatasetError(report)
    return Dataset(folder, sites, actors, events, report)
