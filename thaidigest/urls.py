"""Canonical article URLs and what they tell: the site and the article id.

Two URLs that name the same article map to one canonical form: scheme and
host lower-cased, a host outside ASCII in its IDNA form (``ไทย.com`` is
``xn--o3cw4h.com``), ``www.`` dropped, the public sites on https, no fragment,
no trailing slash, no tracking parameters, the remaining query sorted, the path
percent-encoded alike however it was written (Thai or its escapes, in either case: a
``%25`` stays one, :func:`_uri_path`), and
an MDES ``/news/detail/{id}-{slug}`` keyed by its id alone, and an article id
written in ASCII digits without leading zeros (``details/0087382``,
``details/๘๗๓๘๒`` and its percent-encoded ``details/%E0%B9%98...`` are
``details/87382``; only the id's segment is decoded, so ``details%2F87382`` and
``details/87382%0A`` are no article's). A site's article is named by its id: its
address on the site's host is the site's article path with no query
(``details/87382?lang=th`` and ``ministry_details/87382`` are ``details/87382``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import idna

from thaidigest.sites import (
    CANONICAL_BASE_URLS,
    HOSTS,
    MDES_ARTICLE_ID,
    MDES_SLUG,
    SITE_BASE_URLS,
    THAIGOV_ARTICLE_ID,
    article_path,
    read_id,
)

WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Unicode categories no web address holds: controls, format characters (direction
# controls, zero-width characters, the soft hyphen), surrogates, and every kind of
# space and line separator. They hide or reorder what a reader sees of a link.
NOT_IN_URLS = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})
SHOWN_URL_CHARS = 80
REPEATED_SLASHES = re.compile(r"/{2,}")
TRACKING_PARAMETERS = re.compile(r"^(?:utm_.*|fbclid|gclid|mc_cid|mc_eid|igshid)$", re.IGNORECASE)
# The characters a URI holds as they are besides letters, digits and ``-._~`` (RFC 3986's
# reserved ones but ``[`` and ``]``), and ``%`` starting an escape (STRAY_PERCENT), so that an
# address already percent-encoded stays as it is.
URI_CHARACTERS = ":/?#@!$&'()*+,;=%"
# ``[`` and ``]`` only enclose an IPv6 host (RFC 3986, 3.2.2): anywhere else they are encoded.
AUTHORITY_CHARACTERS = f"{URI_CHARACTERS}[]"
# What email.unsubscribe may hold where each mail's recipient is to be named.
RECIPIENT_FIELD = "{recipient}"
# A ``%`` that starts no escape (``/100%/``): a URI holds it as ``%25``.
STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# A stray ``%`` as published (``/100%25/``): undone, a ``%`` that starts no escape again.
PUBLISHED_STRAY_PERCENT = re.compile(r"%25(?![0-9A-Fa-f]{2})")
# A percent-escape, its hex digits in either case (``%e0``, ``%E0``).
ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# What a stored path holds as it is besides letters, digits and ``-._~``: RFC 3986's path
# characters, and ``%``, whether it starts an escape or none (:func:`stray_percent_forms`).
PATH_CHARACTERS = "/:@!$&'()*+,;=%"
# A character a stored address's path may not hold as it is (:func:`_uri_path`). An
# address without one, a ``%``, a query or ``ministry_details`` is its own former form.
NOT_IN_STORED_PATHS = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]")
# An id as the rules before ids of any script read it.
ASCII_ID = re.compile(r"[0-9]+")
# Matched whole (fullmatch): a path is an article's only when it is nothing more.
ARTICLE_PATHS = {
    "thaigov": re.compile(THAIGOV_ARTICLE_ID),
    "mdes": re.compile(rf"{MDES_ARTICLE_ID}{MDES_SLUG}"),
}
# The dots IDNA parts a domain at (a full stop, full-width and ideographic ones), and the
# reasons the idna package gives for a part empty or longer than 63 characters, in other words.
IDNA_DOTS = re.compile("[.\u3002\uff0e\uff61]")
IDNA_EMPTY_OR_LONG = frozenset({"Empty domain", "Empty Label", "Label too long", "Domain too long"})
EMPTY_OR_LONG_LABEL = "a part between dots is empty or longer than 63 characters"
# What starts a host's label in IDNA form (``xn--o3cw4h`` is ``ไทย``), in lower case as a
# host is read.
IDNA_LABEL = "xn--"
# A web address without its scheme, as a browser's address bar shows it: a host of two
# labels or more (a port allowed) and a path (``mdes.go.th/news/detail/11015``), not a
# file's name (``corpus.jsonl``) nor a relative path (``./x``, ``seeds/x``).
SCHEMELESS_ADDRESS = re.compile(r"^[^\s/?#:.@]+(?:\.[^\s/?#:.@]+)+(?::\d+)?/")


# Unicode's 66 noncharacters, as a class of a regular expression: U+FDD0 to U+FDEF and the
# last two code points of each of the 17 planes (U+FFFE, U+FFFF, U+1FFFE, ... U+10FFFF).
# Never text; XML refuses U+FFFE and U+FFFF. The normaliser drops them
# (thaidigest.normalise), the digest publishes none (digest.clean), no link holds one.
BMP_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff"
NONCHARACTERS = BMP_NONCHARACTERS + "".join(
    chr(plane << 16 | end) for plane in range(1, 17) for end in (0xFFFE, 0xFFFF)
)
_NONCHARACTER = re.compile(f"[{NONCHARACTERS}]")


def is_noncharacter(char: str) -> bool:
    """Whether ``char`` is one of Unicode's noncharacters (:data:`NONCHARACTERS`)."""
    return _NONCHARACTER.fullmatch(char) is not None


