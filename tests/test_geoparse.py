"""Place mentions in running text: spans, context, and the words that only look like places."""

import json

import pytest

from geo.geoparse import geoparse, sentence_spans


def places(text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.place.id) for m in geoparse(text) if m.place is not None]


def skipped(text: str) -> dict[str, str]:
    return {m.surface: m.note for m in geoparse(text, debug=True) if m.skipped}


def test_spans_point_into_the_text():
    text = "Troops left Ayn al-Asad on Sunday and moved to Erbil air base, Iraq's army said."
    found = geoparse(text)
    assert found, "expected mentions"
    for m in found:
        assert text[m.start:m.end] == m.surface
    assert [m.place.id for m in found] == ["ain-al-asad-air-base", "erbil-air-base", "geonames:99237"]


@pytest.mark.parametrize("spelling", ["Ain al-Asad", "Ayn al Asad", "'Ayn al-Asad", "Al-Asad airbase",
                                      "Ain Al Assad air base", "عين الأسد"])
def test_spellings_of_one_base(spelling):
    assert places(f"Advisers stayed at {spelling} for years.") == [(spelling.lstrip("'"), "ain-al-asad-air-base")]


def test_kind_word_beside_the_name_picks_the_site():
    assert places("The convoy reached Erbil in the evening.") == [("Erbil", "geonames:95446")]
    assert places("Logistics run through an air base in Erbil.") == [("Erbil", "erbil-air-base")]
    assert places("Advisers at the Taji base trained recruits.") == [("Taji base", "camp-taji")]
    assert places("The town of Hit lies on the Euphrates in Anbar.")[0] == ("Hit", "geonames:95788")


def test_a_governorate_named_nearby_decides_between_namesakes():
    iraq = places("Yazidi families returned to Sinjar, in Iraq's Nineveh province.")
    syria = places("Shelling hit Sinjar in Syria's Idlib province overnight.")
    assert ("Sinjar", "geonames:448149") in iraq
    assert ("Sinjar", "geonames:164094") in syria


def test_common_words_need_evidence():
    notes = skipped("Hit was quiet. Of course the Camp said nothing.")
    assert "a common word" in notes["Hit"] and "start of a sentence" in notes["Hit"]
    assert "Of" in notes
    assert not places("Hit was quiet. Of course nothing happened.")
    # capitalised mid-sentence after a preposition, in an article about Iraq: the town
    assert ("Hit", "geonames:95788") in places("Militants in Anbar seized Hit in 2014.")


def test_a_name_accepted_once_is_that_place_again():
    text = "Iraqi Army Says It Has Surrounded Hit\n\nTroops surrounded the town of Hit, west of Baghdad."
    assert [p for p in places(text) if p[0] == "Hit"] == [("Hit", "geonames:95788")] * 2


def test_people_speakers_and_modifiers_are_not_places():
    assert places("President Bashar al-Assad fled on Sunday.") == []
    notes = skipped("US forces and the US-led coalition left; the Joint Operations Command said so.")
    assert "modifier" in notes["US"]
    assert "speaker" in notes["Joint Operations Command"]
    assert places("Troops flew back to the US in March.") == [("US", "geonames:6252001")]
    assert places("Mohammed Hassan, a council member in Sinjar, spoke.") == [("Sinjar", "geonames:448149")]


def test_far_away_places_need_a_preposition():
    text = "Officials in Baghdad met. Nur said nothing, and Hassan said the base was calm."
    assert [p[0] for p in places(text)] == ["Baghdad"]


def test_debug_reports_every_skip_with_a_reason():
    found = geoparse("Of the bases, Hit is the smallest.", debug=True)
    skipped_ones = [m for m in found if m.skipped]
    assert skipped_ones and all(m.place is None and m.note.startswith("skipped: ") for m in skipped_ones)
    assert all(m.to_dict()["skipped"] for m in skipped_ones)


