"""The review queue: proposals wait beside the events and move atomically, with provenance."""

import csv
import shutil

import pytest

from layers.dataset import bundled_path, load
from layers.ingest import propose
from layers.review import PROPOSALS, ReviewError, decide, enqueue, read_queue

REPORT = ("Iraqi troops recaptured the town of Hit in Anbar province from Islamic State militants on "
          "Wednesday. US troops left the Tanf garrison on Wednesday.")
URL = "https://example.org/report-1"


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(bundled_path(), folder)
    return folder


def rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def proposals():
    return propose(REPORT, published="2016-04-14", source_url=URL, source_title="A test report")


def test_queue_skips_what_is_already_queued(data):
    props = proposals()
    assert len(props) == 2
    assert enqueue(data, props) == (2, 0)
    assert enqueue(data, props) == (0, 2)
    queued = read_queue(data)
    assert {r["status"] for r in queued} == {"pending"}
    assert all(r["source_url"] == URL and r["published"] == "2016-04-14" and r["evidence"] for r in queued)


def test_accept_moves_into_events_with_provenance_and_adds_the_site(data):
    before_events = (data / "events.csv").read_text(encoding="utf-8")
    enqueue(data, proposals())
    hit = next(r for r in read_queue(data) if r["site_id"] == "geonames:95788")
    accepted, rejected = decide(data, accept=[hit["id"]])
    assert rejected == [] and accepted == ["geonames-95788-20160413-control-isf"]
    after = (data / "events.csv").read_text(encoding="utf-8")
    assert after.startswith(before_events)  # the existing lines are kept byte for byte
    new = rows(data / "events.csv")[-1]
    assert new["site_id"] == "geonames:95788" and new["actor_id"] == "isf" and new["date"] == "2016-04-13"
    assert new["source_url"] == URL and new["source_title"] == "A test report" and new["published"] == "2016-04-14"
    assert new["confidence"] in ("high", "medium", "low") and "recaptured" in new["evidence"]
    assert "geonames:95788" in {r["id"] for r in rows(data / "sites.csv")}
    assert hit["id"] not in {r["id"] for r in read_queue(data)}
    ds = load(data)
    assert ds.report.errors == [] and "geonames:95788" in set(ds.sites["id"])
    # the same claim from the same source is now among the events: not queued again
    assert enqueue(data, proposals())[0] == 0


def test_reject_keeps_the_decision(data):
    enqueue(data, proposals())
    pid = read_queue(data)[0]["id"]
    assert decide(data, reject=[pid]) == ([], [pid])
    assert {r["id"]: r["status"] for r in read_queue(data)}[pid] == "rejected"
    assert enqueue(data, proposals()) == (0, 2)
    with pytest.raises(ReviewError, match="already rejected"):
        decide(data, accept=[pid])


def test_unknown_ids_and_bad_proposals_change_nothing(data):
    enqueue(data, proposals())
    queue_before = (data / PROPOSALS).read_bytes()
    events_before = (data / "events.csv").read_bytes()
    with pytest.raises(ReviewError, match="no proposal p-nope"):
        decide(data, accept=["p-nope"])
    # a proposal dated after its source was published cannot become an event
    q = rows(data / PROPOSALS)
    q[0]["date"] = "2020-01-01"
    with open(data / PROPOSALS, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(q[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(q)
    edited = (data / PROPOSALS).read_bytes()
    with pytest.raises(ReviewError, match="after the source was published"):
        decide(data, accept=[q[0]["id"], q[1]["id"]])
    assert (data / PROPOSALS).read_bytes() == edited and (data / "events.csv").read_bytes() == events_before
    assert queue_before != edited


def test_a_failed_write_leaves_every_file_as_it_was(data, monkeypatch):
    import layers.review

    enqueue(data, proposals())
    snapshot = {n: (data / n).read_bytes() for n in ("events.csv", "sites.csv", PROPOSALS)}

    def broken(path, columns, new_rows):
        def writer(tmp):
            raise OSError("disk full")
        return writer

    monkeypatch.setattr(layers.review, "_append_csv", broken)
    with pytest.raises(OSError):
        decide(data, accept=[r["id"] for r in read_queue(data)])
    assert {n: (data / n).read_bytes() for n in snapshot} == snapshot


def test_the_bundled_dataset_is_not_written(tmp_path):
    with pytest.raises(ReviewError, match="--data"):
        enqueue(None, proposals())
    assert not (bundled_path() / PROPOSALS).exists()


def test_cli_queue_list_accept(cli, data, tmp_path):
    f = tmp_path / "r.txt"
    f.write_text(REPORT, encoding="utf-8")
    r = cli("ingest", str(f), "--published", "2016-04-14", "--source-url", URL, "--queue", "--data", str(data))
    assert r.returncode == 0, r.stderr
    assert "queued 2" in r.stderr
    listing = cli("review", "--data", str(data))
    assert listing.returncode == 0 and "2 proposal(s) waiting" in listing.stdout
    ids = [r["id"] for r in read_queue(data)]
    r = cli("review", "--data", str(data), "--accept", ids[0], "--reject", ids[1])
    assert r.returncode == 0, r.stderr
    assert "accepted -> events.csv" in r.stdout and f"rejected: {ids[1]}" in r.stdout
    assert "no proposals waiting" in cli("review", "--data", str(data)).stdout
    r = cli("review", "--data", str(data), "--accept", "p-0000")
    assert r.returncode == 2 and "no proposal p-0000" in r.stderr and "Traceback" not in r.stderr
    assert cli("validate", "--data", str(data)).returncode == 0
