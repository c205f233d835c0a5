"""Reading reports into proposed events: who, which site, when, and whether it is a fact."""

import json
from datetime import date

import pytest

from layers.ingest import InputError, find_dates, propose, propose_files, propose_many, read_text
from layers.lexicon import Lexicon, resolve_actor

MOTIVATING = (
    "On Sunday Iraq's Higher Military Committee said the last advisers of the US-led Global Coalition had left "
    "Ain al-Asad Air Base in Anbar and the Joint Operations Command headquarters in Baghdad, leaving both under "
    "full Iraqi administration. The Defence Ministry had said the day before that Iraqi forces had taken full "
    "control of Ain al-Asad after US troops withdrew. The coalition will keep using an air base in Erbil."
)


def claims(props) -> set[tuple]:
    return {(p.site_id, p.kind, p.actor, p.date) for p in props}


def test_the_motivating_report():
    props = propose(MOTIVATING, published="2026-01-18", source_url="https://example.org/a")
    got = claims(props)
    assert ("ain-al-asad-air-base", "presence_end", "coalition", "2026-01-18") in got
    assert ("joc-hq-baghdad", "presence_end", "coalition", "2026-01-18") in got
    assert ("ain-al-asad-air-base", "control", "isf", "2026-01-17") in got
    assert ("ain-al-asad-air-base", "presence_end", "us", "2026-01-17") in got
    assert not any(site == "erbil-air-base" for site, *_ in got)  # "will keep using": not a change
    for p in props:
        assert MOTIVATING[p.evidence_start:p.evidence_end] == p.evidence
        assert 0 < p.confidence <= 1 and p.lat and p.lon and p.source_url == "https://example.org/a"
    control = next(p for p in props if p.kind == "control" and p.date == "2026-01-17")
    assert control.actor_leaving == "us"


def test_future_and_denial_are_not_facts():
    text = ("US forces will withdraw from Ain al-Asad next week, officials said. A spokesman denied that "
            "coalition troops had left Harir air base. The SDF did not leave Tabqa air base.")
    assert propose(text, published="2025-12-31") == []
    kept = propose(text, published="2025-12-31", unconfirmed=True)
    status = {(p.site_id, p.status) for p in kept}
    assert ("ain-al-asad-air-base", "planned") in status
    assert ("harir-air-base", "denied") in status and ("tabqa-air-base", "denied") in status
    assert all(p.confidence <= 0.2 for p in kept)


@pytest.mark.parametrize("sentence, kind, actor, site", [
    ("Islamic State fighters overran Camp Speicher on Wednesday.", "control", "isis", "camp-speicher"),
    ("Iraqi troops recaptured Hit from the militants on Wednesday.", "control", "isf", "geonames:95788"),
    ("The coalition handed over the K-1 air base to Iraqi forces on Wednesday.", "control", "isf", "k1-air-base"),
    ("Iraqi forces received Taqaddum air base from the coalition on Wednesday.", "control", "isf",
     "al-taqaddum-air-base"),
    ("Russian personnel evacuated the Tiyas air base on Wednesday.", "presence_end", "russia", "tiyas-air-base"),
    ("US troops pulled out of the Lafarge base on Wednesday.", "presence_end", "us", "kobani-lafarge-base"),
    ("About 300 US troops were deployed to Al Udeid Air Base on Wednesday.", "presence_start", "us",
     "al-udeid-air-base"),
    ("Tabqa air base fell to Islamic State on Wednesday.", "control", "isis", "tabqa-air-base"),
    ("Ramadi was retaken by Iraqi forces on Wednesday.", "control", "isf", "geonames:98717"),
])
def test_patterns(sentence, kind, actor, site):
    got = claims(propose(sentence, published="2016-04-14"))
    assert (site, kind, actor, "2016-04-13") in got


def test_two_sites_in_one_sentence_and_the_place_that_only_locates():
    text = "US forces pulled out of Tal Baydar and the Lafarge cement factory base near Kobani on Sunday."
    got = {(p.site_id, p.kind) for p in propose(text, published="2019-10-22")}
    assert got == {("tal-baydar-base", "presence_end"), ("kobani-lafarge-base", "presence_end")}


def test_back_references_and_pronouns():
    text = ("Iraqi forces seized the K1 military base west of Kirkuk on Monday. They also took control of the "
            "Kirkuk air base. Kurdish fighters had left the base hours earlier.")
    got = claims(propose(text, published="2017-10-17"))
    assert ("kirkuk-air-base", "control", "isf", "2017-10-16") in got
    assert ("kirkuk-air-base", "presence_end", "peshmerga", "2017-10-16") in got


