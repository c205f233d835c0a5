"""Reverse lookup: which country, governorate and region hold a point -- federal Iraq or the
Kurdistan Region, Syria, or the sea."""

from __future__ import annotations

import pytest

import geo
from geo.regions import country_at

KURDISTAN = [
    ("Erbil citadel", 36.191, 44.009, "iq-ar"),
    ("Duhok", 36.867, 42.988, "iq-da"),
    ("Sulaymaniyah", 35.565, 45.433, "iq-su"),
    ("Zakho", 37.149, 42.686, "iq-da"),
    ("Halabja", 35.178, 45.986, "iq-hal"),
    ("Harir air base", 36.534, 44.340, "iq-ar"),
]
FEDERAL = [
    ("Baghdad", 33.340, 44.401, "iq-bg"),
    ("Ramadi", 33.421, 43.308, "iq-an"),
    ("Ain al-Asad air base", 33.786, 42.441, "iq-an"),
    ("Kirkuk", 35.468, 44.392, "iq-ki"),
    ("Mosul", 36.335, 43.119, "iq-ni"),
    ("Basra", 30.509, 47.780, "iq-ba"),
    ("western desert near H-3", 32.93, 39.75, "iq-an"),
]
SYRIA = [
    ("Raqqa", 35.953, 39.008, "sy-ra"),
    ("Deir ez-Zor", 35.336, 40.141, "sy-dy"),
    ("Palmyra", 34.562, 38.284, "sy-hi"),
    ("Damascus old city", 33.511, 36.306, "sy-di"),
    ("Qamishli", 37.052, 41.231, "sy-ha"),
]


@pytest.mark.parametrize("where, lat, lon, admin1", KURDISTAN)
def test_kurdistan_region(gazetteer, where, lat, lon, admin1):
    r = geo.reverse(lat, lon)
    assert (r["country"], r["admin1_id"], r["region_id"], r["federal"]) == ("IQ", admin1, "iq-kr", False)
    assert r["region"] == "Kurdistan Region"


@pytest.mark.parametrize("where, lat, lon, admin1", FEDERAL)
def test_federal_iraq(gazetteer, where, lat, lon, admin1):
    r = geo.reverse(lat, lon)
    assert (r["country"], r["admin1_id"], r["region_id"], r["federal"]) == ("IQ", admin1, None, True)


@pytest.mark.parametrize("where, lat, lon, admin1", SYRIA)
def test_syria(gazetteer, where, lat, lon, admin1):
    r = geo.reverse(lat, lon)
    assert (r["country"], r["admin1_id"], r["federal"]) == ("SY", admin1, None)


def test_desert_garrison_is_in_syria(gazetteer):
    """Governorate lines in empty desert are beyond a nearest-town vote; the country is not."""
    assert geo.reverse(33.506, 38.618)["country"] == "SY"  # al-Tanf


@pytest.mark.parametrize("lat, lon", [(27.0, 51.0), (34.5, 33.5), (0.0, -30.0), (29.2, 48.6)])
def test_a_point_at_sea_is_in_no_country(gazetteer, lat, lon):
    r = geo.reverse(lat, lon)
    assert r["country"] is None and r["admin1"] is None and r["federal"] is None


def test_neighbours_by_outline():
    assert country_at(31.95, 35.93) == "JO"  # Amman
    assert country_at(29.37, 47.98) == "KW"  # Kuwait City
    assert country_at(37.0, 35.32) == "TR"  # Adana


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, 181), (float("nan"), 44), ("north", 44), (None, None)])
def test_bad_coordinates_are_value_errors(gazetteer, lat, lon):
    with pytest.raises(ValueError):
        geo.reverse(lat, lon)


def test_reverse_of_every_resolved_curated_site_in_iraq_agrees_with_its_kind_of_territory(gazetteer):
    """A check across the data: the curated Iraqi sites in Erbil, Duhok and Sulaymaniyah are in the
    Kurdistan Region, those in Anbar and Baghdad are not."""
    for p in gazetteer.places(source="curated"):
        if p.country == "IQ" and p.admin1 in ("Erbil", "Duhok", "Sulaymaniyah", "Anbar", "Baghdad"):
            r = geo.reverse(p.lat, p.lon)
            assert r["federal"] == (p.admin1 in ("Anbar", "Baghdad")), p.id