def web_url_problem(url: str) -> str | None:
    """What stops ``url`` from being an article's web address, in words, or None.

    A web address is ``http`` or ``https`` with a host, which has an IDNA form when it is
    outside ASCII (:func:`ascii_domain`), and holds no control, space or direction-control
    character.
    """
    shown = _shown_url(url)
    # In ASCII only the space and the controls are such characters, and str.isprintable
    # refuses the controls: most addresses need no look at each character.
    if not (url.isascii() and url.isprintable() and " " not in url):
        for char in url:
            category = unicodedata.category(char)
            if category in NOT_IN_URLS:
                kind = "a space" if category.startswith("Z") else "a control character"
                return f"{shown} holds {kind} (U+{ord(char):04X})"
            if is_noncharacter(char):  # no XML document (a feed) may hold one
                return f"{shown} holds a noncharacter (U+{ord(char):04X})"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError as error:
        return f"{shown} is not a valid URL: {error}"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return f"{shown} is not an http:// or https:// address"
    if not parts.hostname:
        return f"{shown} has no host"
    if not parts.hostname.isascii():
        try:
            ascii_domain(parts.hostname)
        except ValueError as error:
            return f"{shown} has a host that cannot be looked up: {error}"
    return None


def base_url_problem(url: str) -> str | None:
    """What stops ``url`` from being a base URL a crawl walks instead of a live site's
    (``crawl --base-url``, a schedule's ``base_url``, ``sites.<slug>.base_url``), in words,
    or None: a web address (:func:`web_url_problem`) with no query and no fragment, which
    would end up in the middle of every page's address the crawl writes after it
    (``http://host/?x=1/news/3``)."""
    return _prefix_problem(url, "a base URL takes none, the crawl writes each page's path after it")


def site_url_problem(url: str) -> str | None:
    """What stops ``url`` from being the address the digest's output folder is served from
    (``digest.site_url``), in words, or None: a web address (:func:`web_url_problem`) with
    no query and no fragment, which would end up in the middle of every link the feeds, the
    feed list and the mail write after it (``https://example.org/?x=1/``, the feeds' home
    page)."""
    return _prefix_problem(
        url, "a site URL takes none, the digest writes each file's name after it"
    )


def _prefix_problem(url: str, why: str) -> str | None:
    """What stops ``url`` from being a web address other addresses are written after (a
    path added to it), in words, or None; ``why`` says why it takes no query or fragment."""
    if problem := web_url_problem(url):
        return problem
    # A netloc holds neither "?" nor "#" (urlsplit ends it at either), and a query comes
    # before a fragment: a bare "?" or "#" (no query, no fragment to urlsplit) counts too.
    address, hash_mark, fragment = url.partition("#")
    _, question_mark, query = address.partition("?")
    if question_mark:
        return f"{_shown_url(url)} has a query (?{query}): {why}"
    if hash_mark:
        return f"{_shown_url(url)} has a fragment (#{fragment}): {why}"
    return None


