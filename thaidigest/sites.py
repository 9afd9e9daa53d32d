"""What is known of the two sites, written once.

Every module that names a host, an article URL, an id pattern, a title prefix,
a category or a listing path imports it from here: URL canonicalisation,
normalisation, the parsers and spiders, the fixture site, tools and benches.
A site that moves a page means editing a line here, nowhere else.

URL paths are templates (``{id}``, ``{category}``, ``{page}``, ``{keyword}``);
:func:`path_pattern` turns one into the regex that matches it. An article-id
pattern is the path part that carries the id (group ``id``), unanchored: each
user anchors it for what it reads (a whole path, the end of a path, a link).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from thaidigest.model import THAI

SOURCES = ("thaigov", "mdes")  # the site slugs, in crawl order
# The crawl source that names every site: what a crawl (and a schedule's crawl job) crawls
# when it names none.
ALL_SITES = "all"
# What `thaidigest crawl --source` (and a schedule's crawl job) takes: a site or every site.
CRAWL_SOURCES = (*SOURCES, ALL_SITES)
# What `thaidigest digest --judged-sites` takes for no site: the daemon gives it to the digest
# jobs of a schedule without a crawl job.
NO_SITES = "none"
# The crawl sources a start id goes with: only thaigov is crawled by walking ids.
START_ID_SOURCES = ("thaigov", ALL_SITES)

# --- thaigov.go.th (Royal Thai Government) -------------------------------------
THAIGOV_HOST = "thaigov.go.th"
THAIGOV_BASE_URL = "https://www.thaigov.go.th"  # the live site a crawl starts from
THAIGOV_ARTICLE_PATH = "/news/contents/details/{id}"
# Ministry news lives under ministry_details/ with the same ids.
# The id is one path segment of digits, maybe percent-encoded (ID_SEGMENT), read by
# read_id: ๘๗๓๘๒ and its %E0%B9%98... are 87382; one written with leading zeros is
# the same article (see plain_id).
# A run of digits of any script (Python's \d takes Thai ๐-๙) or percent escapes: the
# escapes must decode to digits (read_id), never to a "/" or a line break.
ID_SEGMENT = r"(?P<id>(?:\d|%[0-9A-Fa-f]{2})+)"
THAIGOV_ARTICLE_ID = rf"/news/contents/(?:ministry_)?details/{ID_SEGMENT}"
THAIGOV_SEARCH_PATH = "/search"
THAIGOV_SEARCH_URL = THAIGOV_SEARCH_PATH + "?keyword={keyword}"
# Page titles (and the corpus's first lines) start with the site's name and section.
THAIGOV_SITE_NAME = "รัฐบาลไทย"
THAIGOV_TITLE_PREFIX = f"{THAIGOV_SITE_NAME}-ข่าวทำเนียบรัฐบาล-"
# Every prefix a headline may carry, longest first: an empty thaigov record is
# titled just "รัฐบาลไทย-".
TITLE_PREFIXES = (THAIGOV_TITLE_PREFIX, f"{THAIGOV_SITE_NAME}-")

# --- mdes.go.th (Ministry of Digital Economy and Society) ----------------------
MDES_HOST = "mdes.go.th"
# Page titles end with the ministry's name: "{headline} | กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม".
MDES_SITE_NAME = "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
MDES_BASE_URL = "https://www.mdes.go.th"
MDES_ARTICLE_PATH = "/news/detail/{id}"
MDES_ARTICLE_ID = rf"/news/detail/{ID_SEGMENT}"
MDES_SLUG = r"(?:-[^/]*)?"  # "/news/detail/{id}-{slug}": the slug is optional and ignored
MDES_LISTING_PATH = "/news/{category}"
MDES_LISTING_PAGE_PATH = "/news/{category}/page/{page}"  # page 2 onwards
# News categories worth watching (press releases, ministry and international news).
MDES_CATEGORIES = (3, 7, 8, 9, 109, 115, 116, 119, 120)

# --- Both ----------------------------------------------------------------------
# The sites' language: a page of theirs that declares no other (no <html lang>, or this
# one) is Thai, which decoding a page that declares no charset relies on. (Thaigov's
# English items are labelled Thai too: that decoding does not misread English words.)
SITE_LANGUAGE = THAI
HOME_PATH = "/"
# Where a site sends the URL of an article it has taken down: its home page, or a
# listing. A same-host redirect of an article there says "removed", as a 404 does.
REMOVED_ARTICLE_TARGETS = {
    "thaigov": (HOME_PATH,),
    "mdes": (HOME_PATH, MDES_LISTING_PATH, MDES_LISTING_PAGE_PATH),
}
HOSTS = {THAIGOV_HOST: "thaigov", MDES_HOST: "mdes"}  # host without "www." -> slug
CANONICAL_BASE_URLS = {slug: f"https://{host}" for host, slug in HOSTS.items()}
# Where each site serves its pages, as its own links and SITES.md write them (with
# "www."): what outputs link a stored article to, never what it is stored under.
SITE_BASE_URLS = {"thaigov": THAIGOV_BASE_URL, "mdes": MDES_BASE_URL}
ARTICLE_PATHS = {"thaigov": THAIGOV_ARTICLE_PATH, "mdes": MDES_ARTICLE_PATH}


def crawled_sites(source: str) -> tuple[str, ...]:
    """The sites a crawl of ``source`` (one of :data:`CRAWL_SOURCES`) crawls, in crawl order."""
    return SOURCES if source == ALL_SITES else (source,)


def path_pattern(template: str) -> str:
    """The regex text of a path template: each ``{name}`` a run of digits, group ``name``."""
    parts = re.split(r"\{(\w+)\}", template)
    return "".join(
        rf"(?P<{part}>[0-9]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )


# A decimal digit of any script (Python's \d takes Thai ๐-๙, full-width ０-９, ...).
ANY_DIGIT = re.compile(r"\d")


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit in ASCII: ``๘๗๓๘๒`` is ``87382``, as long as it was."""
    if text.isascii():
        return text
    return ANY_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit[0])), text)


def read_id(segment: str) -> str | None:
    """The article id a path's id segment (group ``id`` of an article-id pattern) names, in
    ASCII digits without leading zeros: percent-decoded, digits of any script (``๘๗๓๘๒``,
    ``%E0%B9%98...`` and ``087382`` are ``87382``). None when the decoded segment is not
    all decimal digits: an escaped ``/`` (``%2F``) or line break (``%0A``) makes no id."""
    decoded = unquote(segment)
    return plain_id(ascii_digits(decoded)) if decoded.isdecimal() else None


def id_in_path(pattern: re.Pattern[str], path: str) -> str | None:
    """The article id (group ``id`` of ``pattern``, searched in ``path``, read by
    :func:`read_id`); None when it has none."""
    match = pattern.search(path)
    return read_id(match["id"]) if match else None


def plain_id(digits: str) -> str:
    """An article id as the sites write it, without leading zeros: ``0087382`` is ``87382``
    (the sites serve both, so both would be stored, one article twice). Not ``int()``:
    a hostile link's 5,000 digits would raise ValueError."""
    return digits.lstrip("0") or "0"


def article_path(source: str, source_id: int | str) -> str:
    """The path of a site's article page: ``/news/contents/details/87382``."""
    return ARTICLE_PATHS[source].format(id=source_id)


def listing_path(category: int, page: int = 1) -> str:
    """The path of an MDES listing page: ``/news/3``, ``/news/3/page/2``."""
    if page == 1:
        return MDES_LISTING_PATH.format(category=category)
    return MDES_LISTING_PAGE_PATH.format(category=category, page=page)
