"""The ``garrison`` command: a thin shell over the library.

Bad input is one line on stderr and a non-zero exit, never a traceback.  Heavy
libraries (geopandas, folium) are imported only by the commands that need them,
so ``garrison resolve`` starts fast.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXAMPLES = {
    "resolve": "garrison resolve 'Ayn al-Asad'\n  garrison resolve Erbil --kind airbase --format json\n"
               "  garrison resolve Sinjar --country SY\n  garrison resolve --input names.txt --format csv",
    "status": "garrison status --on 2026-01-19\n  garrison status --on 2025-06-01 --site ain-al-asad-air-base\n"
              "  garrison status --on 2026-01-19 --format csv > status.csv",
    "history": "garrison history ain-al-asad-air-base\n  garrison history 'Ain al-Asad' --format json",
    "map": "garrison map --on 2026-01-19 -o output/iraq-2026-01-19.html\n  garrison map --latest\n"
           "  garrison map --timeline\n  garrison map --from 2025-06-01 --to 2026-01-19",
    "export": "garrison export --format gpkg -o output/qgis\n  garrison export --format all --on 2026-01-19",
    "geoparse": "garrison geoparse report.txt\n  garrison geoparse report.txt --format json\n"
                "  echo 'Troops left Tanf for Erbil.' | garrison geoparse -",
    "ingest": "garrison ingest report.txt --published 2026-01-18\n"
              "  garrison ingest report.txt --published 2026-01-18 --source-url https://example.org/a "
              "--queue --data my-data",
    "review": "garrison review --data my-data\n"
              "  garrison review --data my-data --accept p-3f2a9c1d --reject p-9c1d4e07",
    "validate": "garrison validate\n  garrison validate --data my-data",
    "gazetteer": "garrison gazetteer info\n  garrison gazetteer import-geonames IQ.txt\n  garrison gazetteer rebuild",
}
#: the help of --format, per command
FORMAT_HELP = "how to print the answer (default: %(default)s)"


#: the score a name needs (an exact or kind-word-less match) to stand for a tracked site
SITE_MATCH_SCORE = 95.0


class UsageError(Exception):
    """Bad input from the user: shown as one line, exit status 2."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="garrison",
        description="Who held which military site, with whom present, on what date -- and says who says so.\n"
                    "Works offline, on the bundled dataset (the coalition era in Iraq and Syria, every event "
                    "sourced) or on your own (--data DIR).",
        epilog="examples:\n  garrison resolve 'Ain al-Asad'\n  garrison status --on 2026-01-19\n"
               "  garrison history ain-al-asad-air-base\n  garrison map --on 2026-01-19\n"
               "  garrison export --format gpkg -o output/qgis\n\n"
               "Run 'garrison COMMAND --help' for the options and examples of each command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help, epilog=f"examples:\n  {EXAMPLES[name]}",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        sp.add_argument("--data", metavar="DIR",
                        help="dataset folder with sites.csv, actors.csv, events.csv (default: the bundled dataset)")
        return sp

    r = cmd("resolve", "resolve place names to coordinates (offline)")
    r.add_argument("name", nargs="?", help="a place name in any spelling or script")
    r.add_argument("--input", metavar="FILE", help="resolve every line of FILE (one name a line)")
    r.add_argument("--country", metavar="CC", help="only places in this country (ISO 3166 code, e.g. IQ)")
    r.add_argument("--kind", help="only places of this kind (airbase, base, camp, city, town, governorate, ...)")
    r.add_argument("--format", choices=["text", "json", "csv"], default="text", help=FORMAT_HELP)

    s = cmd("status", "who controlled each site, and who was present, on a date")
    s.add_argument("--on", metavar="DATE", help="the day to report on, YYYY-MM-DD (default: today)")
    s.add_argument("--site", metavar="ID", help="only this site (its id or any spelling of its name)")
    s.add_argument("--format", choices=["text", "csv", "json"], default="text", help=FORMAT_HELP)

    h = cmd("history", "the control and presence history of one site, with sources")
    h.add_argument("site", help="site id or any spelling of its name")
    h.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)

    m = cmd("map", "write an HTML map that opens offline")
    when = m.add_mutually_exclusive_group()
    when.add_argument("--on", metavar="DATE", help="snapshot on this date (default: today)")
    when.add_argument("--latest", action="store_true", help="snapshot on the latest event date")
    when.add_argument("--timeline", action="store_true", help="a map with a date slider")
    when.add_argument("--from", dest="start", metavar="DATE", help="what changed from this date (with --to)")
    m.add_argument("--to", dest="end", metavar="DATE", help="what changed up to this date (with --from)")
    m.add_argument("--tiles", action="store_true",
                   help="add OpenStreetMap tiles under the map (they need a network; the rest does not)")
    m.add_argument("-o", "--output", metavar="FILE.html",
                   help="where to write (default: output/snapshot-DATE.html, output/timeline.html or "
                        "output/changes-FROM-TO.html)")
    m.add_argument("--force", action="store_true", help="overwrite an existing file")

    e = cmd("export", "write the layers for QGIS and spreadsheets")
    e.add_argument("--format", choices=["geojson", "gpkg", "csv", "all"], default="geojson",
                   help="geojson: a .geojson and a QGIS .qml style per layer; gpkg: garrison.gpkg with every "
                        "layer and its style, and the QGIS project garrison.qgs; csv: a .csv per layer; "
                        "all: the three (default: %(default)s)")
    e.add_argument("--on", metavar="DATE", help="also write a snapshot layer for this date")
    e.add_argument("-o", "--output", metavar="DIR", default="output/export",
                   help="folder to write into (default: %(default)s)")
    e.add_argument("--force", action="store_true", help="overwrite existing files")

    g = cmd("geoparse", "find place mentions in a text")
    g.add_argument("file", help="a UTF-8 text file ('-' for standard input)")
    g.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
    g.add_argument("--debug", action="store_true", help="also say which words were skipped and why")

    i = cmd("ingest", "read reports and propose control and presence events")
    i.add_argument("files", nargs="+", metavar="FILE", help="a report as UTF-8 text ('-' for standard input)")
    i.add_argument("--published", metavar="DATE",
                   help="the report's publication date, YYYY-MM-DD (dates such as 'on Sunday' count from it)")
    i.add_argument("--source-url", metavar="URL", help="where the report was published (needed with --queue)")
    i.add_argument("--source-title", metavar="TITLE", help="the report's headline")
    i.add_argument("--format", choices=["text", "json"], default="text", help=FORMAT_HELP)
    i.add_argument("--queue", action="store_true",
                   help="add the proposals to proposals.csv in the --data folder, for 'garrison review'")

    rv = cmd("review", "list, accept or reject queued proposals")
    rv.add_argument("--accept", nargs="+", metavar="ID", default=[],
                    help="move these proposals into events.csv (and their sites into sites.csv)")
    rv.add_argument("--reject", nargs="+", metavar="ID", default=[],
                    help="mark these proposals rejected, so the same report does not propose them again")

    cmd("validate", "check a dataset and report every problem")

    gz = cmd("gazetteer", "manage the offline gazetteer index")
    gz.add_argument("action", choices=["import-geonames", "rebuild", "info"],
                    help="info: where the index is kept; rebuild: build it again; "
                         "import-geonames FILE: add the places of a GeoNames dump")
    gz.add_argument("file", nargs="?", help="a GeoNames dump (IQ.txt, allCountries.txt)")
    return p