def _shown_url(url: str) -> str:
    """``url`` as a message shows it: quoted, cut at SHOWN_URL_CHARS, what does not print
    escaped (a control or direction character, ``\\u200e``); Thai, which prints, as written,
    as every other setting's error shows it (``ascii`` wrote ``https://\\u0e02\\u0e48…``)."""
    return repr(url if len(url) <= SHOWN_URL_CHARS else url[:SHOWN_URL_CHARS] + "...")


def iri_to_uri(iri: str) -> str:
    """``iri``, a web address as stored (its path may hold Thai), as a URI, which RSS's links
    must be (RFC 3987, 3.1): a host outside ASCII in its IDNA form (``xn--``, as RFC 3986
    asks for a name to look up: :func:`ascii_domain`), and every other character no URI
    holds (Thai, a space, ``<``, ``[`` and ``]`` but around an IPv6 host, a ``%`` that starts
    no escape) percent-encoded as its UTF-8 bytes. An address that is already a URI is
    returned as it is, its escapes untouched.

    Percent-decoding what comes back gives ``iri`` when its host is in ASCII and it held no
    escape of its own (``%2F`` decodes to ``/``). A host outside ASCII stays in its IDNA form
    (``ไทย.ไทย`` is ``xn--o3cw4h.xn--o3cw4h``), which IDNA's decoding gives back only as IDNA
    normalised it (``straße.de`` is written ``strasse.de``)."""
    iri = STRAY_PERCENT.sub("%25", iri)
    netloc = urlsplit(iri).netloc
    start, authority, rest = iri.partition(f"//{netloc}") if netloc else ("", "", iri)
    if authority:
        authority = f"//{_ascii_host(netloc)}"
    head = quote(f"{start}{authority}", safe=AUTHORITY_CHARACTERS)
    return head + quote(rest, safe=URI_CHARACTERS)


def recipient_in_uri(address: str) -> str:
    """The bare ``address`` as :func:`unsubscribe_uri` writes it for
    :data:`RECIPIENT_FIELD`: percent-encoded but its ``@`` (``team%2Bai@example.org``)."""
    return quote(address, safe="@")


def unsubscribe_uri(value: str, address: str) -> str:
    """``email.unsubscribe`` as a URI for the recipient whose bare address is ``address``,
    which a mail header carries: its :data:`RECIPIENT_FIELD` replaced by ``address``,
    percent-encoded, a host or a mailbox's domain in Thai in IDNA form
    (:func:`ascii_domain`), any other character no URI holds, a space or Thai,
    percent-encoded (:func:`iri_to_uri`)."""
    value = value.replace(RECIPIENT_FIELD, recipient_in_uri(address))
    scheme, _, rest = value.partition(":")
    if scheme.lower() == "mailto":
        mailbox, mark, query = rest.partition("?")
        local, _, domain = unquote(mailbox).rpartition("@")
        rest = f"{local}@{ascii_domain(domain)}{mark}{query}"
    return iri_to_uri(f"{scheme}:{rest}")


def ascii_domain(domain: str) -> str:
    """``domain`` as DNS looks it up and a mail server without SMTPUTF8 takes it: a domain
    outside ASCII in its IDNA form as a browser writes it (UTS #46, non-transitional:
    ``ตัวอย่าง.ไทย`` is ``xn--72c1a1bt4awk9o.xn--o3cw4h``, ``ß.de`` is ``xn--zca.de``,
    not ``ss.de``), upper case and full-width letters and dots mapped (``ＴＥＡＭ．ไทย`` is
    ``team.xn--o3cw4h``); a domain in ASCII as it is.

    ValueError, saying why, when ``domain`` has no IDNA form: a label (a part between dots)
    empty or longer than 63 characters, or one IDNA refuses otherwise (a character no
    domain name holds, ``_``, ``%`` or a space among Thai letters, right-to-left letters
    mixed with others): :func:`_idna_refusal`."""
    if domain.isascii():
        if all(0 < len(label) <= 63 for label in _labels(domain)):
            return domain
        raise ValueError(f"{domain!r} has no IDNA form: {EMPTY_OR_LONG_LABEL}")
    try:
        return idna.encode(domain, uts46=True, std3_rules=True, transitional=False).decode()
    except UnicodeError as error:
        reason = _idna_refusal(domain, error)
        raise ValueError(f"{domain!r} has no IDNA form: {reason}") from error


