"""The HTML maps, read as text: what the page carries, that it links nothing outside,
that data cannot break out of it, and that it stays small."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from layers import maps
from layers.dataset import load
from layers.dates import human
from layers.timeline import Timeline
from tests.helpers import event, write_dataset

HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_EVIDENCE = "ends here </script><script>window.pwned = 1</script> & more {{ 7*7 }} {% if x %}"
DATES = [date(2014, 6, 1), date(2017, 7, 10), date(2025, 6, 1), date(2026, 1, 19)]


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of its <script> elements."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in = dict(attrs)
            self.scripts.append((self._in, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def remote_attributes(html: str) -> list[str]:
    """Any src/href/data attribute that points at a host, in any element of the page."""
    return [f"<{tag} {k}={v}>" for tag, attrs in parse(html).tags for k, v in attrs.items()
            if k in ("src", "href", "data", "xlink:href", "srcset") and re.match(r"\s*(https?:)?//", v or "")]


def page_data(html: str) -> dict:
    scripts = [text for attrs, text in parse(html).scripts if attrs.get("id") == "garrison-data"]
    assert len(scripts) == 1
    return json.loads(scripts[0])


@pytest.fixture(scope="module")
def pages(timeline):
    return {
        "snapshot": maps.snapshot_map(timeline, timeline.last_date()),
        "timeline": maps.timeline_map(timeline),
        "change": maps.change_map(timeline, date(2025, 6, 1), date(2026, 1, 19)),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Timeline:
    folder = write_dataset(tmp_path_factory.mktemp("hostile"), [
        {**event("n1", "north-base", "2014-08", "control", "rebels", title=HOSTILE_TITLE),
         "evidence": HOSTILE_EVIDENCE},
        event("n2", "north-base", "2016-03-05", "control", "gov", title="Retaken"),
        event("n3", "north-base", "2016-04", "presence_start", "allies", role="advisers"),
        event("s1", "south-field", "2015", "control", "gov"),
    ])
    return Timeline.from_dataset(load(folder))


def test_pages_link_nothing_outside(pages):
    for name, html in pages.items():
        assert remote_attributes(html) == [], name
        assert not re.search(r"url\(\s*['\"]?https?://|@import", html), name
        # Leaflet is inlined with its licence comment; nothing of it is fetched
        assert "Leaflet 1.9.3" in html and "https://cdn" not in "".join(a.get("src", "") for _, a in parse(html).tags)


def test_remote_references_catches_what_a_browser_would_fetch():
    from layers.offline import remote_references

    assert remote_references('<script src="https://cdn.example/x.js"></script>')
    assert remote_references("<style>.a { background: url('http://x.example/i.png') }</style>")
    assert remote_references('<link rel="stylesheet" href="https://x.example/a.css">')
    assert remote_references('<img alt="" src="//x.example/protocol-relative.png">')
    assert not remote_references('<a href="https://example.org/report">a report</a>')
    assert not remote_references('<svg xmlns="http://www.w3.org/2000/svg"></svg>')


def _status_from_columns(data: dict, day: int) -> tuple[list, list]:
    """What the page's filter computes, done again from the columns in Python."""
    n = len(data["sites"]["id"])
    ctl: list = [None] * n
    present: list = [[] for _ in range(n)]
    c, p, actors = data["control"], data["presence"], data["actors"]["id"]
    for s, a, f, t in zip(c["site"], c["actor"], c["from"], c["to"]):
        if f <= day and (t < 0 or day < t):
            ctl[s] = actors[a]
    for s, a, f, t in zip(p["site"], p["actor"], p["from"], p["to"]):
        if f <= day and (t < 0 or day < t):
            present[s].append(actors[a])
    return ctl, present


def test_columns_give_the_same_status_as_the_timeline(timeline, pages):
    data = page_data(pages["timeline"])
    assert data["sites"]["id"] == timeline.sites["id"].tolist()
    assert len(data["control"]["site"]) == len(timeline.control)
    assert len(data["presence"]["site"]) == len(timeline.presence)
    st = timeline.status_at(DATES)
    for d in DATES:
        ctl, present = _status_from_columns(data, (d - date(1970, 1, 1)).days)
        want = st[st["date"] == pd.Timestamp(d)]
        assert ctl == want["controller"].tolist(), d
        assert [sorted(x) for x in present] == [sorted(x) for x in want["present"]], d


def test_history_columns_keep_every_event_with_its_source(timeline, pages):
    data = page_data(pages["snapshot"])
    ev = data["events"]
    assert ev["offset"][-1] == len(timeline.events)
    i = data["sites"]["id"].index("ain-al-asad-air-base")
    rows = range(ev["offset"][i], ev["offset"][i + 1])
    urls = {data["sources"]["url"][ev["source"][r]] for r in rows}
    assert urls == set(timeline.site_events("ain-al-asad-air-base")["source_url"])
    # dates keep their precision: the coalition's arrival is known to the month
    arrival = [r for r in rows if ev["kind"][r] == 1 and data["actors"]["id"][ev["actor"][r]] == "coalition"]
    assert [data["precisions"][ev["prec"][r]] for r in arrival] == ["month"]