# -- helpers -----------------------------------------------------------------------------
def _day(text: str | None, what: str):
    from .dates import DateError, parse_day

    try:
        return parse_day(text)
    except DateError as exc:
        raise UsageError(f"{what}: {exc}") from None


def _load(args):
    from .dataset import load

    return load(args.data)


def _timeline(args):
    from .timeline import Timeline

    return Timeline.from_dataset(_load(args))


def _site_id(tl, query: str) -> str:
    """A site id from an id or any spelling of a tracked site's name."""
    ids = set(tl.sites["id"])
    if query in ids:
        return query
    from geo import normalize

    key = normalize(query)
    for sid, name in zip(tl.sites["id"], tl.sites["name"]):
        if normalize(name) == key:
            return sid
    import geo

    try:
        cands = geo.default().candidates(query, limit=25)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for cand in cands:  # only a confident name match, not a look-alike, picks a site
        if cand.place.id in ids and cand.score >= SITE_MATCH_SCORE:
            return cand.place.id
    nearest = f"; the nearest place of that name is {cands[0].place.name} ({cands[0].place.id})" if cands else ""
    raise UsageError(f"no tracked site matches {query!r}{nearest}")


def _print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    print(fmt.format(*header).rstrip())
    print(fmt.format(*("-" * w for w in widths)).rstrip())
    for r in rows:
        print(fmt.format(*(str(x) for x in r)).rstrip())


