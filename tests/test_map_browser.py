"""The maps in headless Chromium, offline: what a reader sees on a date is what the
timeline says, popups cite their sources, data never runs as code, and the page asks
no host for anything.  Screenshots go to the temporary folder."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from layers import maps
from layers.dataset import load
from layers.dates import human
from layers.timeline import Timeline
from tests.conftest import remote_requests
from tests.helpers import event, write_dataset
from tests.test_maps import HOSTILE_EVIDENCE, HOSTILE_TITLE, remote_attributes

AIN_AL_ASAD = "ain-al-asad-air-base"
CHANGE = (date(2025, 6, 1), date(2026, 1, 19))
SHOTS = Path(tempfile.gettempdir())

# a site that is not shown on the date is hidden with the class "off"
_GLYPHS = """() => Array.from(document.querySelectorAll('.garrison-site:not(.off)')).map(
  g => [g.dataset.site, g.dataset.controller, g.querySelector('path').getAttribute('fill'),
        g.classList.contains('changed')])"""
_BADGES = """() => Array.from(document.querySelectorAll('.garrison-badges:not(.off)')).map(
  b => [b.dataset.site, Array.from(b.querySelectorAll('[data-actor]')).map(c => c.dataset.actor)])"""
# every element that names a host in an attribute; links to sources in popups are the only ones allowed
_HOSTS = """() => Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
  .filter(a => /^(src|href|xlink:href|data|srcset)$/.test(a.name) && /^\\s*(https?:)?\\/\\//.test(a.value))
  .map(a => [e.tagName.toLowerCase(), e.className && e.className.baseVal === undefined ? e.className : '',
             !!e.closest('.garrison-popup'), a.value]))"""


@pytest.fixture(scope="module")
def files(timeline, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("maps")
    hostile = write_dataset(folder / "hostile", [
        {**event("n1", "north-base", "2014-08", "control", "rebels", title=HOSTILE_TITLE),
         "evidence": HOSTILE_EVIDENCE},
        event("n2", "north-base", "2016-03-05", "control", "gov", title="Retaken"),
    ])
    pages = {
        "snapshot": maps.snapshot_map(timeline, timeline.last_date()),
        "timeline": maps.timeline_map(timeline),
        "change": maps.change_map(timeline, *CHANGE),
        "hostile": maps.timeline_map(Timeline.from_dataset(load(hostile))),
    }
    out = {}
    for name, html in pages.items():
        out[name] = folder / f"{name}.html"
        out[name].write_text(html, encoding="utf-8")
    return out


def open_map(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_function("window.garrison !== undefined")
    assert page.evaluate("L.version") == "1.9.3"
    assert page.errors == []


def expected(tl: Timeline, on: date) -> tuple[dict, dict]:
    """(site -> (controller, fill), site -> present actors) for the sites with a status on a date."""
    colours = dict(zip(tl.actors["id"], tl.actors["colour"]))
    st = tl.status_at(on)
    st = st[st["controller"].notna() | st["present"].map(bool)]
    glyphs = {r.site_id: (r.controller or "", colours[r.controller] if r.controller else maps.NO_CONTROLLER_COLOUR)
              for r in st.itertuples()}
    return glyphs, {r.site_id: sorted(r.present) for r in st.itertuples() if r.present}


def on_page(page) -> tuple[dict, dict]:
    glyphs = {s: (c, fill) for s, c, fill, _ in page.evaluate(_GLYPHS)}
    return glyphs, {s: sorted(a) for s, a in page.evaluate(_BADGES)}


def set_slider(page, d: date) -> None:
    """Move the slider as a reader does: set its value and let it fire 'input'."""
    page.eval_on_selector("#garrison-date", "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                          (d - date(1970, 1, 1)).days)


def test_snapshot_shows_every_site_with_a_status_on_its_date(page, files, timeline):
    open_map(page, files["snapshot"])
    glyphs, badges = on_page(page)
    want_glyphs, want_badges = expected(timeline, timeline.last_date())
    assert len(glyphs) == len(want_glyphs) and glyphs == want_glyphs
    assert badges == want_badges
    assert page.inner_text("#garrison-title").endswith(human(timeline.last_date()))
    legend = page.inner_text("#garrison-legend")
    assert "Iraqi Security Forces" in legend and "Foreign presence" in legend
    shot = SHOTS / "garrison-snapshot.png"
    page.screenshot(path=str(shot), type="png")
    assert 0 < shot.stat().st_size < 300_000
    assert page.errors == []


def test_slider_moves_fill_and_badges_as_the_data_says(page, files, timeline):
    open_map(page, files["timeline"])
    st = timeline.status_at(list(CHANGE)).set_index(["date", "site_id"])
    coalition = [("coalition" in st.loc[(pd.Timestamp(d), AIN_AL_ASAD), "present"]) for d in CHANGE]
    assert coalition == [True, False]  # the advisers left Ain al-Asad in January 2026
    for d in (date(2014, 9, 1), *CHANGE):
        set_slider(page, d)
        assert page.get_attribute("#garrison-date", "data-date") == d.isoformat()
        assert page.inner_text("#garrison-date-label") == human(d)
        glyphs, badges = on_page(page)
        want_glyphs, want_badges = expected(timeline, d)
        assert glyphs == want_glyphs, d
        assert badges == want_badges, d
        if d in CHANGE:
            ctl = st.loc[(pd.Timestamp(d), AIN_AL_ASAD), "controller"]
            glyph = page.locator(f'.garrison-site[data-site="{AIN_AL_ASAD}"]')
            assert glyph.get_attribute("data-controller") == ctl
            assert glyph.locator("path").get_attribute("fill") == want_glyphs[AIN_AL_ASAD][1]
            badge = page.locator(f'.garrison-badges:not(.off)[data-site="{AIN_AL_ASAD}"] [data-actor="coalition"]')
            assert badge.count() == (1 if d == CHANGE[0] else 0)
        if d == CHANGE[0]:
            page.screenshot(path=str(SHOTS / "garrison-timeline.png"))
    assert page.evaluate("garrison.setDate('2026-01-19')") == "2026-01-19"
    assert page.errors == []


def test_play_runs_the_slider_forward_and_pauses(page, files):
    open_map(page, files["timeline"])
    end = int(page.get_attribute("#garrison-date", "max"))
    page.click("#garrison-play")  # at the end it starts again from the first event
    page.wait_for_function(f"+document.getElementById('garrison-date').value < {end}")
    first = int(page.eval_on_selector("#garrison-date", "el => el.value"))
    page.wait_for_function(f"+document.getElementById('garrison-date').value > {first}")
    page.click("#garrison-play")
    assert page.get_attribute("#garrison-play", "title") == "play"
    assert page.errors == []


def test_popup_gives_history_and_source_links(page, files, timeline):
    open_map(page, files["snapshot"])
    page.click(f'.garrison-site[data-site="{AIN_AL_ASAD}"]')
    popup = page.locator(f'.leaflet-popup .garrison-popup[data-site="{AIN_AL_ASAD}"]')
    popup.wait_for()
    links = set(popup.locator("a.source").evaluate_all("els => els.map(a => a.href)"))
    assert links == set(timeline.site_events(AIN_AL_ASAD)["source_url"])
    text = popup.inner_text()
    assert "Ain al-Asad Air Base" in text and "held by Iraqi Security Forces" in text
    assert "Nov 2014" in text  # the coalition's arrival is dated to the month, and says so
    assert "dated to the month" in text
    assert page.errors == []


def test_change_view_emphasises_changes_and_cites_them(page, files, timeline):
    open_map(page, files["change"])
    changed = {s for s, _, _, big in page.evaluate(_GLYPHS) if big}
    assert changed == set(maps.changed_sites(timeline, *CHANGE))
    assert page.locator(".garrison-site.dim").count() > 0
    page.screenshot(path=str(SHOTS / "garrison-change.png"))
    page.click(f'.garrison-site[data-site="{AIN_AL_ASAD}"]')
    popup = page.locator(".leaflet-popup .garrison-popup")
    popup.wait_for()
    assert f"Changes from {human(CHANGE[0])} to {human(CHANGE[1])}" in popup.inner_text()
    ev = timeline.site_events(AIN_AL_ASAD)
    in_window = ev[(ev["start"] > pd.Timestamp(CHANGE[0])) & (ev["start"] <= pd.Timestamp(CHANGE[1]))]
    assert len(in_window) > 0
    cited = set(popup.locator("table").first.locator("a.source").evaluate_all("els => els.map(a => a.href)"))
    assert cited == set(in_window["source_url"])
    assert page.errors == []


def test_a_hostile_source_title_shows_as_text_and_runs_nothing(page, files):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_map(page, files["hostile"])
    page.evaluate("garrison.setDate('2015-01-01')")
    page.click('.garrison-site[data-site="north-base"]')
    popup = page.locator(".leaflet-popup .garrison-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert HOSTILE_TITLE in text and "</script>" in text and "{{ 7*7 }}" in text
    assert "Aug 2014" in text
    assert popup.locator("img, script").count() == 0
    assert page.evaluate("document.querySelectorAll('img:not(.leaflet-marker-icon)').length") == 0
    assert page.evaluate("window.pwned") is None
    assert dialogs == [] and page.errors == []


def test_pages_ask_no_host_for_anything(page, files):
    for name in ("snapshot", "timeline", "change"):
        assert remote_attributes(files[name].read_text(encoding="utf-8")) == [], name
        page.requests.clear()
        open_map(page, files[name])
        page.click(f'.garrison-site[data-site="{AIN_AL_ASAD}"]')
        page.locator(".leaflet-popup .garrison-popup").wait_for()
        page.wait_for_load_state("networkidle")
        assert remote_requests(page.requests) == [], name
        hosts = page.evaluate(_HOSTS)
        assert hosts and all(tag == "a" and cls == "source" and in_popup for tag, cls, in_popup, _ in hosts), name
        toggle = page.eval_on_selector(".leaflet-control-layers-toggle", "el => getComputedStyle(el).backgroundImage")
        assert toggle.startswith('url("data:image/svg+xml')
        assert page.errors == []