def test_views_say_which_date_and_mode(timeline, pages):
    views = {k: page_data(v)["view"] for k, v in pages.items()}
    epoch = date(1970, 1, 1)
    assert views["snapshot"]["mode"] == "snapshot"
    assert views["snapshot"]["on"] == (timeline.last_date() - epoch).days
    slider = next(attrs for tag, attrs in parse(pages["timeline"]).tags if attrs.get("id") == "garrison-date")
    assert slider["type"] == "range"
    assert int(slider["min"]) == (timeline.first_date() - epoch).days  # from the first event ...
    assert int(slider["max"]) == views["timeline"]["on"] >= (date.today() - epoch).days  # ... to today
    assert slider["data-date"] == (epoch + timedelta(days=int(slider["max"]))).isoformat()
    assert f"as of {human(timeline.last_date())}" in pages["snapshot"]


def test_change_view_marks_the_sites_whose_status_changed(timeline, pages):
    a, b = date(2025, 6, 1), date(2026, 1, 19)
    changed = set(maps.changed_sites(timeline, a, b))
    assert "ain-al-asad-air-base" in changed  # the coalition left in January 2026
    st = timeline.status_at([a, b])
    before, after = (st[st["date"] == pd.Timestamp(d)].set_index("site_id") for d in (a, b))
    differs = {s for s in before.index
               if before.at[s, "controller"] != after.at[s, "controller"]
               or sorted(before.at[s, "present"]) != sorted(after.at[s, "present"])}
    assert differs <= changed
    view = page_data(pages["change"])["view"]
    ids = timeline.sites["id"].tolist()
    assert {ids[i] for i in view["changed"]} == changed
    assert view["from"] == (a - date(1970, 1, 1)).days and view["on"] == (b - date(1970, 1, 1)).days


def test_change_on_the_first_day_is_already_on_its_map(hostile):
    # north-base changes hands on 2016-03-05: that is a change for (03-04, 03-05], not for (03-05, 03-06]
    assert maps.changed_sites(hostile, date(2016, 3, 4), date(2016, 3, 5)) == ["north-base"]
    assert maps.changed_sites(hostile, date(2016, 3, 5), date(2016, 3, 6)) == []
    with pytest.raises(ValueError):
        maps.change_map(hostile, date(2016, 3, 5), date(2016, 3, 5))


def test_text_from_data_cannot_break_out_of_the_page(hostile):
    html = maps.timeline_map(hostile)
    assert HOSTILE_TITLE not in html and "<img" not in html
    assert "</script><script>window.pwned" not in html
    data = page_data(html)  # still one data script, and it reads back exactly
    assert HOSTILE_TITLE in data["sources"]["title"]
    assert HOSTILE_EVIDENCE in data["events"]["evidence"]
    assert "window.pwned" not in "".join(text for attrs, text in parse(html).scripts if "id" not in attrs)


def test_where_names_the_region_that_matters(timeline, pages):
    data = page_data(pages["snapshot"])
    where = {sid: data["places"][i] for sid, i in zip(data["sites"]["id"], data["sites"]["place"])}
    assert "Kurdistan Region" in where["erbil-air-base"]
    assert "Kurdistan Region" not in where["ain-al-asad-air-base"]
    assert where["ain-al-asad-air-base"].startswith("Anbar, Iraq")
    loc = timeline.sites.set_index("id").at["joc-hq-baghdad", "precision"]
    assert ("approximate" in where["joc-hq-baghdad"]) == (loc != "point")


def test_online_tiles_are_an_option_that_is_off(timeline):
    html = maps.snapshot_map(timeline, date(2026, 1, 19), tiles=True)
    assert "OpenStreetMap (online)" in html and remote_attributes(html) == []
    assert "OpenStreetMap" not in maps.snapshot_map(timeline, date(2026, 1, 19))


def test_pages_stay_small(pages):
    assert len(pages["timeline"].encode()) < 1_500_000
    assert len(pages["snapshot"].encode()) < 1_000_000


def test_unknown_kinds_get_a_glyph_and_empty_datasets_a_clear_error(tmp_path):
    sites = [{"id": "depot", "name": "Depot", "lat": "34.0", "lon": "44.0", "kind": "depot", "country": "IQ",
              "source_url": "https://example.org/depot"}]
    tl = Timeline.from_dataset(load(write_dataset(tmp_path / "a", [event("d1", "depot", "2020", "control", "gov")],
                                                  sites=sites)))
    kinds = page_data(maps.snapshot_map(tl, date(2021, 1, 1)))["kinds"]
    assert kinds["id"] == ["depot"] and kinds["path"] == [maps.GLYPHS["base"]]
    empty = Timeline.from_dataset(load(write_dataset(tmp_path / "b", [], sites=sites)))
    with pytest.raises(ValueError, match="no events"):
        maps.timeline_map(empty)


def test_open_intervals_are_marked_open(timeline, pages):
    data = page_data(pages["timeline"])
    open_rows = np.asarray(data["control"]["to"]) < 0
    assert open_rows.sum() == timeline.control["valid_to"].isna().sum()


def test_cli_writes_the_latest_snapshot_and_the_timeline(cli, timeline, tmp_path):
    snap, tl = tmp_path / "snapshot.html", tmp_path / "timeline.html"
    r = cli("map", "--latest", "-o", str(snap))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(snap)
    assert f"as of {human(timeline.last_date())}" in snap.read_text(encoding="utf-8")
    r = cli("map", "--timeline", "-o", str(tl))
    assert r.returncode == 0 and r.stdout.strip() == str(tl)
    assert 'id="garrison-date"' in tl.read_text(encoding="utf-8")