def _json(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()


# -- commands ------------------------------------------------------------------------------
def cmd_resolve(args) -> int:
    import geo

    if bool(args.name) == bool(args.input):
        raise UsageError("give one NAME or --input FILE")
    try:
        g = geo.default()
    except ValueError as exc:  # a geocoder setting that cannot work
        raise UsageError(str(exc)) from None
    if args.name:
        try:
            res = g.resolve(args.name, country=args.country, kind=args.kind)
        except (geo.UnknownPlace, ValueError) as exc:
            raise UsageError(str(exc)) from None
        d = res.to_dict()
        if args.format == "json":
            _json(d)
        elif args.format == "csv":
            _csv([d])
        else:
            admin1 = d["admin1"] or (f"admin1 code {d['admin1_code']}" if d["admin1_code"] else "")
            print(f"{d['name']}  ({d['id']})\n  kind {d['kind']}, {admin1 + ', ' if admin1 else ''}"
                  f"{d['country']}\n  {d['lat']:.5f}, {d['lon']:.5f}  ({d['precision']})\n"
                  f"  score {d['score']}: {d['reason']}\n  source {d['source_url']}")
            if d["runners_up"]:
                print("  also close: " + "; ".join(f"{c['name']} ({c['id']}, {c['score']})" for c in d["runners_up"]))
        return 0
    path = Path(args.input)
    try:
        names = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    out = []
    for n in names:
        if not n.strip():
            continue
        try:
            out.append(g.resolve(n.strip(), country=args.country, kind=args.kind).to_dict() | {"error": None})
        except (geo.UnknownPlace, ValueError) as exc:
            out.append({"query": n.strip(), "error": str(exc)})
    if args.format == "json":
        _json(out)
    else:
        _csv(out)
    return 0 if all(o.get("error") is None for o in out) else 1


def _csv(rows: list[dict]) -> None:
    cols = ["query", "id", "name", "kind", "country", "admin1", "lat", "lon", "score", "reason", "error"]
    w = csv.DictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)


def cmd_status(args) -> int:
    from datetime import date

    from .dates import human

    tl = _timeline(args)
    on = _day(args.on, "--on") if args.on else date.today()
    st = tl.status_at(on)
    if args.site:
        st = st[st["site_id"] == _site_id(tl, args.site)]
    records = [{
        "site_id": r.site_id, "name": r.name, "lat": r.lat, "lon": r.lon, "controller": r.controller,
        "controller_since": None if r.controller is None else str(r.controller_since)[:10],
        "controller_since_precision": r.controller_since_precision or None,
        "present": list(r.present), "source_url": r.control_source or None,
    } for r in st.itertuples()]
    if args.format == "json":
        _json(records)
    elif args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=list(records[0]) if records else ["site_id"])
        w.writeheader()
        for rec in records:
            w.writerow(rec | {"present": "|".join(rec["present"])})
    else:
        plural = "" if len(records) == 1 else "s"
        print(f"status on {human(on)}  ({len(records)} site{plural}, dataset {_load_name(args)})\n")
        rows = [[r.site_id, r.controller or "-",
                 human(r.controller_since, r.controller_since_precision) if r.controller else "",
                 ", ".join(r.present) or "-"] for r in st.itertuples()]
        _print_table(rows, ["site", "controller", "since", "present"])
    return 0


def _load_name(args) -> str:
    return args.data or "bundled"


def cmd_history(args) -> int:
    from .dates import human

    tl = _timeline(args)
    sid = _site_id(tl, args.site)
    site = tl.sites.set_index("id").loc[sid]
    events = tl.site_events(sid)
    if args.format == "json":
        _json({
            "site_id": sid, "name": site["name"], "kind": site["kind"], "country": site["country"],
            "lat": site["lat"], "lon": site["lon"],
            "events": [{
                "id": e.id, "date": e.date, "date_precision": e.date_precision, "kind": e.kind,
                "actor": e.actor_id, "role": e.role or None, "confidence": e.confidence,
                "evidence": e.evidence, "source_url": e.source_url, "source_title": e.source_title,
                "published": e.published,
            } for e in events.itertuples()],
        })
        return 0
    print(f"{site['name']}  ({sid})  {site['kind']}, {site['country']}  {site['lat']:.4f}, {site['lon']:.4f}\n")
    verbs = {"control": "controlled by", "presence_start": "arrive:", "presence_end": "leave:"}
    for e in events.itertuples():
        role = f" ({e.role})" if e.role else ""
        print(f"{human(e.start, e.date_precision):>11}  {verbs[e.kind]} {e.actor_id}{role}  [{e.confidence}]")
        print(f"{'':>13}{e.evidence}")
        print(f"{'':>13}{e.source_title} <{e.source_url}> ({e.published})")
    return 0


