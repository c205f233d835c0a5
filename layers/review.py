"""The review queue: proposals wait in ``proposals.csv`` beside the events until a person decides.

``enqueue`` adds proposals (skipping claims already queued, rejected or among the events
from the same source); ``garrison review`` lists the waiting ones; ``accept`` moves them
into ``events.csv`` with their provenance (and adds a site the dataset does not track
yet to ``sites.csv``); ``reject`` marks them so the same report does not propose them
again.  Every change rewrites the files together (``fileio.replace_many``): a reader
sees the queue and the events either both before or both after.
"""

from __future__ import annotations

import csv
import io
import shlex
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from .cli import UsageError
from .dataset import ACTORS, CONFIDENCE, EVENT_COLUMNS, EVENT_KINDS, EVENTS, SITES, bundled_path
from .fileio import replace_many

PROPOSALS = "proposals.csv"
PROPOSAL_COLUMNS = [
    "id", "status", "site_id", "date", "date_precision", "kind", "actor_id", "actor_leaving", "role",
    "source_url", "source_title", "published", "evidence", "evidence_start", "evidence_end", "confidence",
    "site_name", "lat", "lon", "note", "file", "queued",
]
#: the longest evidence kept in events.csv (a sentence or two of the report)
EVIDENCE_CHARS = 300


class ReviewError(UsageError, ValueError):
    """A queue operation that cannot be done; names the proposal, file and field."""


def _folder(data: str | Path | None, *, write: bool) -> Path:
    folder = Path(data) if data is not None else bundled_path()
    if write and data is None:
        raise ReviewError("the bundled dataset ships with garrison and is not written to: copy its folder "
                          f"({bundled_path()}) to one of your own and pass --data FOLDER")
    if not folder.is_dir():
        raise ReviewError(f"{folder}: dataset folder not found")
    if not (folder / EVENTS).is_file():
        raise ReviewError(f"{folder}: no {EVENTS} (is this a dataset folder?)")
    return folder


def _read_rows(path: Path) -> tuple[list[str], list[dict]]:
    if not path.exists():
        return [], []
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except UnicodeDecodeError as exc:
        raise ReviewError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except csv.Error as exc:
        raise ReviewError(f"{path}: not a readable CSV file ({exc})") from None


def read_queue(data: str | Path | None = None) -> list[dict]:
    """Every row of the queue (waiting and rejected), as dicts of strings."""
    folder = _folder(data, write=False)
    cols, rows = _read_rows(folder / PROPOSALS)
    missing = [c for c in ("id", "status", "site_id", "kind", "actor_id") if cols and c not in cols]
    if missing:
        raise ReviewError(f"{folder / PROPOSALS}, line 1, field {missing[0]!r}: column missing from the header")
    return rows


