"""The ``garrison`` command end to end, in fresh processes, as scripts use it."""

import json

import pytest

from tests.helpers import event, write_dataset


def test_status_on_the_day_after_the_handover(cli):
    r = cli("status", "--on", "2026-01-19", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {row["site_id"]: row for row in json.loads(r.stdout)}
    asad = rows["ain-al-asad-air-base"]
    assert set(asad) >= {"site_id", "name", "lat", "lon", "controller", "controller_since", "present"}
    assert asad["controller"] == "isf" and "coalition" not in asad["present"]
    assert "coalition" in rows["erbil-air-base"]["present"]
    before = cli("status", "--on", "2025-06-01", "--site", "Ayn al-Asad", "--format", "json")
    assert [row["present"] for row in json.loads(before.stdout)] == [["coalition"]]


def test_status_text_shows_dates_at_their_precision(cli):
    r = cli("status", "--on", "2025-06-01", "--site", "ain-al-asad-air-base")
    assert r.returncode == 0
    assert "7 Dec 2011" in r.stdout and "coalition" in r.stdout


def test_history_lists_sources(cli):
    r = cli("history", "ain-al-asad-air-base", "--format", "json")
    h = json.loads(r.stdout)
    assert h["site_id"] == "ain-al-asad-air-base"
    handover = [e for e in h["events"] if e["date"] == "2026-01-17" and e["kind"] == "control"]
    assert handover and all(e["source_url"].startswith("http") for e in handover)
    text = cli("history", "Ain al-Asad").stdout
    assert "Nov 2014" in text and "17 Jan 2026" in text and "http" in text


def test_resolve_json_contract(cli):
    r = cli("resolve", "Ayn al-Asad", "--format", "json")
    d = json.loads(r.stdout)
    assert {"query", "id", "name", "kind", "country", "lat", "lon", "score"} <= set(d)
    assert d["id"] == "ain-al-asad-air-base" and d["country"] == "IQ"


def test_resolve_batch_reports_each_line(cli, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("Erbil\nQ-West\nZzqxv Wjjkq\n", encoding="utf-8")
    r = cli("resolve", "--input", str(names), "--format", "json")
    out = json.loads(r.stdout)
    assert [o.get("id") for o in out][:2] == ["geonames:95446", "qayyarah-west-air-base"]
    assert out[2]["error"] and r.returncode == 1


@pytest.mark.parametrize("args,words", [
    (["resolve", "Zzqxv Wjjkq"], "unknown place"),
    (["status", "--on", "2026-13-45"], "--on"),
    (["status", "--data", "/nonexistent/folder"], "dataset folder not found"),
    (["history", "no-such-site"], "no tracked site"),
    (["resolve", "--input", "/nonexistent/names.txt"], "cannot read"),
    (["map", "--from", "2026-01-01"], "--from and --to go together"),
])
def test_bad_input_is_one_clear_line_and_no_traceback(cli, args, words):
    r = cli(*args)
    assert r.returncode != 0
    assert words in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_validate_exit_status(cli, tmp_path):
    ok = cli("validate")
    assert ok.returncode == 0 and "0 error(s)" in ok.stdout
    bad = write_dataset(tmp_path / "bad", [event("x", "north-base", "2015", "control", "nobody")])
    r = cli("validate", "--data", str(bad))
    assert r.returncode == 1
    assert "events.csv, line 2, field 'actor_id' = 'nobody'" in r.stdout


def test_map_writes_a_file_and_never_overwrites_without_force(cli, tmp_path):
    out = tmp_path / "m.html"
    r = cli("map", "--on", "2026-01-19", "-o", str(out))
    assert r.returncode == 0 and out.read_text().startswith("<!DOCTYPE html>")
    out.write_text("my notes")
    again = cli("map", "--on", "2026-01-19", "-o", str(out))
    assert again.returncode != 0 and "--force" in again.stderr
    assert out.read_text() == "my notes"
    assert cli("map", "--on", "2026-01-19", "-o", str(out), "--force").returncode == 0


def test_every_subcommand_help_shows_an_example(cli):
    for sub in ("resolve", "status", "history", "map", "export", "geoparse", "ingest", "review",
                "validate", "gazetteer"):
        r = cli(sub, "--help")
        assert r.returncode == 0 and "examples:" in r.stdout and "garrison " + sub in r.stdout