def test_actors_that_depend_on_place_and_date():
    lex = Lexicon()
    syrian = [a.actor for a in lex.find("Syrian army units moved in.")][0]
    assert resolve_actor(syrian, country="SY", on=date(2015, 5, 1)) == "syrian-arab-army"
    assert resolve_actor(syrian, country="SY", on=date(2025, 2, 23)) == "syrian-government"
    kurdish = [a.actor for a in lex.find("Kurdish forces withdrew.")][0]
    assert resolve_actor(kurdish, country="IQ", on=None) == "peshmerga"
    assert resolve_actor(kurdish, country="SY", on=None) == "sdf"
    got = claims(propose("Government troops abandoned the Tabqa air base on Sunday.", published="2014-08-25"))
    assert ("tabqa-air-base", "presence_end", "syrian-arab-army", "2014-08-24") in got


def test_dataset_aliases_extend_the_lexicon():
    import pandas as pd

    actors = pd.DataFrame([{"id": "tribal", "name": "Tribal Mobilisation", "aliases": "Hashd al-Asha'iri",
                            "colour": "#123456"}])
    assert [a.actor for a in Lexicon(actors).find("Hashd al-Asha'iri fighters arrived.")] == ["tribal"]


@pytest.mark.parametrize("phrase, published, value, precision", [
    ("on Sunday", "2026-01-18", "2026-01-18", "day"),
    ("on Saturday", "2026-01-18", "2026-01-17", "day"),
    ("yesterday", "2026-01-18", "2026-01-17", "day"),
    ("last week", "2023-09-04", "2023-08-01", "month"),
    ("earlier this month", "2022-06-15", "2022-06-01", "month"),
    ("last month", "2022-01-15", "2021-12-01", "month"),
    ("on 7 December 2011", None, "2011-12-07", "day"),
    ("on January 17, 2026", None, "2026-01-17", "day"),
    ("in August 2014", None, "2014-08-01", "month"),
    ("in 2014", None, "2014-01-01", "year"),
    ("in July", "2016-10-17", "2016-07-01", "month"),
    ("on 30 December", "2026-01-05", "2025-12-30", "day"),
])
def test_dates(phrase, published, value, precision):
    pub = date.fromisoformat(published) if published else None
    text = f"It happened {phrase}."
    (d,) = find_dates(text, 0, len(text), pub)
    assert (d.value.isoformat(), d.precision) == (value, precision)


def test_relative_dates_without_publication_date_stay_unresolved():
    text = "It happened on Sunday."
    (d,) = find_dates(text, 0, len(text), None)
    assert d.value is None and "--published" in d.note
    (p,) = propose("Iraqi forces took control of Ain al-Asad on Sunday.")
    assert p.date is None and "not resolved" in p.note
    (nxt,) = find_dates("They leave next week.", 0, 21, date(2026, 1, 1))
    assert nxt.future


def test_read_text_refuses_bad_files(tmp_path, monkeypatch):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    with pytest.raises(InputError, match="empty"):
        read_text(empty)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01PK\x03\x04" * 50)
    with pytest.raises(InputError, match="binary"):
        read_text(binary)
    with pytest.raises(InputError, match="not found"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="folder"):
        read_text(tmp_path)
    import layers.ingest

    monkeypatch.setattr(layers.ingest, "MAX_BYTES", 10)
    big = tmp_path / "big.txt"
    big.write_text("x" * 20)
    with pytest.raises(InputError, match="split it"):
        read_text(big)


