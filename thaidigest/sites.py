"""What is known of the two sites, written once: every module that names a host,
an article URL, an id pattern, a title prefix, a category or a listing path
imports it from here (URL canonicalisation, normalisation, the parsers and
spiders, the fixture site, tools and benches).
"""

from __future__ import annotations

SOURCES = ("thaigov", "mdes")  # the site slugs, in crawl order
