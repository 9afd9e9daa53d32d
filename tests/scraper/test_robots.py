"""Naming the robots.txt rule that forbids a URL."""

from __future__ import annotations

import pytest

from scraper.robots import forbidding_rule

AGENT = "thaidigest/0.1 (+https://example.org/thaidigest)"
URL = "https://www.thaigov.go.th/news/contents/details/87382"

# id -> (robots.txt, the rule named for URL)
CASES = {
    "one-rule": ("User-agent: *\nDisallow: /news/", "Disallow: /news/"),
    "the-matching-one": (
        "User-agent: *\nDisallow: /admin/\nDisallow: /news/contents/",
        "Disallow: /news/contents/",
    ),
    "the-longest": (
        "User-agent: *\nDisallow: /news/\nDisallow: /news/contents/",
        "Disallow: /news/contents/",
    ),
    "wildcard": ("User-agent: *\nDisallow: /*/details/", "Disallow: /*/details/"),
    "lowercase-and-comment": ("User-agent: *\ndisallow : /  # everything", "Disallow: /"),
    "allowed": ("User-agent: *\nDisallow: /admin/", None),
    "allow-wins": ("User-agent: *\nDisallow: /news/\nAllow: /news/contents/", None),
    "other-agents-group": (
        "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /search",
        None,
    ),
    "our-own-group": (
        "User-agent: thaidigest\nDisallow: /news/\n\nUser-agent: *\nDisallow: /",
        "Disallow: /news/",
    ),
}


@pytest.mark.parametrize(("robots", "expected"), CASES.values(), ids=CASES.keys())
def test_forbidding_rule_names_the_line_of_the_group_that_applies(robots, expected):
    assert forbidding_rule(robots, URL, AGENT) == expected