def test_read_text_decodes_windows_1252_and_says_so(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Caf\xe9 owners near Ain al-Asad".encode("cp1252"))
    said = []
    assert read_text(f, warn=said.append) == "Café owners near Ain al-Asad"
    assert "Windows-1252" in said[0] and "offset 3" in said[0]
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffIraq".encode())
    assert read_text(bom) == "Iraq"


def test_many_files_with_errors_collected(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("US troops left the Tanf garrison on Sunday.", encoding="utf-8")
    bad = tmp_path / "b.txt"
    bad.write_text("", encoding="utf-8")
    errors: list[str] = []
    props = propose_files([good, bad], published="2026-02-15", errors=errors, progress=False)
    assert claims(props) == {("al-tanf-garrison", "presence_end", "us", "2026-02-15")}
    assert props[0].file == str(good) and errors and "empty" in errors[0]


def test_many_texts_for_a_notebook(capsys):
    texts = ["US troops left the Tanf garrison on Sunday.", "Nothing happened.",
             "Iraqi forces received Camp Taji from the coalition on Sunday."]
    out = propose_many(texts, published="2020-08-24", progress=True)
    assert [claims(o) for o in out] == [
        {("al-tanf-garrison", "presence_end", "us", "2020-08-23")}, set(),
        {("camp-taji", "control", "isf", "2020-08-23"), ("camp-taji", "presence_end", "coalition", "2020-08-23")}]
    assert "3/3" in capsys.readouterr().err  # the progress bar


def test_labelled_reports_stay_above_the_floor():
    from benchmarks.bench_ingest import evaluate

    places, events = evaluate()
    assert places.f1 >= 0.95, places
    assert events.f1 >= 0.85, events


def test_cli_ingest_json_contract(cli, tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(MOTIVATING, encoding="utf-8")
    r = cli("ingest", str(f), "--published", "2026-01-18", "--format", "json")
    assert r.returncode == 0, r.stderr
    events = json.loads(r.stdout)
    assert events
    for e in events:
        assert set(e) >= {"site_id", "kind", "actor", "actor_leaving", "date", "date_precision", "evidence",
                          "evidence_start", "evidence_end", "confidence", "lat", "lon"}
        assert MOTIVATING[e["evidence_start"]:e["evidence_end"]] == e["evidence"]
    assert all(e["status"] == "reported" for e in events)
    planned = tmp_path / "p.txt"
    planned.write_text("Coalition forces will withdraw from Ain al-Asad next week.", encoding="utf-8")
    r = cli("ingest", str(planned), "--published", "2025-12-31", "--format", "json")
    assert json.loads(r.stdout) == [] and "1 planned" in r.stderr
    r = cli("ingest", str(planned), "--published", "2025-12-31")
    assert "planned" in r.stdout and "ain-al-asad-air-base" in r.stdout


def test_cli_ingest_bad_input_and_missing_date(cli, tmp_path):
    empty = tmp_path / "e.txt"
    empty.write_text("")
    r = cli("ingest", str(empty))
    assert r.returncode == 2 and "empty" in r.stderr and "Traceback" not in r.stderr
    f = tmp_path / "r.txt"
    f.write_text("Iraqi forces took control of Ain al-Asad on Sunday.", encoding="utf-8")
    r = cli("ingest", str(f))
    assert r.returncode == 0 and "no --published" in r.stderr and "date unresolved" in r.stdout
    r = cli("ingest", str(f), "--published", "2026-01-18", "--queue")
    assert r.returncode == 2 and "--source-url" in r.stderr
    r = cli("ingest", str(f), "--published", "18/01/2026")
    assert r.returncode == 2 and "--published" in r.stderr and "Traceback" not in r.stderr


def test_a_headline_claim_takes_the_date_the_body_gives_it():
    text = ("Kurdish-led fighters take Tabqa airbase\n\n"
            "RAQQA, March 27 - The SDF took full control of Tabqa air base on Sunday, its spokesman said.\n")
    got = claims(propose(text, published="2017-03-27"))
    assert got == {("tabqa-air-base", "control", "sdf", "2017-03-26")}


@pytest.mark.parametrize("text, published, expected", [
    # a month of last year
    ("In July last year Iraqi troops took control of Qayyarah West air base.", "2017-03-02",
     ("qayyarah-west-air-base", "control", "isf", "2016-07")),
    # the act after "a day after" is dated from the sentence's own date
    ("Syrian government troops entered Al-Tanf on Thursday, a day after US forces finished pulling out of the "
     "outpost.", "2026-02-13", ("al-tanf-garrison", "presence_end", "us", "2026-02-11")),
    ("Two days after the last US soldiers left Ain al-Asad, Iraqi officers toured the hangars.", "2026-01-19",
     ("ain-al-asad-air-base", "presence_end", "us", "2026-01-17")),
    # "the same day" is the day named earlier in the sentence
    ("US forces left K-1 on Tuesday and Iraqi forces took control of the base the same day.", "2020-03-29",
     ("k1-air-base", "control", "isf", "2020-03-24")),
    # a state that began on a date
    ("The peshmerga had controlled the K-1 air base since June 2014.", "2017-10-17",
     ("k1-air-base", "control", "peshmerga", "2014-06")),
    ("The Conoco gas plant had been in Islamic State hands since 2014.", "2017-09-24",
     ("conoco-gas-field-base", "control", "isis", "2014")),
])
def test_dates_read_from_the_sentence(text, published, expected):
    assert expected in claims(propose(text, published=published))


def test_words_that_only_look_like_a_change():
    text = ("Russian military police moved into an abandoned American outpost near Manbij on Tuesday. "
            "The few coalition staff left at the Union III compound will go home later. "
            "In 2013 a rebel coalition overran Menagh air base.")
    got = claims(propose(text, published="2019-10-16"))
    assert ("manbij-base", "presence_start", "russia", "2019-10-15") in got
    assert not any(kind == "presence_end" for _, kind, *_ in got)
    assert not any(actor == "coalition" for _, _, actor, _ in got)
    assert ("menagh-air-base", "control", "syrian-opposition", "2013") in got


def test_a_partial_capture_is_not_control():
    text = "SDF fighters seized more than half of Tabqa air base on Sunday before a counter-attack."
    assert propose(text, published="2017-03-27") == []
    (held,) = propose(text, published="2017-03-27", unconfirmed=True)
    assert held.status == "ongoing" and held.kind == "control"


def test_back_references_across_the_story():
    text = ("Islamic State fighters attacked the town from three sides on Monday. "
            "The army sent reinforcements, officials said. "
            "Residents reported heavy shelling through the night. "
            "The jihadists captured Tabqa air base from government troops on Tuesday.")
    assert claims(propose(text, published="2014-08-27")) == {("tabqa-air-base", "control", "isis", "2014-08-26")}


def test_an_unnamed_outpost_near_a_town_is_the_known_site():
    text = "American troops pulled out of an outpost near the northern Syrian town of Manbij on Monday."
    assert claims(propose(text, published="2019-10-15")) == {("manbij-base", "presence_end", "us", "2019-10-14")}


def test_a_force_closing_its_base_leaves_it():
    got = claims(propose("The coalition closed its base at Rmelan on Monday.", published="2019-10-15"))
    assert got == {("rmelan-landing-zone", "presence_end", "coalition", "2019-10-14")}
    assert propose("Authorities closed Erbil airport to flights on Monday.", published="2019-10-15") == []


def test_a_denial_is_read_in_its_own_sentence():
    # a "but" in an earlier sentence does not undo the denial
    text = ("Militants attacked Ain al-Asad air base on Friday, but Iraqi troops repelled them. "
            "A spokesman denied reports that any US personnel had been evacuated from the base.")
    assert propose(text, published="2015-02-14") == []
    (denied,) = propose(text, published="2015-02-14", unconfirmed=True)
    assert denied.status == "denied" and denied.kind == "presence_end"


@pytest.mark.parametrize("text", [
    "Islamic State claimed on social media that its fighters had stormed Ain al-Asad air base on Friday.",
    "Rebels said on Sunday they had seized Kuweires air base. The claim could not be independently verified.",
    "Russian personnel left Qamishli airport on Monday, according to a report that could not be verified.",
])
def test_a_claim_nobody_confirmed_is_not_a_fact(text):
    assert propose(text, published="2015-02-14") == []
    assert {p.status for p in propose(text, published="2015-02-14", unconfirmed=True)} == {"claimed"}


@pytest.mark.parametrize("text, published, expected", [
    # a list of sites, each with its own date, one of them relative to the one before
    ("Coalition troops left the al-Qaim base on 17 March, Qayyarah West airfield on 26 March, and K-1 Air Base "
     "three days later.", "2020-04-02",
     {("al-qaim-base", "presence_end", "coalition", "2020-03-17"),
      ("qayyarah-west-air-base", "presence_end", "coalition", "2020-03-26"),
      ("k1-air-base", "presence_end", "coalition", "2020-03-29")}),
    # a joint subject: both act
    ("Iraqi troops and Popular Mobilisation fighters recaptured the town of Baiji on Tuesday.", "2015-10-22",
     {("geonames:97783", "control", "isf", "2015-10-20"), ("geonames:97783", "control", "pmf", "2015-10-20")}),
    # driving an actor out: the one gains control, the other leaves
    ("Kurdish fighters of the YPG drove Islamic State out of the town of Kobani on Monday.", "2015-01-27",
     {("geonames:172256", "control", "sdf", "2015-01-26"), ("geonames:172256", "presence_end", "isis", "2015-01-26")}),
    # supporters are not the doers; fighters loyal to a government are its forces
    ("Free Syrian Army fighters, supported by US special forces, seized the al-Tanf garrison on 4 March 2016.",
     "2016-06-30", {("al-tanf-garrison", "control", "syrian-opposition", "2016-03-04")}),
    ("Fighters loyal to Syria's new authorities took control of Deir ez-Zor air base on Wednesday.", "2024-12-12",
     {("deir-ez-zor-air-base", "control", "syrian-government", "2024-12-11")}),
    # setting up a presence is arriving; securing a site is taking it
    ("In May 2016 coalition special forces established a permanent presence at the al-Tanf garrison.", "2016-06-30",
     {("al-tanf-garrison", "presence_start", "coalition", "2016-05")}),
    ("The day before, army units had secured Palmyra's military airport.", "2017-03-02",
     {("palmyra-airport", "control", "syrian-arab-army", "2017-03-01")}),
])
def test_more_ways_of_writing_a_change(text, published, expected):
    assert claims(propose(text, published=published)) == expected


def test_a_live_blog_entry_is_dated_by_its_time_of_day():
    text = ("SDF fighters withdrew from Tabqa air base on Saturday evening, the ministry said.\n\n"
            "09:40 Local officials say the town of Tabqa was handed to the army at 9am.")
    got = claims(propose(text, published="2026-01-18"))
    assert ("geonames:172374", "control", "syrian-government", "2026-01-18") in got


@pytest.mark.parametrize("text", [
    "American troops at the Shaddadi base have received no orders to leave, an official said on Sunday.",
    "The jihadists stormed into the eastern neighbourhoods of Kobani on Monday.",
    "Islamic State captured the Division 17 base near Raqqa on 25 July.",
])
def test_sentences_that_change_nothing_here(text):
    assert propose(text, published="2014-08-24") == []


def test_it_is_the_site_not_the_town_that_locates_it():
    text = ("Coalition personnel vacated the Union III compound in Baghdad during September and handed it over "
            "to Iraqi forces.")
    got = claims(propose(text, published="2025-10-05"))
    assert ("union-iii-baghdad", "control", "isf", "2025-09") in got
    assert not any(site == "geonames:98182" for site, *_ in got)


@pytest.mark.parametrize("text, published, expected", [
    # a dateline in mixed case dates the filing, not the act; "on Friday" does
    ("Amman, Feb 20 — Kurdish-led fighters captured the town of Shaddadi on Friday.\n\n"
     "Islamic State fighters withdrew from Shaddadi after three days of fighting.", "2016-02-20",
     {("geonames:172837", "control", "sdf", "2016-02-19"), ("geonames:172837", "presence_end", "isis", "2016-02-19")}),
    # handing a base back; a chronology in the present tense
    ("Oct. 16, 2017 – Peshmerga commanders hand K-1 back to the army.", "2017-10-20",
     {("k1-air-base", "control", "isf", "2017-10-16"), ("k1-air-base", "presence_end", "peshmerga", "2017-10-16")}),
    # a retreat toward other towns leaves the site of the story, not the towns it heads for
    ("Islamic State fighters took Palmyra on Wednesday after government troops withdrew toward Homs and Hama.",
     "2015-05-21", {("geonames:163808", "control", "isis", "2015-05-20"),
                    ("geonames:163808", "presence_end", "syrian-arab-army", "2015-05-20")}),
    # "IS" in capitals is the group, not the verb
    ("IS seized Palmyra on 21 May 2015.", "2016-03-27", {("geonames:163808", "control", "isis", "2015-05-21")}),
    # "18 months after": a month, counted back from the sentence's date
    ("Iraqi forces recaptured Hit from Islamic State on Thursday, 18 months after the militants overran it.",
     "2016-04-15",
     {("geonames:95788", "control", "isf", "2016-04-14"), ("geonames:95788", "control", "isis", "2014-10")}),
    # "last August" said in February is the August before
    ("The Kurdish-led SDF drove IS out of Manbij last August.", "2017-02-24",
     {("geonames:167357", "control", "sdf", "2016-08"), ("geonames:167357", "presence_end", "isis", "2016-08")}),
    # a relative "who" takes the force just named; "it" after "took" is the site
    ("The Menagh air base fell on February 10 to Kurdish YPG fighters, who took it from rebel factions.",
     "2016-02-20", {("menagh-air-base", "control", "sdf", "2016-02-10")}),
    # a passive with its site as subject, and a town that only borders it
    ("Al-Qaim, on the border opposite the Syrian town of Albu Kamal, had been recaptured by Iraqi troops on "
     "November 3.", "2017-11-17", {("geonames:92138", "control", "isf", "2017-11-03")}),
    # a town and "its military airport": both
    ("Syrian government forces took control of the city of Tabqa and its military airport on Sunday.", "2026-01-18",
     {("geonames:172374", "control", "syrian-government", "2026-01-18"),
      ("tabqa-air-base", "control", "syrian-government", "2026-01-18")}),
    # "surviving soldiers" are the army the story named; "leaving behind" leaves nothing
    ("Islamic State fighters stormed Tabqa air base on Sunday, seizing the last position held by the Syrian army. "
     "Surviving soldiers fled west, leaving behind their dead.", "2014-08-25",
     {("tabqa-air-base", "control", "isis", "2014-08-24"),
      ("tabqa-air-base", "presence_end", "syrian-arab-army", "2014-08-24")}),
])
def test_harder_ways_of_writing_a_change(text, published, expected):
    assert claims(propose(text, published=published)) == expected


@pytest.mark.parametrize("text, status", [
    ("When did US troops arrive at the al-Tanf garrison?", "claimed"),
    ("The Coalition cannot confirm reports that Iraqi units have entered Qayyarah.", "claimed"),
    ("Kurdish-led fighters then moved into Aleppo airport, but we have not been able to confirm this.", "claimed"),
    ("Many Islamic State militants were believed to have fled from Tal Afar on Sunday.", "claimed"),
    ("The handover of the Taji base to the Iraqi army continues.", "ongoing"),
    ("Analysts said that had Russian or Syrian government forces entered the Lafarge base intact, they would have "
     "gained a ready-made base.", "planned"),
])
def test_questions_doubts_and_changes_under_way_are_not_facts(text, status):
    assert propose(text, published="2020-03-30") == []
    assert {p.status for p in propose(text, published="2020-03-30", unconfirmed=True)} == {status}


def test_staying_is_a_state_not_a_change():
    # proposed as a fact, "remain" would date the start of a presence that began long before
    text = "US forces remain at the Conoco base but have left the Shaddadi base, a Pentagon spokesman said on Tuesday."
    assert claims(propose(text, published="2025-04-30")) == {("shaddadi-base", "presence_end", "us", "2025-04-29")}
    (state,) = [p for p in propose(text, published="2025-04-30", unconfirmed=True) if p.status == "ongoing"]
    assert (state.site_id, state.kind, state.date) == ("conoco-gas-field-base", "presence_start", "2025-04-29")
    # a state in the present tense is dated when the report was written, not by the story's past
    text = ("IS seized Hit in October 2014, forcing families to flee to camps near Ain al-Asad air base, where "
            "US Marines are stationed.")
    got = {(p.site_id, p.actor, p.date, p.status) for p in propose(text, published="2016-04-14", unconfirmed=True)}
    assert ("ain-al-asad-air-base", "us", "2016-04-14", "ongoing") in got
    # but a state with its beginning is a start
    text = "Coalition troops had been based at Taji since 2015 to train Iraqi units."
    assert claims(propose(text, published="2020-08-21")) == {("camp-taji", "presence_start", "coalition", "2015")}


def test_a_list_of_transfers_carries_its_giver_and_its_site_on():
    text = ("Base transfers, 2020\n\n"
            "17 March - al-Qaim base, near the Syrian border. Coalition troops move out and the base passes to "
            "the Iraqi army.\n\n"
            "26 March - Qayyarah Airfield West, south of Mosul. Handed to Iraqi Security Forces.\n\n"
            "29 March - K-1 air base, Kirkuk. Handed over to the Iraqi army.")
    got = claims(propose(text, published="2020-08-30"))
    for site, day in (("al-qaim-base", "2020-03-17"), ("qayyarah-west-air-base", "2020-03-26"),
                      ("k1-air-base", "2020-03-29")):
        assert (site, "control", "isf", day) in got
        assert (site, "presence_end", "coalition", day) in got
    assert not any(site == "geonames:99072" for site, *_ in got)  # Mosul only locates Q-West


@pytest.mark.parametrize("text, published, expected", [
    # a weekday with its date is one date
    ("Peshmerga units pulled out of Sinjar on Tuesday, 17 October.", "2017-10-25",
     {("geonames:448149", "presence_end", "peshmerga", "2017-10-17")}),
    # the dateline's date and place are the filing's, not the act's
    ("DAMASCUS, Feb 16 (Agency) - The Syrian army took over the Shaddadi base on Sunday.\n\n"
     "Kurdish-led SDF fighters captured the town and the base from Islamic State in February 2016.",
     "2026-02-16", {("shaddadi-base", "control", "syrian-government", "2026-02-15"),
                    ("shaddadi-base", "control", "sdf", "2016-02")}),
    # a pronoun is not the United States; a joint subject with its force noun
    ("The peshmerga who were supposed to protect us left Sinjar during the night of 3 August.", "2014-08-10",
     {("geonames:448149", "presence_end", "peshmerga", "2014-08-03")}),
    ("Iraqi army troops and Popular Mobilisation fighters took control of Sinjar on 17 October.", "2017-10-25",
     {("geonames:448149", "control", "isf", "2017-10-17"), ("geonames:448149", "control", "pmf", "2017-10-17")}),
    # "that year" is the year of the date before; a capture in the passive is by the story's last taker
    ("Islamic State took sole control of Raqqa in January 2014. In August that year the group overran Tabqa air "
     "base.", "2017-10-20", {("geonames:172955", "control", "isis", "2014-01"),
                             ("tabqa-air-base", "control", "isis", "2014-08")}),
    ("30 Nov. - The rebels take control of Aleppo.\n\n1 Dec. - Kuweires air base is captured.", "2024-12-10",
     {("geonames:170063", "control", "syrian-opposition", "2024-11-30"),
      ("kuweires-air-base", "control", "syrian-opposition", "2024-12-01")}),
])
def test_dates_and_actors_that_look_like_something_else(text, published, expected):
    assert claims(propose(text, published=published)) == expected


@pytest.mark.parametrize("text, published, expected", [
    # "its units" after the one speaking is the speaker's; being outside a town is not being in it
    ("Rebel fighters entered Hama on Thursday after the army pulled out of the city. The army said its units "
     "had regrouped outside Hama.", "2024-12-06",
     {("geonames:170017", "control", "syrian-opposition", "2024-12-05"),
      ("geonames:170017", "presence_end", "syrian-arab-army", "2024-12-05")}),
    ("Government troops entered Deir ez-Zor on Wednesday. SDF commanders said they had withdrawn from the city.",
     "2024-12-12", {("geonames:170794", "control", "syrian-government", "2024-12-11"),
                    ("geonames:170794", "presence_end", "sdf", "2024-12-11")}),
    ("Russian military police deployed on the outskirts of Manbij on Tuesday.", "2019-10-16", set()),
])
def test_who_speaks_and_where_forces_stand(text, published, expected):
    assert claims(propose(text, published=published)) == expected


@pytest.mark.parametrize("text, published, expected", [
    # a noun of change takes its doer after it, even with a date between the noun and its site
    ("The capture earlier this year of Tabqa by the SDF gave the group the dam.", "2017-10-20",
     {("geonames:172374", "control", "sdf", "2017")}),
    ("The fall of Ramadi to Islamic State in May 2015 shocked Baghdad.", "2015-06-01",
     {("geonames:98717", "control", "isis", "2015-05")}),
    ("In Tikrit, the jihadists' capture of the city on 11 June met little resistance.", "2014-06-20",
     {("geonames:90150", "control", "isis", "2014-06-11")}),
    # a clause opened by "when" happened on the date it follows
    ("The government had held Aleppo since December 2016, when the army and its allies recaptured the east of "
     "the city.", "2024-11-30", {("geonames:170063", "control", "syrian-arab-army", "2016-12")}),
    # an entry of a live blog stamped with the time is of the day it was written, not of the entry before
    ("09:20 - A recap of yesterday: army units deployed in Ain Issa on Monday.\n\n"
     "10:47 - The US-led coalition says all its troops have now left Manbij.", "2019-10-15",
     {("geonames:172134", "presence_start", "syrian-arab-army", "2019-10-14"),
      ("geonames:167357", "presence_end", "coalition", "2019-10-15")}),
    # on the day Assad fell, the state forces that left were still his army
    ("Government troops abandoned Damascus airport on 8 December 2024.", "2024-12-09",
     {("damascus-international-airport", "presence_end", "syrian-arab-army", "2024-12-08")}),
    # Iraq's Joint Operations Command speaks for its forces; its headquarters is a place
    ("The Joint Operations Command says its troops have taken over the K-1 base.", "2017-10-16",
     {("k1-air-base", "control", "isf", "2017-10-16")}),
    ("The last coalition advisers left the Joint Operations Command headquarters in Baghdad on Sunday.",
     "2026-01-19", {("joc-hq-baghdad", "presence_end", "coalition", "2026-01-18")}),
    # a condition is not a fact; a clause put first ends at the comma before the main clause's subject
    ("Ankara does not care who holds Manbij as long as the YPG leaves the city.", "2019-10-15", set()),
    ("After the SDF said it would pull back, government troops moved into Maskana on 17 January.", "2026-01-24",
     {("geonames:167080", "presence_start", "syrian-government", "2026-01-17")}),
    # "our forces" in a statement are the forces of whoever issued it; a capitalised word of a name is no verb
    ("Statement of the General Command of the Syrian Democratic Forces\n\nToday, 22 October 2017, units of our "
     "forces in the Jazira Storm campaign liberated the al-Omar oil field.", "2017-10-22",
     {("green-village-base", "control", "sdf", "2017-10-22")}),
    # a presence that began is a fact; holding out is not holding a place
    ("American advisers began arriving at Al Asad late last year.", "2015-02-13",
     {("ain-al-asad-air-base", "presence_start", "us", "2014")}),
    ("Tribal fighters and soldiers inside Haditha have held out for months.", "2015-02-13", set()),
    # a relative clause without an object of its own is about the place it follows
    ("On Friday Iraqi forces retook Anah, a town in western Anbar that Islamic State had held since 2014.",
     "2017-09-24", {("geonames:6765385", "control", "isf", "2017-09-22"),
                    ("geonames:6765385", "control", "isis", "2014")}),
    ("Observers said hundreds had been killed and that surviving soldiers fled west.", "2014-08-25", set()),
    # "announced that they have liberated": the verb of the clause said, with its own object
    ("Government forces announced today that they have liberated the town of Al-Hawija, which had been under "
     "Daesh control for three years.", "2017-10-05", {("geonames:390188", "control", "isf", "2017-10-05")}),
    # forces described where they were, and people who surrendered near a town, change no site
    ("The town fell to the jihadists in June 2014, when army units stationed in the area withdrew.", "2017-10-05",
     set()),
    ("Hundreds of militants surrendered to Kurdish forces near Dibis last week.", "2017-10-05", set()),
    # who leads or backs a force stands between the preposition and the force; "in and around" is in
    ("8 December 2024 - Damascus falls to HTS-led rebels.", "2024-12-11",
     {("geonames:170654", "control", "syrian-opposition", "2024-12-08")}),
    ("March 2017 - US troops deploy in and around Manbij.", "2024-12-11",
     {("geonames:167357", "presence_start", "us", "2017-03")}),
    ("Russian military police are reported to have left Manbij on Monday.", "2024-12-11", set()),
    # the centre of a town is the town; a capital that launched something is its government
    ("Turkish soldiers took control of the centre of Afrin on Sunday after Kurdish YPG fighters pulled out "
     "overnight, ending the offensive Ankara launched in January.", "2018-03-18",
     {("geonames:174186", "control", "turkey", "2018-03-18"),
      ("geonames:174186", "presence_end", "sdf", "2018-03-18")}),
    # "the authorities in Damascus" are a government: "the city" is the place the story is about
    ("The SDF withdrew from the city of Deir al-Zour on Wednesday and fighters of the new authorities in Damascus "
     "took over, completing a rapid changeover in the eastern city.", "2024-12-15",
     {("geonames:170794", "presence_end", "sdf", "2024-12-11"),
      ("geonames:170794", "control", "syrian-government", "2024-12-11")}),
    # "the base" is the base named in the sentence before, even where nothing changed
    ("2. Q-West, south of Mosul - 26 March. Handed to the Iraqi army.\n\n3. K1 air base - 29 March. The "
     "coalition vacated its area of the base.", "2020-08-24",
     {("qayyarah-west-air-base", "control", "isf", "2020-03-26"),
      ("k1-air-base", "presence_end", "coalition", "2020-03-29")}),
])
def test_nouns_clauses_and_days_that_date_a_change(text, published, expected):
    assert claims(propose(text, published=published)) == expected
