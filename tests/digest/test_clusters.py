"""A story is listed when any copy of it is relevant: the item's figures, and `explain`."""

import json

from click.testing import CliRunner

from digest.clusters import fold_cluster
from tests.digest import article, ingest, mark, url_of
from thaidigest.cli import main


def member(url, relevant, relevance, topics=(), partners=(), first_seen="2024-08-20T03:00:00Z"):
    return {
        "url": url,
        "first_seen": first_seen,
        "relevant": relevant,
        "relevance": relevance,
        "topics": json.dumps(list(topics)),
        "partners": json.dumps(list(partners)),
    }


def test_the_item_keeps_the_representatives_partners_first_then_the_copies_new_ones():
    representative = member("a", True, 0.6, ["ai"], ["country:JP", "org:ASEAN"])
    copies = [
        member("c", True, 0.9, ["mou"], ["company:Google", "country:JP"], "2024-08-21T03:00:00Z"),
        member("b", False, 0.4, ["smart-city"], ["country:KR"], "2024-08-19T03:00:00Z"),
    ]
    item = fold_cluster(representative, copies)
    assert item["relevance"] == 0.9
    assert json.loads(item["topics"]) == ["ai", "mou"]  # not the irrelevant copy's
    assert json.loads(item["partners"]) == ["country:JP", "org:ASEAN", "company:Google"]
    # Listable since the first relevant member was seen, not the irrelevant copy.
    assert item["listed_since"] == "2024-08-20T03:00:00Z"


def test_a_cluster_with_no_relevant_member_is_folded_into_nothing():
    representative = member("a", False, 0.2, ["ai"])
    assert fold_cluster(representative, [member("b", False, 0.4, ["mou"])]) == representative


def test_explain_says_a_representative_is_listed_for_its_relevant_copy(store, tmp_path):
    generic, detailed = article(1, "Short generic release"), article(2, "The detailed copy")
    ingest(store, [generic, detailed], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevance=0.8, duplicate_of=generic)
    db = str(tmp_path / "test.sqlite")
    result = CliRunner().invoke(main, ["explain", url_of(generic), "--db", db])
    assert result.exit_code == 0, result.output
    line = f"listed in the digest: its copy {url_of(detailed)} is relevant (0.80)"
    assert result.output.splitlines()[2] == line


def test_explain_says_a_relevant_copy_is_listed_under_its_representative(store, tmp_path):
    generic, detailed = article(1, "Short generic release"), article(2, "The detailed copy")
    off = article(3, "An off-topic copy")
    ingest(store, [generic, detailed, off], "2024-08-20T03:00")
    mark(store, generic, relevant=False, relevance=0.2)
    mark(store, detailed, relevance=0.8, duplicate_of=generic)
    mark(store, off, relevant=False, relevance=0.3, duplicate_of=generic)
    db = str(tmp_path / "test.sqlite")
    copy = CliRunner().invoke(main, ["explain", url_of(detailed), "--db", db])
    assert copy.exit_code == 0, copy.output
    assert copy.output.splitlines()[2] == (
        f"duplicate of {url_of(generic)}, listed in the digest under that URL: this copy "
        "is relevant (0.80), so its relevance, topics and partners count for the story"
    )
    assert "left out of the digest" not in copy.output
    left_out = CliRunner().invoke(main, ["explain", url_of(off), "--db", db])
    assert left_out.exit_code == 0, left_out.output
    assert left_out.output.splitlines()[2] == (
        f"duplicate of {url_of(generic)} (left out of the digest)"
    )
