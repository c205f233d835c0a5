"""Curated alternate names: Kurdish, Turkish and older spellings reach the right town at the exact
level, and a bad row of the file is an error naming its line and field."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from geo import sources
from geo.place import Place
from geo.sources import SourceError, read_alternate_names, with_alternate_names

HEADER = "place_id,name,language,source_url,note\n"
TOWN = Place(id="geonames:1", name="Tall Abyad", kind="town", country="SY", lat=36.7, lon=38.95,
             aliases=("Tell Abyad",))


@pytest.mark.parametrize("name, expected", [
    ("Serêkaniyê", "geonames:165509"),   # Ras al-Ayn; GeoNames knows no Kurdish name for it
    ("Girê Spî", "geonames:163750"),     # Tell Abyad
    ("Tirbespî", "geonames:165757"),     # al-Qahtaniyah
    ("Til Koçer", "geonames:383661"),    # al-Yaarubiyah
    ("Şengal", "geonames:448149"),       # Sinjar, not a Turkish town with a similar skeleton
    ("Koya", "geonames:94220"),          # Koy Sanjaq, not Kōya in Japan
    ("Azez", "geonames:172082"),         # Azaz, not Azerbaijan
    ("Bakhdida", "geonames:92430"),      # Qaraqosh
    ("Cindirês", "geonames:169190"),     # Jindires
])
def test_curated_spellings_resolve_exactly(gazetteer, name, expected):
    r = gazetteer.resolve(name)
    assert r.place.id == expected
    assert r.reason.startswith("exact")


def test_every_row_of_the_bundled_file_reaches_its_place(gazetteer):
    with resources.as_file(sources.DATA / sources.ALTERNATE_NAMES) as path, open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 40
    wrong = [(r["name"], r["place_id"]) for r in rows if gazetteer.resolve(r["name"]).place.id != r["place_id"]]
    assert wrong == []


def test_names_join_the_aliases_once(tmp_path):
    path = tmp_path / "alt.csv"
    path.write_text(HEADER + "geonames:1,Girê Spî,ku,https://example.org/a,\n"
                             "geonames:1,Tell Abyad,en,https://example.org/b,\n", encoding="utf-8")
    other = Place(id="geonames:2", name="Elsewhere", kind="town", country="SY", lat=35.0, lon=38.0)
    merged = list(with_alternate_names([TOWN, other], path))
    assert merged[0].aliases == ("Tell Abyad", "Girê Spî")
    assert merged[1] == other


def _error(tmp_path, rows: str, places=(TOWN,)) -> SourceError:
    path = tmp_path / "alt.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        list(with_alternate_names(places, path))
    assert str(path) in str(info.value)
    return info.value


def test_unknown_place_id_names_its_line_and_field(tmp_path):
    err = _error(tmp_path, "geonames:1,Girê Spî,ku,https://example.org/a,\n"
                           "geonames:999,Nowhere,ku,https://example.org/b,\n")
    assert (err.line, err.field) == (3, "place_id")
    assert "geonames:999" in str(err)


@pytest.mark.parametrize("row, field", [
    ("geonames:1,Girê Spî,ku,,no page\n", "source_url"),
    ("geonames:1,Girê Spî,ku,www.example.org,not a URL\n", "source_url"),
    (",Girê Spî,ku,https://example.org/a,\n", "place_id"),
    ("geonames:1,,ku,https://example.org/a,\n", "name"),
    ("geonames:1,Girê Spî,,https://example.org/a,\n", "language"),
])
def test_bad_row_names_its_line_and_field(tmp_path, row, field):
    err = _error(tmp_path, "geonames:1,Girê Sipî,ku,https://example.org/a,\n" + row)
    assert (err.line, err.field) == (3, field)


def test_repeated_name_points_at_the_first(tmp_path):
    err = _error(tmp_path, "geonames:1,Girê Spî,ku,https://example.org/a,\n"
                           "geonames:1,Girê Spî,ku,https://example.org/b,\n")
    assert (err.line, err.field) == (3, "name")
    assert "line 2" in str(err)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "alt.csv"
    path.write_text("place_id,name,language\ngeonames:1,Girê Spî,ku\n", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_alternate_names(path)
    assert (info.value.line, info.value.field) == (1, "source_url")