def _labels(domain: str) -> list[str]:
    """The parts of ``domain`` between dots, without the empty one after a final dot."""
    labels = IDNA_DOTS.split(domain)
    return labels[:-1] if len(labels) > 1 and labels[-1] == "" else labels


def _idna_refusal(domain: str, error: UnicodeError) -> str:
    """Why IDNA refuses ``domain``, in words: its first part refused for another reason than
    its length, with the idna package's reason (``the part 'aא' is refused: Invalid
    direction for codepoint at position 2 in a left-to-right label``), else a part empty
    or longer than 63 characters, or the whole longer than 253 (``error`` says which)."""
    for label in _labels(domain):
        try:
            idna.encode(label, uts46=True, std3_rules=True, transitional=False)
        except UnicodeError as refusal:
            if str(refusal) not in IDNA_EMPTY_OR_LONG:
                return f"the part {label!r} is refused: {refusal}"
    if str(error) == "Domain too long":
        return "it is longer than 253 characters in IDNA form"
    return EMPTY_OR_LONG_LABEL


def _ascii_host(netloc: str) -> str:
    """``netloc`` with its host in IDNA form (:func:`ascii_domain`) when it is outside ASCII
    and has one: as it is otherwise."""
    userinfo, at, host_and_port = netloc.rpartition("@")
    host, colon, port = host_and_port.partition(":")
    if host.isascii():
        return netloc
    try:
        host = ascii_domain(host)
    except ValueError:
        return netloc
    return f"{userinfo}{at}{host}{colon}{port}"


def lookup_name(hostname: str) -> str:
    """``hostname`` (a URL's, in lower case) as DNS looks it up: outside ASCII, in its IDNA
    form (:func:`ascii_domain`: ``ตัวอย่าง.ไทย`` is ``xn--72c1a1bt4awk9o.xn--o3cw4h``, as a
    browser sends it); in ASCII, or without an IDNA form (refused before it is stored:
    :func:`web_url_problem`), as it is."""
    if hostname.isascii():
        return hostname
    try:
        return ascii_domain(hostname).lower()
    except ValueError:
        return hostname


def _shown_name(hostname: str) -> str:
    """``hostname`` (a URL's, in lower case) as a browser shows it: an IDNA form (``xn--``)
    in Unicode (``xn--o3cw4h.com`` is ``ไทย.com``) when each part so shown is in Thai
    script or ASCII alone (:func:`_one_readable_script`); a name with a part that would
    mix scripts or show letters of another (``xn--pypal-4ve.com`` would show a Cyrillic
    'а' in ``pаypal.com``), or that IDNA cannot decode, as it is."""
    if IDNA_LABEL not in hostname or not hostname.isascii():
        return hostname
    shown = []
    for label in hostname.split("."):
        try:
            decoded = idna.decode(label) if label.startswith(IDNA_LABEL) else label
        except UnicodeError:
            return hostname
        if not _one_readable_script(decoded):
            return hostname
        shown.append(decoded)
    return ".".join(shown)


def _one_readable_script(label: str) -> bool:
    """Whether a host's part is in ASCII alone, or in Thai script with ASCII digits and
    hyphens: a part a Thai or English reader cannot mistake for another name."""
    return label.isascii() or all(
        "\u0e00" <= char <= "\u0e7f" or char in "0123456789-" for char in label
    )


class _SiteAddress(NamedTuple):
    """Where a URL is, as :func:`same_site` compares it."""

    scheme: str  # in lower case
    host: str  # in lower case, in IDNA form (lookup_name), without www. (_host)
    port: int | None  # the scheme's default when the URL names none