def cmd_map(args) -> int:
    from datetime import date

    from . import maps

    tl = _timeline(args)
    if tl.events.empty:
        raise UsageError("nothing to map: the dataset has no events")
    if args.timeline:
        html, default_name = maps.timeline_map(tl, tiles=args.tiles), "timeline.html"
    elif args.start or args.end:
        if not (args.start and args.end):
            raise UsageError("--from and --to go together")
        a, b = _day(args.start, "--from"), _day(args.end, "--to")
        if b <= a:
            raise UsageError("--to must be after --from")
        html, default_name = maps.change_map(tl, a, b, tiles=args.tiles), f"changes-{a}-{b}.html"
    else:
        on = _day(args.on, "--on") if args.on else (tl.last_date() if args.latest else date.today())
        html, default_name = maps.snapshot_map(tl, on, tiles=args.tiles), f"snapshot-{on}.html"
    from .fileio import write_text

    out = write_text(Path(args.output or Path("output") / default_name), html, force=args.force)
    print(out)
    return 0


def cmd_export(args) -> int:
    from . import export

    tl = _timeline(args)
    on = _day(args.on, "--on") if args.on else None
    formats = ["geojson", "gpkg", "csv"] if args.format == "all" else [args.format]
    for path in export.export(tl, Path(args.output), formats, on=on, force=args.force):
        print(path)
    return 0


def cmd_validate(args) -> int:
    from .dataset import load

    ds = load(args.data, strict=False)
    print(ds.report)
    print(f"dataset {ds.name}: {len(ds.sites)} sites, {len(ds.actors)} actors, {len(ds.events)} valid events")
    return 1 if ds.report.errors else 0


def cmd_gazetteer(args) -> int:
    import shutil

    from geo import index, sources

    from .fileio import atomic_path

    if args.action == "import-geonames":
        if not args.file:
            raise UsageError("import-geonames needs the path of a GeoNames dump")
        src = Path(args.file)
        if not src.is_file():
            raise UsageError(f"{src}: no such file")
        n = sum(1 for _ in sources.read_geonames_dump(src))  # fails early, naming the line
        dest = index.data_dir() / "geonames" / src.name
        with atomic_path(dest, force=True) as tmp:  # importing a dump again replaces it
            shutil.copyfile(src, tmp)
        index.open_index()
        print(f"imported {n} places from {src}; the index now includes {dest}")
    elif args.action == "rebuild":
        index.open_index(rebuild=True)
        print("index rebuilt")
    else:
        print(f"cache: {index.cache_dir()}\nimported dumps: {[str(p) for p in index.imported_dumps()]}")
    return 0


def cmd_geoparse(args) -> int:
    from geo.geoparse import geoparse

    from .ingest import read_text

    text = read_text(args.file)
    mentions = geoparse(text, debug=args.debug)
    if args.format == "json":
        _json([m.to_dict() for m in mentions])
    else:
        for m in mentions:
            p = m.place
            where = (f"{p.name} ({p.id}, {p.kind}, {p.country}) {p.lat:.4f},{p.lon:.4f}" if p
                     else f"unresolved: {m.note}")
            print(f"{m.start:>6}-{m.end:<6} {m.surface!r:32} {where}")
    return 0


def cmd_ingest(args) -> int:
    from . import ingest

    published = _day(args.published, "--published") if args.published else None
    return ingest.run_cli(args, published)


def cmd_review(args) -> int:
    from . import review

    return review.run_cli(args)


COMMANDS = {
    "resolve": cmd_resolve, "status": cmd_status, "history": cmd_history, "map": cmd_map,
    "export": cmd_export, "validate": cmd_validate, "gazetteer": cmd_gazetteer,
    "geoparse": cmd_geoparse, "ingest": cmd_ingest, "review": cmd_review,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from geo import SourceError

    from .fileio import OutputExists

    user_errors: tuple[type[Exception], ...] = (UsageError, OutputExists, SourceError, FileNotFoundError, KeyError)
    try:
        return COMMANDS[args.command](args)
    except BrokenPipeError:
        return 0
    except Exception as exc:
        dataset = sys.modules.get("layers.dataset")  # not imported by `resolve` (it would pull pandas in)
        if not isinstance(exc, user_errors + ((dataset.DatasetError,) if dataset else ())):
            raise
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"garrison {args.command}: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