def _write_csv(columns: list[str], rows: Iterable[dict]):
    def writer(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return writer


def _append_csv(path: Path, columns: list[str], rows: list[dict]):
    """Keep the file's own lines byte for byte and add rows after them (a small diff for git)."""
    def writer(tmp: Path) -> None:
        old = path.read_bytes() if path.exists() else b""
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        if not old:
            w.writeheader()
        w.writerows(rows)
        with open(tmp, "wb") as fh:
            fh.write(old)
            if old and not old.endswith(b"\n"):
                fh.write(b"\n")
            fh.write(buf.getvalue().encode("utf-8"))
    return writer


def enqueue(data: str | Path | None, proposals: Sequence) -> tuple[int, int]:
    """Add proposals (``layers.ingest.Proposal``) to the queue; returns (added, skipped)."""
    folder = _folder(data, write=True)
    queue = read_queue(folder)
    _, events = _read_rows(folder / EVENTS)
    known_ids = {r["id"] for r in queue}
    queued_claims = {_claim(r["site_id"], r["kind"], r["actor_id"], r.get("date", ""), r.get("source_url", ""))
                     for r in queue}
    event_claims = {_claim(r.get("site_id", ""), r.get("kind", ""), r.get("actor_id", ""), r.get("date", ""),
                           r.get("source_url", "")) for r in events}
    added: list[dict] = []
    skipped = 0
    for p in proposals:
        claim = _claim(p.site_id, p.kind, p.actor, p.date or "", p.source_url)
        if p.id in known_ids or claim in queued_claims or claim in event_claims:
            skipped += 1
            continue
        known_ids.add(p.id)
        queued_claims.add(claim)
        added.append({
            "id": p.id, "status": "pending", "site_id": p.site_id, "date": p.date or "",
            "date_precision": p.date_precision or "", "kind": p.kind, "actor_id": p.actor,
            "actor_leaving": p.actor_leaving or "", "role": p.role, "source_url": p.source_url,
            "source_title": p.source_title, "published": p.published, "evidence": p.evidence,
            "evidence_start": p.evidence_start, "evidence_end": p.evidence_end,
            "confidence": f"{p.confidence:.2f}", "site_name": p.site_name,
            "lat": "" if p.lat is None else p.lat, "lon": "" if p.lon is None else p.lon,
            "note": p.note, "file": p.file, "queued": date.today().isoformat(),
        })
    if added:
        replace_many({folder / PROPOSALS: _write_csv(PROPOSAL_COLUMNS, [*queue, *added])})
    return len(added), skipped


def _claim(site: str, kind: str, actor: str, when: str, url: str) -> tuple[str, ...]:
    return (site, kind, actor, when, url)


def decide(data: str | Path | None, accept: Sequence[str] = (), reject: Sequence[str] = (),
           gazetteer=None) -> tuple[list[str], list[str]]:
    """Accept and reject queued proposals in one atomic write; returns (new event ids, rejected ids)."""
    folder = _folder(data, write=True)
    queue = read_queue(folder)
    by_id = {r["id"]: r for r in queue}
    both = set(accept) & set(reject)
    if both:
        raise ReviewError(f"{', '.join(sorted(both))}: cannot be both accepted and rejected")
    unknown = [i for i in [*accept, *reject] if i not in by_id]
    if unknown:
        raise ReviewError(f"{folder / PROPOSALS}: no proposal {', '.join(unknown)} "
                          "(run `garrison review` to list them)")
    done = [i for i in [*accept, *reject] if by_id[i]["status"] != "pending"]
    if done:
        raise ReviewError(f"{', '.join(done)}: already {by_id[done[0]]['status']}")
    ev_cols, events = _read_rows(folder / EVENTS)
    ev_cols = ev_cols or EVENT_COLUMNS
    site_cols, sites = _read_rows(folder / SITES)
    _, actors = _read_rows(folder / ACTORS)
    actor_ids = {a.get("id", "") for a in actors}
    site_ids = {s.get("id", "") for s in sites}
    event_ids = {e.get("id", "") for e in events}
    new_events: list[dict] = []
    new_sites: list[dict] = []
    for pid in dict.fromkeys(accept):
        row = by_id[pid]
        _check(folder, row, actor_ids, gazetteer)
        eid = _event_id(row, event_ids)
        event_ids.add(eid)
        conf = float(row.get("confidence") or 0)
        evidence = " ".join(row.get("evidence", "").split())
        if len(evidence) > EVIDENCE_CHARS:
            evidence = evidence[:EVIDENCE_CHARS - 1] + "…"
        new_events.append({
            "id": eid, "site_id": row["site_id"], "date": row["date"], "date_precision": row["date_precision"],
            "kind": row["kind"], "actor_id": row["actor_id"], "role": row.get("role", ""),
            "source_url": row["source_url"], "source_title": row.get("source_title", ""),
            "published": row["published"], "evidence": evidence, "confidence": _word(conf),
        })
        if row["site_id"] not in site_ids and row["site_id"] not in {s["id"] for s in new_sites}:
            new_sites.append({"id": row["site_id"]})
        row["status"] = "accepted"
    for pid in dict.fromkeys(reject):
        by_id[pid]["status"] = "rejected"
    remaining = [r for r in queue if r["status"] != "accepted"]
    writes = {folder / PROPOSALS: _write_csv(PROPOSAL_COLUMNS, remaining)}
    if new_events:
        writes[folder / EVENTS] = _append_csv(folder / EVENTS, ev_cols, new_events)
    if new_sites:
        writes[folder / SITES] = _append_csv(folder / SITES, site_cols or ["id"], new_sites)
    replace_many(writes)
    return [e["id"] for e in new_events], list(dict.fromkeys(reject))


def _word(conf: float) -> str:
    """events.csv's confidence words for a numeric confidence (0.75 and over high, 0.5 medium)."""
    return CONFIDENCE[0] if conf >= 0.75 else CONFIDENCE[1] if conf >= 0.5 else CONFIDENCE[2]


def _check(folder: Path, row: dict, actor_ids: set[str], gazetteer) -> None:
    """Refuse a proposal the dataset could not load, naming the field."""
    where = f"{folder / PROPOSALS}, proposal {row['id']}"
    if row["kind"] not in EVENT_KINDS:
        raise ReviewError(f"{where}, field 'kind': {row['kind']!r} is not one of {', '.join(EVENT_KINDS)}")
    if row["actor_id"] not in actor_ids:
        raise ReviewError(f"{where}, field 'actor_id': {row['actor_id']!r} is not in {ACTORS}")
    if not row.get("date"):
        raise ReviewError(f"{where}, field 'date': no date (edit the proposal's date, then accept it)")
    if not row.get("source_url", "").startswith(("http://", "https://")):
        raise ReviewError(f"{where}, field 'source_url': events need the http(s) URL of their source")
    from .dates import DateError, parse

    try:
        start, _ = parse(row["date"], row.get("date_precision") or None)
        published, prec = parse(row.get("published", ""))
    except DateError as exc:
        raise ReviewError(f"{where}: {exc}") from None
    if prec != "day":
        raise ReviewError(f"{where}, field 'published': the source's date must be YYYY-MM-DD")
    if start > published:
        raise ReviewError(f"{where}, field 'date': {row['date']} is after the source was published ({published})")
    if gazetteer is None:
        import geo

        gazetteer = geo.default()
    if row["site_id"] not in gazetteer:
        raise ReviewError(f"{where}, field 'site_id': {row['site_id']!r} is not a gazetteer place")


def _event_id(row: dict, taken: set[str]) -> str:
    """The dataset's id style: site-YYYYMMDD-kind-actor, with -2, -3 ... for more sources."""
    base = f"{row['site_id'].replace(':', '-')}-{row['date'].replace('-', '')}-{row['kind']}-{row['actor_id']}"
    eid, n = base, 1
    while eid in taken:
        n += 1
        eid = f"{base}-{n}"
    return eid


def actor_text(kind: str, actor: str, leaving: str | None) -> str:
    """The actor of a proposal as the CLI shows it: who takes control, and who is leaving."""
    return f"{actor} ({leaving} leaving)" if kind == "control" and leaving else actor


def run_cli(args) -> int:
    """``garrison review``: list the waiting proposals, or accept / reject some of them."""
    if args.accept or args.reject:
        accepted, rejected = decide(args.data, args.accept, args.reject)
        for eid in accepted:
            print(f"accepted -> events.csv: {eid}")
        for pid in rejected:
            print(f"rejected: {pid}")
        return 0
    rows = read_queue(args.data)
    pending = [r for r in rows if r["status"] == "pending"]
    folder = _folder(args.data, write=False)
    if not pending:
        print(f"no proposals waiting in {folder / PROPOSALS}")
        return 0
    print(f"{len(pending)} proposal(s) waiting in {folder / PROPOSALS}\n")
    for r in pending:
        who = actor_text(r["kind"], r["actor_id"], r.get("actor_leaving"))
        print(f"{r['id']}  {r['date'] or '(no date)':>10}  {r['kind']:<14} {who}  at "
              f"{r['site_name']} ({r['site_id']})  confidence {r['confidence']}")
        ev = " ".join(r.get("evidence", "").split())
        print(f"{'':12}{ev[:150] + ('…' if len(ev) > 150 else '')}")
        print(f"{'':12}{r.get('source_title') or ''} <{r['source_url']}> ({r['published']})")
    data = f" --data {shlex.quote(str(args.data))}" if args.data else ""
    print(f"\naccept with: garrison review{data} --accept ID ...   reject with: garrison review{data} --reject ID ...")
    return 0
