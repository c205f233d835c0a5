"""Loading reports every problem at once, with file, line, field and value."""

import pytest

from layers.dataset import DatasetError, load
from tests.helpers import event, write_dataset

GOOD = [
    event("e1", "north-base", "2014-06-10", "control", "rebels", published="2014-06-12"),
    event("e2", "north-base", "2016-07", "control", "gov", published="2016-08-01"),
    event("e3", "north-base", "2016-09", "presence_start", "allies", role="advisers", published="2016-10-01"),
]


def problems(ds, severity="error"):
    return [(p.line, p.field, p.message) for p in ds.report.problems if p.severity == severity]


def test_a_clean_dataset_loads_without_problems(tmp_path):
    ds = load(write_dataset(tmp_path / "d", GOOD))
    assert ds.report.problems == []
    assert list(ds.events["id"]) == ["e1", "e2", "e3"]


@pytest.mark.parametrize("bad,field,words", [
    (event("x", "nowhere", "2015", "control", "gov"), "site_id", "unknown site"),
    (event("x", "north-base", "2015", "control", "martians"), "actor_id", "unknown actor"),
    (event("x", "north-base", "2015-13-01", "control", "gov", precision="day"), "date", "not a calendar date"),
    (event("x", "north-base", "2015-03", "control", "gov", precision="day"), "date_precision", "does not match"),
    (event("x", "north-base", "2015", "occupied", "gov"), "kind", "kind must be"),
    (event("x", "north-base", "2015", "control", "gov", confidence="sure"), "confidence", "confidence must be"),
    (event("x", "north-base", "2015", "control", "gov", url="not a url"), "source_url", "URL"),
    (event("x", "north-base", "2026-03-01", "control", "gov", published="2026-02-01"), "date",
     "after its source was published"),
    (event("x", "north-base", "2015", "control", "gov", published="2026-02"), "published", "YYYY-MM-DD"),
])
def test_every_error_class_names_line_field_and_value(tmp_path, bad, field, words):
    folder = write_dataset(tmp_path / "d", GOOD + [bad])
    ds = load(folder, strict=False)
    errors = problems(ds)
    assert any(line == 5 and f == field and words in msg for line, f, msg in errors), errors
    with pytest.raises(DatasetError) as info:
        load(folder)
    assert "events.csv, line 5" in str(info.value)


def test_all_problems_are_reported_at_once(tmp_path):
    rows = GOOD + [event("x1", "nowhere", "2015", "control", "gov"),
                   event("x2", "north-base", "2015", "control", "martians")]
    ds = load(write_dataset(tmp_path / "d", rows), strict=False)
    assert {(line, f) for line, f, _ in problems(ds)} == {(5, "site_id"), (6, "actor_id")}
    assert len(ds.events) == 3  # the good rows survive for a lenient load


def test_duplicate_ids_and_repeated_claims(tmp_path):
    rows = GOOD + [dict(GOOD[0]), dict(GOOD[0], id="e1-again")]
    ds = load(write_dataset(tmp_path / "d", rows), strict=False)
    assert any(f == "id" and "earlier line" in m for _, f, m in problems(ds))
    assert any("same claim from the same source" in m for _, _, m in problems(ds, "warning"))


def test_sources_that_disagree_are_warnings_with_both_sources(tmp_path):
    rows = GOOD + [
        event("c1", "south-field", "2017-05-01", "control", "gov", url="https://a.example/1"),
        event("c2", "south-field", "2017-05-01", "control", "rebels", url="https://b.example/2"),
        event("p1", "south-field", "2018-01-01", "presence_end", "allies"),
    ]
    ds = load(write_dataset(tmp_path / "d", rows))  # warnings do not stop loading
    warnings = [m for _, _, m in problems(ds, "warning")]
    assert any("different controllers of south-field" in m and "https://a.example/1" in m
               and "https://b.example/2" in m for m in warnings)
    assert any("leaves south-field with no recorded arrival" in m for m in warnings)


def test_missing_folder_file_and_column(tmp_path):
    with pytest.raises(DatasetError, match="dataset folder not found"):
        load(tmp_path / "absent")
    folder = write_dataset(tmp_path / "d", GOOD)
    (folder / "actors.csv").unlink()
    with pytest.raises(DatasetError, match="actors.csv.*file not found"):
        load(folder)
    folder = write_dataset(tmp_path / "e", GOOD)
    text = (folder / "events.csv").read_text().replace("source_url", "link", 1)
    (folder / "events.csv").write_text(text)
    with pytest.raises(DatasetError, match="line 1, field 'source_url'.*column missing"):
        load(folder)


def test_a_site_defined_in_the_dataset_needs_its_source(tmp_path):
    from tests.helpers import SITES

    sites = [dict(SITES[0], source_url=""), SITES[1]]
    ds = load(write_dataset(tmp_path / "d", GOOD, sites=sites), strict=False)
    assert any(f == "source_url" and line == 2 for line, f, _ in problems(ds))


def test_non_utf8_file_is_a_clear_error(tmp_path):
    folder = write_dataset(tmp_path / "d", GOOD)
    (folder / "events.csv").write_bytes("id,site_id\n\xe9\xff,x\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        load(folder)


def test_bundled_dataset_is_valid_and_fully_sourced(dataset):
    assert dataset.report.errors == []
    assert len(dataset.sites) >= 40 and len(dataset.events) >= 150
    assert dataset.events["source_url"].str.match(r"https?://").all()
    assert (dataset.events["evidence"].str.len() > 10).all()
    assert dataset.sites["source_url"].str.match(r"https?://").all()