def test_unknown_military_sites_are_reported_unresolved():
    found = geoparse("Marines flew in from Camp Lemonnier on Tuesday.")
    assert [(m.surface, m.place) for m in found] == [("Camp Lemonnier", None)]
    assert "does not know" in found[0].note


def test_to_dict_follows_the_contract():
    d = geoparse("US troops left Tabqa air base.")[0].to_dict()
    assert set(d) >= {"surface", "start", "end", "place", "note"}
    assert set(d["place"]) == {"id", "name", "kind", "country", "lat", "lon", "score"}
    json.dumps(d)


def test_sentences_do_not_end_at_abbreviations():
    text = "Gen. Smith said U.S. troops left. They went home."
    spans = sentence_spans(text)
    assert [text[s:e].strip() for s, e in spans] == ["Gen. Smith said U.S. troops left.", "They went home."]


def test_empty_and_wrong_input():
    assert geoparse("") == []
    assert geoparse("no places here at all.") == []
    with pytest.raises(TypeError):
        geoparse(b"bytes")


def test_cli_geoparse_json_and_debug(cli, tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("Hit was calm. Iraqi forces entered Hit, west of Ramadi.", encoding="utf-8")
    r = cli("geoparse", str(f), "--format", "json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert [(m["surface"], m["place"]["id"]) for m in got] == [("Hit", "geonames:95788"), ("Hit", "geonames:95788"),
                                                               ("Ramadi", "geonames:98717")]
    dbg = cli("geoparse", str(f), "--debug")
    assert dbg.returncode == 0 and "Ramadi" in dbg.stdout


def test_names_that_are_also_words_in_a_report_on_their_country():
    text = ("Syrian troops backed by Russian jets drove Islamic State out of Palmyra on Sunday. "
            "The army said Palmyra would serve as a base for the push on Deir ez-Zor in Syria.")
    assert [p for s, p in places(text) if s == "Palmyra"] == ["geonames:163808", "geonames:163808"]
    assert "Palmyra" in dict(places("The day before, army units had secured Palmyra's airport in Syria."))


@pytest.mark.parametrize("text, word", [
    ("In 2017 the Assad government gave Russia a lease on Hmeimim in Syria.", "Assad"),
    ("Troops fought street by street through Mosul's Old City in Iraq.", "Old City"),
    ("The Peshmerga left the Bai Hassan oil fields near Kirkuk in Iraq.", "Bai"),
    ("The jihadists stormed into the eastern districts of Kobani on October 6.", "October 6"),
    # a surname after a given name, a person with his family, a ruler's rule
    ("Rebels entered Damascus in Syria and said Bashar al-Assad had fled.", "Assad"),
    ("Russian agencies said Assad and his family had arrived in Moscow from Syria.", "Assad"),
    ("In Syria, soldiers were told overnight that Assad's rule had ended.", "Assad"),
])
def test_words_that_are_not_places_here(text, word):
    assert word not in dict(places(text))


def test_a_district_is_named_after_its_town():
    text = "Iraqi forces announced the liberation of the district of Tal Afar, west of Mosul in Nineveh province."
    assert dict(places(text))["Tal Afar"] == "geonames:90393"


def test_a_site_written_as_such_is_found_by_a_looser_spelling():
    assert places("Russian jets took off from Hmeymin air base near Latakia in Syria.")[0] == (
        "Hmeymin air base", "hmeimim-air-base")
    (unknown,) = [m for m in geoparse("Marines flew out of Camp Lemonnier.") if m.kind_word]
    assert unknown.place is None and unknown.surface == "Camp Lemonnier"


def test_a_heading_above_a_name_or_a_dash_after_it_does_not_hide_it():
    text = "Iraq, daily digest\n\nMONDAY\nHabbaniya - Several thousand fighters gathered.\n\nHarir - Outlets said so."
    found = dict(places(text))
    assert found.get("Habbaniya") == "habbaniyah-air-base"
    assert found.get("Harir") == "geonames:96046"
