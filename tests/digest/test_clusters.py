"""A story is listed when any copy of it is relevant: the item's figures."""

import json

from digest.clusters import fold_cluster


def member(url, relevant, relevance, topics=(), partners=()):
    return {
        "url": url,
        "relevant": relevant,
        "relevance": relevance,
        "topics": json.dumps(list(topics)),
        "partners": json.dumps(list(partners)),
    }


def test_the_item_keeps_the_representatives_partners_first_then_the_copies_new_ones():
    representative = member("a", True, 0.6, ["ai"], ["country:JP", "org:ASEAN"])
    copies = [
        member("c", True, 0.9, ["mou"], ["company:Google", "country:JP"]),
        member("b", False, 0.4, ["smart-city"], ["country:KR"]),
    ]
    item = fold_cluster(representative, copies)
    assert item["relevance"] == 0.9
    assert json.loads(item["topics"]) == ["ai", "mou"]  # not the irrelevant copy's
    assert json.loads(item["partners"]) == ["country:JP", "org:ASEAN", "company:Google"]


def test_a_cluster_with_no_relevant_member_is_folded_into_nothing():
    representative = member("a", False, 0.2, ["ai"])
    assert fold_cluster(representative, [member("b", False, 0.4, ["mou"])]) == representative
