"""Canonical article URLs and what they tell: the site and the article id.

Two URLs that name the same article map to one canonical form: scheme and
host lower-cased, ``www.`` dropped, the public sites on https, no fragment,
no trailing slash, no tracking parameters, the remaining query sorted, and
an MDES ``/news/detail/{id}-{slug}`` keyed by its id alone.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SITE_HOSTS = {"thaigov.go.th": "thaigov", "mdes.go.th": "mdes"}
CANONICAL_BASE_URLS = {"thaigov": "https://thaigov.go.th", "mdes": "https://mdes.go.th"}
REPEATED_SLASHES = re.compile(r"/{2,}")
TRACKING_PARAMETERS = re.compile(r"^(?:utm_.*|fbclid|gclid|mc_cid|mc_eid|igshid)$", re.IGNORECASE)
ARTICLE_PATHS = {
    "thaigov": re.compile(r"^/news/contents/(?:ministry_)?details/(?P<id>\d+)$"),
    "mdes": re.compile(r"^/news/detail/(?P<id>\d+)(?:-[^/]*)?$"),
}


def _host(netloc: str) -> str:
    host = netloc.lower()
    return host[4:] if host.startswith("www.") else host


def canonical_url(url: str) -> str:
    """The one form of ``url`` under which an article is stored."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _host(parts.netloc)
    if scheme == "file":
        return urlunsplit((scheme, parts.netloc, parts.path, "", ""))
    if host in SITE_HOSTS:
        scheme = "https"
    path = REPEATED_SLASHES.sub("/", parts.path).strip().rstrip("/")
    mdes = ARTICLE_PATHS["mdes"].match(path)
    if mdes:
        path = f"/news/detail/{mdes['id']}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMETERS.match(key)
    )
    return urlunsplit((scheme, host, path, urlencode(query) if query else "", ""))


def source_of(url: str) -> str:
    """``thaigov`` or ``mdes`` for the two sites' URLs, else ``file``."""
    return SITE_HOSTS.get(_host(urlsplit(url).netloc), "file")


def article_id(url: str) -> str | None:
    """The site's article id in a thaigov or MDES article URL."""
    path = urlsplit(url).path.rstrip("/")
    for pattern in ARTICLE_PATHS.values():
        match = pattern.match(path)
        if match:
            return match["id"]
    return None


def public_url(source: str, source_id: str) -> str:
    """The canonical public URL of a site's article, whatever host it was fetched from."""
    if source == "thaigov":
        return f"{CANONICAL_BASE_URLS['thaigov']}/news/contents/details/{source_id}"
    if source == "mdes":
        return f"{CANONICAL_BASE_URLS['mdes']}/news/detail/{source_id}"
    raise ValueError(f"unknown source {source!r}")