def _site_address(url: str) -> _SiteAddress | None:
    """Where ``url`` is; None for a port out of range, or an address urlsplit cannot read
    (``http://[x/``: a '[' opening no IPv6 host), which names no host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = _host(lookup_name(parts.hostname or ""))
    return _SiteAddress(scheme, host, port or DEFAULT_PORTS.get(scheme))


def site_host(url: str) -> str:
    """The host name of ``url`` as :func:`same_site` compares it: in lower case, in IDNA
    form, without ``www.`` (``mdes.go.th`` of ``https://www.mdes.go.th/news/3``); '' for an
    address that names none."""
    address = _site_address(url)
    return address.host if address is not None else ""


def same_site(url: str, site: str) -> bool:
    """Whether ``url`` is on the site at ``site`` (a crawl's base URL, or the page a link or
    a redirect came from): the same host name, with ``www.`` or without (``www.mdes.go.th``
    is ``mdes.go.th``, as :func:`canonical_url` stores both), in any case (``LocalHost`` is
    ``localhost``), in Unicode or in IDNA form (``ไทย.com`` is ``xn--o3cw4h.com``); and the
    same scheme and port, a scheme's default port written or not, or ``url`` on https where
    ``site`` is on http, each on its scheme's default port: the site moved to https. Not the
    other way round (a page of an https site asked for in the clear), nor another port or
    another name (``news.mdes.go.th``, ``wwwmdes.go.th``): another site."""
    ours, theirs = _site_address(url), _site_address(site)
    if ours is None or theirs is None or not ours.host or ours.host != theirs.host:
        return False
    if ours.scheme == theirs.scheme:
        return ours.port == theirs.port
    return (theirs.scheme, theirs.port, ours.scheme, ours.port) == ("http", 80, "https", 443)


def _host(netloc: str) -> str:
    """``netloc`` in lower case without ``www.``, however often it starts with it: once
    would leave ``www.example.com`` of ``www.www.example.com``, which is not its own
    canonical form (an article stored under it was a new row when read again)."""
    host = netloc.lower()
    while host.startswith("www."):
        host = host[4:]
    return host


def _canonical_host(parts: SplitResult, scheme: str, *, idna: bool = True) -> str:
    """The host part of a web URL as stored: in lower case, outside ASCII in IDNA form
    (:func:`lookup_name`: ``ไทย.com`` and ``xn--o3cw4h.com`` are one host; with ``idna``
    false, as written, as a database made before stored it), without ``www.``, a final
    dot, a user name or password (never published), or the scheme's default port; the two
    sites' without any port (their articles have one address)."""
    try:
        port = parts.port
    except ValueError:  # refused before it is stored (web_url_problem): kept as written
        return _host(parts.netloc)
    hostname = parts.hostname or ""
    host = _host((lookup_name(hostname) if idna else hostname).rstrip("."))
    if host in HOSTS:
        return host
    if ":" in host:  # an IPv6 address, bracketed in a URL
        host = f"[{host}]"
    return host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


def _site_article(path: str) -> tuple[str, str, re.Match[str]] | None:
    """The site, the article id (:func:`~thaidigest.sites.read_id`) and the pattern's match
    when ``path`` is a site's article path (:data:`ARTICLE_PATHS`), else None."""
    for source, pattern in ARTICLE_PATHS.items():
        match = pattern.fullmatch(path)
        if match and (source_id := read_id(match["id"])) is not None:
            return source, source_id, match
    return None


def _id_path(source: str, source_id: str, match: re.Match[str]) -> str:
    """An article path with its id read: MDES's without its slug, thaigov's as written."""
    if source == "mdes":
        return article_path(source, source_id)
    return match.string[: match.start("id")] + source_id


def _path_read(url: str) -> str:
    """The path of ``url`` as :func:`canonical_url` reads it: slashes not repeated, no
    space around it, no trailing slash."""
    return REPEATED_SLASHES.sub("/", urlsplit(url.strip()).path).strip().rstrip("/")


def _uri_path(path: str) -> str:
    """``path`` as an address is stored: each character no URI holds (Thai, a space, ``|``)
    percent-encoded as its UTF-8 bytes, and each escape's hex digits in upper case, so that
    ``/ข่าว``, ``/%E0%B8%82%E0%B9%88...`` and ``/%e0%b8%82...`` (or a mix) are one address.
    Nothing is decoded: an escape of ASCII stays one (``%2F`` is no ``/``, ``%25`` no ``%``,
    ``%2541`` no ``%41``), and a ``%`` that starts no escape stays as written
    (:func:`stray_percent_forms`). An address stored before with only ASCII characters a URI
    holds, and escapes in upper case, as a crawl gives them, is its own canonical form."""
    path = ESCAPE.sub(lambda escape: escape[0].upper(), path)
    return quote(path, safe=PATH_CHARACTERS, errors="surrogatepass")


def _kept_query(query: str) -> str:
    """``query`` sorted, without tracking parameters."""
    kept = sorted(
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if not TRACKING_PARAMETERS.match(key)
    )
    return urlencode(kept) if kept else ""


def canonical_url(url: str) -> str:
    """The one form of ``url`` under which an article is stored."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        return urlunsplit((scheme, parts.netloc, parts.path, "", ""))
    host = _canonical_host(parts, scheme)
    path = _path_read(url)
    site_article = _site_article(path)
    if host in HOSTS and site_article is not None:
        # Named by its id alone: on its site's own path (thaigov's ministry_details/N is
        # details/N), with no query.
        source, source_id, _ = site_article
        return urlunsplit(("https", host, article_path(source, source_id), "", ""))
    if host in HOSTS:
        scheme = "https"
    if site_article is not None:  # another host (a copy of a site): its id read
        path = _id_path(*site_article)
    return urlunsplit((scheme, host, _uri_path(path), _kept_query(parts.query), ""))


def _former_canonical_url(url: str) -> str:
    """The form :func:`canonical_url` gave ``url`` before a site's article was named by its
    id alone, before a path's percent-encoding was made one (:func:`_uri_path`) and before a
    host outside ASCII was written in IDNA form, which rows stored then keep: its query
    kept, a thaigov ``ministry_details`` path kept, an id read only when written in ASCII
    digits, and the path's Thai and escapes and the host's (``ไทย.com``) as written. An
    address in IDNA form (``xn--o3cw4h.com``) was stored so: the Unicode form of its host is
    not looked for (it was stored as a link wrote it, which the IDNA form does not tell)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        return canonical_url(url)
    host = _canonical_host(parts, scheme, idna=False)
    path = _path_read(url)
    site_article = _site_article(path)
    if site_article is not None and ASCII_ID.fullmatch(site_article[2]["id"]):
        path = _id_path(*site_article)
    return urlunsplit(
        ("https" if host in HOSTS else scheme, host, path, _kept_query(parts.query), "")
    )


# What an address needs to be stored otherwise than a database made before stored it:
# a query, a percent-escape or the ministry's path (or a character beyond ASCII, a host's
# in Thai among them, or one no URI holds: NOT_IN_STORED_PATHS).
FORMER_FORM_MARKS = ("?", "%", "ministry_details")


def _own_former_form(url: str) -> bool:
    """Whether ``url`` is certainly stored as a database made before stored it, told at
    once: an address in ASCII with no query, no ``%``, no ``ministry_details`` and no
    character no URI holds, as nearly every one is."""
    return not (any(mark in url for mark in FORMER_FORM_MARKS) or NOT_IN_STORED_PATHS.search(url))


def stored_forms(url: str) -> list[str]:
    """The forms an article at ``url`` may be stored under, the likeliest first: its
    canonical one, then the one a database made before that rule holds it under
    (``details/87382?lang=th``, ``ministry_details/87382``)."""
    return list(dict.fromkeys((canonical_url(url), _former_canonical_url(url))))


def former_form(url: str) -> str | None:
    """The form a database made before the rules of :func:`canonical_url` for the sites'
    article addresses and for a path's percent-encoding stored ``url`` under
    (``details/87382?lang=th``, ``/ข่าว`` of ``/%E0%B8%82...``), when it is not the
    canonical one; None when they agree, told at once for most addresses
    (:func:`_own_former_form`)."""
    if _own_former_form(url):
        return None
    forms = stored_forms(url)
    return forms[1] if len(forms) > 1 else None


def canonical_form_of_former(url: str) -> str | None:
    """The canonical form of ``url``, an address as a database stored it, when ``url`` is a
    former form of it (a row a database made before stored under ``details/87382?lang=th``,
    ``details/%E0%B9%98...``, ``ministry_details/87382``, or a path in Thai or lower-case
    escapes: ``/ข่าว``, ``/%e0%b8%82...``); None when ``url`` is canonical, told at once for
    most addresses (:func:`_own_former_form`)."""
    if _own_former_form(url):
        return None
    canonical = canonical_url(url)
    return canonical if canonical != url else None


def addresses_meant(address: str) -> list[str]:
    """The canonical forms (:func:`canonical_url`) an article named by ``address`` may be
    stored under, the likeliest first: its own (:func:`stored_forms`: canonical, then as a
    database made before may hold it); for a web address given without its scheme
    (:data:`SCHEMELESS_ADDRESS`), the address as https, then as http (one for the sites,
    whose articles are stored on https). Each form is followed by its others with its
    path's stray ``%`` written the other way (:func:`stray_percent_forms`: ``/100%25/`` is
    ``/100%/``, and ``/100%/`` is ``/100%25/``): every output publishes a ``%`` that starts
    no escape as ``%25`` (digest.clean's ``clean_link``), while a path is stored as written,
    so the link copied from a digest or a feed names the article stored under the bare
    ``%``, and an address as the page wrote it names the article imported from that link."""
    if "://" in address or not SCHEMELESS_ADDRESS.match(address):
        addresses = [address]
    else:
        addresses = [f"{scheme}://{address}" for scheme in ("https", "http")]
    return list(
        dict.fromkeys(
            each
            for given in addresses
            for form in stored_forms(given)
            for each in stray_percent_forms(form)
        )
    )


def stray_percent_forms(url: str) -> list[str]:
    """The addresses that name the page at ``url`` however its path writes a ``%`` that
    starts no escape, ``url`` first: each such ``%`` written ``%25`` (``/100%/`` is
    ``/100%25/``, as every output publishes it: digest.clean's ``clean_link``), then each
    ``%25`` that starts no escape written ``%`` (``/100%25/`` is ``/100%/``). An escape stays
    as written: ``%2541`` is an escaped ``%41``, never ``%41`` (``A``). A path is stored as
    written, so an article stored under one form is read again under the other (an import
    of the link copied from a digest); a query is stored with its ``%`` written ``%25``
    already (:func:`canonical_url`). A path that mixes the two forms has these two whole
    ones, not every mix; ``[url]`` for an address without a ``%``."""
    if "%" not in url:
        return [url]
    parts = urlsplit(url)
    if urlunsplit(parts) != url:  # not written back as it is (a bare "?"): as it is alone
        return [url]
    forms = [url]
    for path in (
        STRAY_PERCENT.sub("%25", parts.path),
        PUBLISHED_STRAY_PERCENT.sub("%", parts.path),
    ):
        form = urlunsplit(parts._replace(path=path))
        if path != parts.path and form not in forms:
            forms.append(form)
    return forms


def source_of(url: str) -> str:
    """``thaigov`` or ``mdes`` for the two sites' URLs, else ``file``."""
    return HOSTS.get(_host((urlsplit(url).hostname or "").rstrip(".")), "file")


def web_host(url: str) -> str | None:
    """The host of a web address as a reader reads it: in lower case, without ``www.`` or a
    port (``mfa.go.th``), in Unicode when it is stored in IDNA form (``xn--o3cw4h.com`` is
    ``ไทย.com``, as a browser shows it); None for anything else (a ``file:`` URL, no URL)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return _host(_shown_name(lookup_name(parts.hostname)))


def article_id(url: str) -> str | None:
    """The site's article id in a thaigov or MDES article URL, in ASCII digits without
    leading zeros however the URL writes it (``details/๘๗๓๘๒`` has ``87382``)."""
    site_article = _site_article(_path_read(url))
    return site_article[1] if site_article is not None else None


def public_url(source: str, source_id: str) -> str:
    """The canonical public URL of a site's article, whatever host it was fetched from."""
    if source not in CANONICAL_BASE_URLS:
        raise ValueError(f"unknown source {source!r}")
    return CANONICAL_BASE_URLS[source] + article_path(source, source_id)


def served_url(url: str) -> str:
    """``url`` on the host its site serves it from: an address stored under a site's
    canonical host (``https://thaigov.go.th/news/contents/details/87382``) on the site's
    own, with ``www.`` (:data:`thaidigest.sites.SITE_BASE_URLS`:
    ``https://www.thaigov.go.th/news/contents/details/87382``); any other as it is. What
    outputs link to: the stored key, and every feed id made of it, stay canonical."""
    for slug, canonical in CANONICAL_BASE_URLS.items():
        if url.startswith(f"{canonical}/"):
            return SITE_BASE_URLS[slug] + url[len(canonical) :]
    return url


def path_name(text: str) -> str:
    """``text`` as a file name safe in any file system or URL: its ASCII letters and
    digits, in lower case, with a hyphen for each run of anything else ('' for none)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def name_hash(name: str) -> str:
    """The SHA-256 of ``name`` (UTF-8), in hex: a prefix of it names a file where
    :func:`path_name` leaves nothing of the name, or what it leaves is another's too."""
    return hashlib.sha256(name.encode()).hexdigest()
