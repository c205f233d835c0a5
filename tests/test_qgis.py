"""The export opened in QGIS itself (tests/qgis_check.py run by the Python that has
QGIS's bindings): layers valid and styled, the Temporal Controller set up, and a
render that changes at Ain al-Asad when the coalition leaves on 17 January 2026.

Skipped when QGIS is not installed, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from layers import export, frames, qgis_styles

HERE = Path(__file__).resolve().parent
QGIS_PYTHON = os.environ.get("GARRISON_QGIS_PYTHON", "/usr/bin/python3")
INSTALL = "install QGIS and its Python bindings (Debian/Ubuntu: sudo apt-get install qgis python3-qgis)"
ON = date(2026, 1, 19)
BEFORE, AFTER = "2025-06-01", "2026-01-19"
AIN_AL_ASAD = "ain-al-asad-air-base"
LAYERS = ["sites", "control_intervals", "presence_intervals", "events", "snapshot"]


def _qgis_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp), HOME=str(tmp))
    return env


@pytest.fixture(scope="module")
def qgis_python(tmp_path_factory) -> str:
    reason = None
    if not Path(QGIS_PYTHON).exists():
        reason = f"no {QGIS_PYTHON}"
    else:
        probe = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, timeout=120,
                               env=_qgis_env(tmp_path_factory.mktemp("probe")))
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
            reason = f"{QGIS_PYTHON} cannot import qgis.core ({last})"
    if reason:
        message = f"QGIS tests need QGIS: {reason}; {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return QGIS_PYTHON


@pytest.fixture(scope="module")
def layers(timeline):
    return {**frames.all_layers(timeline), "snapshot": frames.snapshot(timeline, ON)}


@pytest.fixture(scope="module")
def seen(qgis_python, timeline, tmp_path_factory) -> dict:
    """What QGIS reports about a fresh export."""
    folder = tmp_path_factory.mktemp("qgis") / "export"
    export.export(timeline, folder, ["geojson", "gpkg"], on=ON)
    site = timeline.sites.set_index("id").loc[AIN_AL_ASAD]
    spec = {"project": export.PROJECT_NAME, "gpkg": export.GPKG_NAME, "layers": LAYERS,
            "temporal_layers": ["control_intervals", "presence_intervals"],
            "point": [float(site["lon"]), float(site["lat"])], "radius": 0.6, "dates": [BEFORE, AFTER]}
    spec_path = folder.parent / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    r = subprocess.run([qgis_python, str(HERE / "qgis_check.py"), str(folder), str(spec_path)], capture_output=True,
                       text=True, timeout=600, env=_qgis_env(folder.parent))
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout)


def test_project_opens_with_every_layer_valid(seen, layers):
    assert seen["project_read"] is True
    assert set(seen["project_layers"]) == set(LAYERS)
    for where in ("project_layers", "gpkg_layers", "geojson_layers"):
        for name in LAYERS:
            lyr = seen[where][name]
            assert lyr["valid"], (where, name)
            assert lyr["crs"] == "EPSG:4326"
            assert lyr["features"] == len(layers[name]), (where, name)
    assert seen["visible"] == ["presence_intervals", "control_intervals", "sites"]
    assert seen["default_view"]["crs"] == "EPSG:4326"
    x0, y0, x1, y1 = seen["default_view"]["extent"]
    assert x0 < 42.4412 < x1 and y0 < 33.7856 < y1


@pytest.mark.parametrize("where", ["project_layers", "gpkg_layers", "geojson_layers"])
def test_dates_are_date_fields_in_qgis(seen, where):
    for name, cols in {"control_intervals": ["valid_from", "valid_to", "published"],
                       "presence_intervals": ["valid_from", "valid_to"], "events": ["date", "published"],
                       "snapshot": ["date", "controller_since"]}.items():
        fields = seen[where][name]["fields"]
        assert {c: fields[c] for c in cols} == {c: "Date" for c in cols}, (where, name)


@pytest.mark.parametrize("where", ["project_layers", "gpkg_layers", "geojson_layers"])
def test_one_category_per_controller_in_the_actors_colours(seen, layers, timeline, where):
    colours = dict(zip(timeline.actors["id"], timeline.actors["colour"]))
    for name in ("control_intervals", "presence_intervals", "events", "snapshot"):
        lyr, style = seen[where][name], qgis_styles.STYLES[name]
        assert lyr["renderer"] == "categorizedSymbol" and lyr["class_attribute"] == style.classify
        cats = {c["value"]: c["colour"] for c in lyr["categories"] if c["value"]}
        assert len(cats) == len([c for c in lyr["categories"] if c["value"]])
        assert set(cats) == set(layers[name][style.classify].dropna())
        assert all(cats[a] == colours[a].lower() for a in cats)
    sites = seen[where]["sites"]
    assert {c["value"] for c in sites["categories"]} == set(layers["sites"]["kind"])
    assert sites["labels"] == {"enabled": True, "field": "name"}


def test_controls_take_the_shape_of_the_site_kind(seen):
    for c in seen["project_layers"]["control_intervals"]["categories"]:
        assert '"site_kind"' in c["shape_expression"]


def test_interval_layers_are_on_the_temporal_controller(seen, layers):
    for name in ("control_intervals", "presence_intervals"):
        assert seen["project_layers"][name]["temporal"] == {
            "active": True, "mode": "start_end_fields", "start": "valid_from", "end": "valid_to"}
    assert seen["project_layers"]["events"]["temporal"]["start"] == "date"
    ts = seen["time_settings"]
    first = min(layers["control_intervals"]["valid_from"].min(), layers["presence_intervals"]["valid_from"].min())
    assert ts["start"] == first.date().isoformat() and ts["end"] > AFTER and ts["unit"] == "mon"


def _expected_ids(gdf: pd.DataFrame, day: str) -> list[str]:
    d = pd.Timestamp(day)
    holds = (gdf["valid_from"] <= d) & (gdf["valid_to"].isna() | (gdf["valid_to"] > d))
    at = gdf[(gdf["site_id"] == AIN_AL_ASAD) & holds]
    return sorted(at["id"])


def test_qgis_filters_intervals_by_date_with_open_ends(seen, layers):
    for day in (BEFORE, AFTER):
        for name in ("control_intervals", "presence_intervals"):
            assert seen["filtered"][day][name] == _expected_ids(layers[name], day), (day, name)
    # the case itself: isf holds throughout (an interval with no end), the coalition leaves
    ctl = layers["control_intervals"].set_index("id")
    assert [ctl.loc[i, "actor_id"] for i in seen["filtered"][AFTER]["control_intervals"]] == ["isf"]
    assert pd.isna(ctl.loc[seen["filtered"][AFTER]["control_intervals"][0], "valid_to"])
    pres = layers["presence_intervals"].set_index("id")
    assert "coalition" in {pres.loc[i, "actor_id"] for i in seen["filtered"][BEFORE]["presence_intervals"]}
    assert "coalition" not in {pres.loc[i, "actor_id"] for i in seen["filtered"][AFTER]["presence_intervals"]}


def _pixels(seen: dict, day: str, colour: str) -> int:
    return seen["renders"][day]["colours"].get(colour.lower(), 0)


def test_render_changes_at_ain_al_asad(seen, timeline):
    colours = dict(zip(timeline.actors["id"], timeline.actors["colour"]))
    before, after = seen["renders"][BEFORE], seen["renders"][AFTER]
    assert before["colours"] != after["colours"]
    # the coalition's presence badge is drawn in June 2025 and gone after it left
    assert _pixels(seen, BEFORE, colours["coalition"]) > 20
    assert _pixels(seen, AFTER, colours["coalition"]) == 0
    # the site itself stays in the Iraqi forces' colour on both dates
    assert _pixels(seen, BEFORE, colours["isf"]) > 20
    assert abs(_pixels(seen, AFTER, colours["isf"]) - _pixels(seen, BEFORE, colours["isf"])) <= 5
