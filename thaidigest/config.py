"""Settings: one dict of defaults, merged with the user's TOML file and checked.

The file is ``--config PATH``, else ``$THAIDIGEST_CONFIG``, else
``./thaidigest.toml`` when it exists. A user file only names what it
changes; tables merge key by key, so ``[sites.mdes] delay = 2`` keeps every
other default.

The file is checked when it is loaded, against a schema made from
:data:`DEFAULTS` itself: a key is known when it has a default, and its value
must have its default's type (an integer default takes integers, a float
default any number). :data:`RULES`, next to the defaults, adds what a type
cannot say: ranges, a wider type, the type of a key whose default is None,
and checks such as "a web address" or "an existing file". So a new setting
is one line in :data:`DEFAULTS`, and one in :data:`RULES` when its type is not
the whole story. Any problem is a :class:`ConfigError` of one line that names
the file and the key.

A path in the file (a setting whose rule says ``path``) is relative to the
file's folder, as in docker-compose or pyproject: a digest run by cron from
another folder writes where the file says. An absolute path stays as it is,
``~`` is the home folder, and a default keeps its own meaning (``public`` is
the current folder's); a path given on the command line is the current
folder's, as ever.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from thaidigest.folders import os_reason
from thaidigest.sites import MDES_BASE_URL, MDES_CATEGORIES, THAIGOV_BASE_URL
from thaidigest.urls import (
    RECIPIENT_FIELD,
    ascii_domain,
    base_url_problem,
    recipient_in_uri,
    site_url_problem,
    unsubscribe_uri,
    web_url_problem,
)

CONFIG_ENV = "THAIDIGEST_CONFIG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# How mail reaches the SMTP server: STARTTLS, implicit TLS from the first byte (SMTPS), or plain.
SMTP_SECURITY = ("starttls", "tls", "none")
DEFAULT_CONFIG_FILE = "thaidigest.toml"
# The encoding of a user's TOML file: UTF-8, a leading byte-order mark dropped (Windows
# Notepad writes one; TOML has none, and tomllib takes it for a statement).
TOML_ENCODING = "utf-8-sig"
# The byte-order marks of the encodings Notepad's "Unicode" saves a file in, which TOML is
# not: UTF-32's first, its little-endian mark starting with UTF-16's.
WIDE_MARKS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}
# Where `thaidigest serve` listens unless told: this machine only. The default site_url.
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000

DEFAULTS: dict[str, Any] = {
    "crawl": {
        # An honest User-Agent names the project and where to reach its operator.
        "user_agent": "thaidigest/0.1 (+https://github.com/thaidigest/thaidigest; news digest bot)",
        "obey_robots": True,
        "timeout": 30,  # seconds per request
        "max_page_bytes": 5 * 1024 * 1024,  # larger pages are refused
        "retries": 4,
        "backoff_base": 1.0,  # seconds before the first retry; doubles with each retry
        # Articles first seen this recently are checked for edits; an imported one
        # (first seen when imported), by its published date when it has one.
        "revisit_days": 14,
        # Seconds a scheduled job, a crawl or a digest, may run before the daemon stops
        # it; also how long a crawl's site locks last unrenewed (a crawl renews them
        # every third of this): a holder elsewhere is trusted until they expire.
        "subprocess_timeout": 3600,
        # Scrapy's log on stderr: WARNING shows blocked pages, robots.txt and given-up
        # retries; INFO adds its settings, extensions and stats; DEBUG every request.
        "log_level": "WARNING",
    },
    "sites": {
        "thaigov": {
            "base_url": THAIGOV_BASE_URL,
            "delay": 1.0,  # seconds between requests
            "concurrency": 2,
            # Consecutive ids with no article (soft 404, 404) end the id walk; an id that
            # failed is none, and walks one id further (this many further at most).
            "miss_limit": 20,
            # Ids one crawl's walk asks at most from its start: a site answering every id
            # with a page that looks like an article would have it go on for ever. The
            # next crawl goes on from the highest id stored, at or below where it stopped.
            "walk_limit": 1000,
            # After a crawl that did not end cleanly, unstored ids this far below
            # the highest stored one are tried again.
            "recheck_window": 200,
            # Unstored ids this far below the highest stored one are tried again on every
            # crawl: an id with no article yet may get one late (a few per hundred).
            "gap_window": 50,
            "start_id": None,  # where the walk starts when nothing is stored
            # Search pages are a second source of links, and give the first crawl
            # of an empty store its start (the newest article they list).
            "search_keywords": ["ดิจิทัล"],
        },
        "mdes": {
            "base_url": MDES_BASE_URL,
            "delay": 1.0,  # MDES answers bursts with 403: at least a second apart
            "concurrency": 1,
            "categories": list(MDES_CATEGORIES),
            "page_limit": 20,  # listing pages per category per crawl
        },
    },
    "import": {
        # Limits on one input of `thaidigest import`, far above any real article
        # (the longest of the 63,241 corpus articles is a 0.7 MB line of 243,084
        # characters): a longer line or article is rejected, and memory stays bounded.
        "max_line_bytes": 16 * 1024 * 1024,  # one line of a .jsonl file
        "max_article_chars": 4_000_000,  # the text of one article (a .txt file, a record)
    },
    "relevance": {
        "rules": None,  # a TOML file that extends the packaged rules
        # An article is relevant when the model's probability reaches this.
        "threshold": 0.5,
        "model": None,  # a model file of `thaidigest train-relevance`; None: the packaged one
    },
    "partners": {
        "file": None,  # a TOML file that extends the packaged partner names (partners.toml)
    },
    "digest": {
        "out": "public",
        "weeks": 4,  # weeks of relevant articles the feeds carry
        "max_entries": 100,
        "title": "thaidigest: Thai digital-economy cooperation news",
        # Where `thaidigest serve` or a web server publishes the output folder.
        "site_url": f"http://{SERVE_HOST}:{SERVE_PORT}/",
    },
    "email": {
        "enabled": False,
        "host": "localhost",
        "port": None,  # unset: 587, the submission port (digest.mail.SUBMISSION_PORT)
        # One of SMTP_SECURITY; unset: "tls" on port 465, where the server expects TLS from
        # the first byte, else "starttls" (or what an older file's `starttls` says).
        "security": None,
        # The older setting: true is "starttls", false "none" (either refused on port 465).
        "starttls": None,
        "username": None,
        "password_env": "THAIDIGEST_SMTP_PASSWORD",  # the password comes from this variable only
        # No default: mail from a made-up address (thaidigest@localhost) is refused or
        # filed as spam by most servers, and replies to it are lost.
        "sender": None,
        "recipients": [],
        # Those of the recipients who run the crawls: they alone get the digest's source
        # health; unset: every recipient does, none being known to run them.
        "operators": [],
        # The List-Id (RFC 2919) mail filters file the digest by; unset: thaidigest.DOMAIN,
        # DOMAIN the sender's.
        "list_id": None,
        # A mailto: or https: address that unsubscribes, as List-Unsubscribe (RFC 2369);
        # unset: no such header, never a made-up address.
        "unsubscribe": None,
    },
    "schedule": {
        # Seconds late a missed run may still start; unset: however late (once, coalesced).
        "misfire_grace_time": None,
        "shutdown_grace": 7,  # seconds a job gets after SIGTERM, then it is killed
    },
    "status": {
        "max_crawl_age_hours": 24,  # `thaidigest status` fails when the last good crawl is older
        # A site that found nothing new for longer while its crawls succeed gets a
        # warning in the digest, and `thaidigest status` fails: a silent layout change.
        "max_quiet_days": 7,
        # `thaidigest status` fails when a week's digest is still owed to a recipient
        # (a run could not mail it) longer after the week ended.
        "max_mail_owed_hours": 24,
    },
}


class ConfigError(ValueError):
    """The configuration file cannot be read or holds a wrong value."""


class NotUTF8Error(ValueError):
    """A user's TOML file whose bytes are not UTF-8; the message says what they are."""


def read_toml_text(path: str | Path) -> str:
    """The text of a user's TOML file besides the settings (a rules, partners or schedule
    file), as ``Path.read_text`` gives it: a leading byte-order mark dropped, line ends read as
    ``\\n``. Raises :class:`OSError`, or :class:`NotUTF8Error` saying what the bytes are
    (Notepad's "Unicode" is UTF-16: :func:`_not_utf8`)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode(TOML_ENCODING)
    except UnicodeDecodeError as error:
        raise NotUTF8Error(_not_utf8(data, error)) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- What a value must be beyond its default's type ---------------------------


def _existing_toml_file(value: str) -> str | None:
    missing = _existing_file(value)
    if missing:
        return missing
    try:
        tomllib.loads(read_toml_text(value))
    except OSError as error:
        return f"cannot read {value}: {os_reason(error)}"
    except NotUTF8Error as error:
        return f"{value}: {error}"
    except tomllib.TOMLDecodeError as error:
        return f"{value} is not valid TOML: {error}"
    return None


def _existing_file(value: str) -> str | None:
    if not value.strip():  # Path("") is the current folder, "a folder" (a template's unset value)
        return "must not be empty"
    path = Path(value)
    if path.is_file():
        return None
    if path.is_dir():  # there, but no file: "no such file" sent the user looking for it
        return f"{value}: is a folder, not a file"
    return f"no such file: {value}"


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    """A check that a value is one of ``choices``, naming the value it is not (and, for one
    in another case, that case counts: ``"info"``), as the schedule file's options do."""

    def check(value: str) -> str | None:
        if value in choices:
            return None
        in_case = any(value.casefold() == choice.casefold() for choice in choices)
        case = " (in that case)" if in_case else ""
        return f"must be one of {', '.join(choices)}{case}, not {toml_value(value)}"

    return check


def _not_blank(value: str) -> str | None:
    return "must not be empty" if not value.strip() else None


def mail_address_problem(value: str) -> str | None:
    """Why ``value`` is no mail address, ``team@example.org`` or ``Team <team@example.org>``
    (a local part and a domain, no spaces), in words; or None.

    The value must also read, as a mail header, as that one address
    (:func:`thaidigest.mailboxes.header_mailbox`, which the mailer reads it with): a name
    holding ``[ ] ; : or \\`` unquoted reads as another mailbox, ``Ops [Bangkok]
    <ops@example.org>`` as ``Ops``, with no domain."""
    # Here, not at the top: the email package takes 20 ms, and only a file naming mail loads it.
    from email.errors import MessageError
    from email.headerregistry import Address

    from thaidigest.mailboxes import header_mailbox

    named = NAMED_ADDRESS.fullmatch(value)
    address = named["address"] if named else value
    local, at, domain = address.rpartition("@")
    fits = bool(at and local and domain) and not any(char.isspace() for char in address)
    if fits:
        try:
            read = Address(addr_spec=address).addr_spec
        except (AttributeError, ValueError, IndexError, MessageError):  # the parser's, by defect
            fits = False
    if fits and _has_idna_form(domain):
        if too_long := _length_fault(local, domain):
            return f"{_shown(value)} is not a mail address: {too_long}"
        mailbox = header_mailbox(value)
        if mailbox is not None and mailbox.addr_spec == read:
            return None
        if named:
            return f"{_shown(value)} is not a mail address: {_unquoted_name_fault(named)}"
    return f"{_shown(value)} is not a mail address: {_address_fault(value, local, domain)}"


def _length_fault(local: str, domain: str) -> str | None:
    """Why an address of ``local`` part and ``domain`` is longer than a mail server takes
    (RFC 5321, 4.5.3.1), in words, or None: measured as mailed, its domain in IDNA form
    (:func:`thaidigest.urls.ascii_domain`)."""
    if len(local) > MAX_LOCAL_PART:
        return (
            f"its local part (before the @) has {len(local)} characters, and a mail server "
            f"takes {MAX_LOCAL_PART} at most (RFC 5321)"
        )
    length = len(local) + 1 + len(ascii_domain(domain))
    if length > MAX_ADDRESS:
        idna = "" if domain.isascii() else ", its domain in the IDNA form it is mailed in"
        return (
            f"it has {length} characters{idna}, and a mail server takes {MAX_ADDRESS} "
            "at most (RFC 5321)"
        )
    return None


def _unquoted_name_fault(named: re.Match[str]) -> str:
    """What is wrong with a name and address that read, as a mail header, as another
    mailbox: a character the header takes as syntax in the name, and the value quoted."""
    name = named["name"].strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'a name holding [ ] ; : or \\ must be in double quotes: "{name}" <{named["address"]}>'


def _has_idna_form(domain: str) -> bool:
    """Whether ``domain`` can be written in IDNA (``xn--…``), as a domain in Thai is mailed
    (:func:`thaidigest.urls.ascii_domain`)."""
    try:
        ascii_domain(domain)
    except ValueError:
        return False
    return True


def list_id_problem(value: str) -> str | None:
    """Why ``value`` is no List-Id (RFC 2919), in words, or None: a name under a domain,
    ``digest.example.org``, letters, digits and hyphens between dots."""
    if LIST_ID.fullmatch(value) and len(value) <= MAX_LIST_ID:
        return None
    return (
        f"{_shown(value)} is not a list id: a name under a domain you hold, "
        f"like digest.example.org (letters, digits and hyphens between dots, at most "
        f"{MAX_LIST_ID} characters)"
    )


def unsubscribe_problem(value: str) -> str | None:
    """Why ``value`` is no address that unsubscribes from the digest, in words, or None: a
    ``mailto:`` address (one bare mailbox, and a ``?subject=…`` if wanted, where alone
    :data:`~thaidigest.urls.RECIPIENT_FIELD` may stand) or an ``https://`` one, whose
    ``List-Unsubscribe`` header fits a line (:func:`_unsubscribe_line_problem`)."""
    scheme, _, rest = value.partition(":")
    if scheme.lower() == "https":
        problem = web_url_problem(value)
    elif scheme.lower() == "mailto" and rest:
        problem = _mailto_problem(value, rest.partition("?")[0])
    else:
        problem = (
            f"{_shown(value)} is neither a mailto: address nor an https:// one "
            "(one-click unsubscribe, RFC 8058, takes https only)"
        )
    return problem or _unsubscribe_line_problem(value)


def _mailto_problem(value: str, mailbox: str) -> str | None:
    """Why the ``mailto:`` address ``value``, whose mailbox is ``mailbox``, unsubscribes no
    one, in words, or None."""
    if "," in mailbox:
        return f"{_shown(value)} names more than one address: give one, mailto:leave@example.org"
    if NAMED_ADDRESS.fullmatch(mailbox):
        return f"{_shown(value)} must name a bare address: mailto:leave@example.org"
    if RECIPIENT_FIELD in mailbox:
        return (
            f"{_shown(value)}: {RECIPIENT_FIELD} may stand in the query of a mailto: address "
            f"only (mailto:leave@example.org?subject=leave%20{RECIPIENT_FIELD}), "
            "not in the address the mail is sent to"
        )
    problem = mail_address_problem(unquote(mailbox))
    return f"{_shown(value)}: {problem}" if problem else None


def _unsubscribe_line_problem(value: str) -> str | None:
    """Why the ``List-Unsubscribe`` header line ``value`` makes is too long, in words, or
    None: written as a mail carries it, Thai percent-encoded (9 characters each),
    :data:`~thaidigest.urls.RECIPIENT_FIELD` as the longest address a recipient may have,
    percent-encoded as long as it can be (:data:`LONGEST_ADDRESS`), it must fit the
    :data:`MAX_HEADER_LINE` characters of a header line (RFC 5322)."""
    line = f"List-Unsubscribe: <{unsubscribe_uri(value, LONGEST_ADDRESS)}>"  # as a mail has it
    if len(line) <= MAX_HEADER_LINE:
        return None
    why = f"{_shown(value)} makes a List-Unsubscribe header line of {len(line)} characters"
    if RECIPIENT_FIELD in value:
        encoded = recipient_in_uri(LONGEST_ADDRESS)
        why += (
            f" for a recipient's address as long as one may be ({len(LONGEST_ADDRESS)} "
            f"characters, {len(encoded)} percent-encoded)"
        )
    if not value.isascii():
        why += ", Thai percent-encoded as 9 characters a letter"
    return f"{why}, and a header line holds {MAX_HEADER_LINE}: shorten it"


def _address_fault(value: str, local: str, domain: str) -> str:
    """What is wrong with a value :func:`mail_address_problem` refused, in words."""
    if value != value.strip():
        return "it has spaces at its start or end: take them out"
    if "<" in value and "," in value.split("<", 1)[0] and '"' not in value:
        return 'a name holding a comma needs quotes ("Doe, John" <john@example.org>)'
    if local and not local.isascii():
        return "its local part (before the @) is not ASCII: thaidigest mails ASCII addresses only"
    if not _has_idna_form(domain):
        return (
            "its domain has no IDNA form, in which a domain in Thai is mailed "
            "(a part between dots is empty or too long)"
        )
    return (
        "it needs a local part and a domain, no spaces "
        "(team@example.org, or Team <team@example.org>)"
    )


def _each(check: Callable[[Any], str | None]) -> Callable[[list[Any]], str | None]:
    """A check of a list: the problem of its first item that ``check`` finds one with."""

    def check_each(values: list[Any]) -> str | None:
        return next(filter(None, map(check, values)), None)

    return check_each


def _some_categories(value: list[int]) -> str | None:
    if value:
        return None
    return "must not be empty: remove the key for the default categories, or list category numbers"


@dataclass(frozen=True)
class Rule:
    """What a setting must be beyond its default's type.

    ``kind`` replaces the type taken from the default: ``float`` lets an
    integer default take any number; a key whose default is None needs one.
    ``minimum`` / ``maximum`` bound a number (each item of a list of numbers),
    ``above`` excludes its bound; ``check`` returns a problem in words, or None.
    ``path``: a file or folder, which a settings file names relative to its folder.
    """

    kind: type | None = None
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None
    check: Callable[[Any], str | None] | None = None
    path: bool = False


# Keys are dotted paths; ``*`` stands for any one table name (a site slug).
# Upper bounds keep values inside what the clock, the scheduler and the memory hold.
DAY = 24 * 3600
RULES: dict[str, Rule] = {
    "crawl.user_agent": Rule(check=_not_blank),
    "crawl.timeout": Rule(kind=float, above=0, maximum=DAY),
    "crawl.max_page_bytes": Rule(minimum=1, maximum=1 << 30),
    "crawl.retries": Rule(minimum=0, maximum=100),
    "crawl.backoff_base": Rule(minimum=0, maximum=DAY),
    "crawl.revisit_days": Rule(kind=float, minimum=0, maximum=3650),
    "crawl.subprocess_timeout": Rule(kind=float, above=0, maximum=30 * DAY),
    "crawl.log_level": Rule(check=_one_of(LOG_LEVELS)),
    "sites.*.base_url": Rule(check=base_url_problem),
    "sites.*.delay": Rule(minimum=0, maximum=DAY),
    "sites.*.concurrency": Rule(minimum=1, maximum=64),
    "sites.*.miss_limit": Rule(minimum=1, maximum=1_000_000),
    "sites.*.walk_limit": Rule(minimum=1, maximum=1_000_000),
    "sites.*.recheck_window": Rule(minimum=0, maximum=1_000_000),
    "sites.*.gap_window": Rule(minimum=0, maximum=1_000_000),
    "sites.*.start_id": Rule(kind=int, minimum=1),
    "sites.*.categories": Rule(minimum=1, check=_some_categories),  # MDES numbers them from 1
    "sites.*.page_limit": Rule(minimum=1, maximum=100_000),
    "import.max_line_bytes": Rule(minimum=1024, maximum=1 << 30),
    "import.max_article_chars": Rule(minimum=1000, maximum=100_000_000),
    "relevance.rules": Rule(kind=str, check=_existing_toml_file, path=True),
    # 0 would make every article relevant, a never term's included.
    "relevance.threshold": Rule(kind=float, above=0, maximum=1),
    "relevance.model": Rule(kind=str, check=_existing_file, path=True),
    "partners.file": Rule(kind=str, check=_existing_toml_file, path=True),
    "digest.out": Rule(check=_not_blank, path=True),
    "digest.weeks": Rule(minimum=1, maximum=520),
    "digest.max_entries": Rule(minimum=1, maximum=100_000),
    "digest.title": Rule(check=_not_blank),
    "digest.site_url": Rule(check=site_url_problem),
    "email.host": Rule(check=_not_blank),
    "email.port": Rule(kind=int, minimum=1, maximum=65535),
    "email.security": Rule(kind=str, check=_one_of(SMTP_SECURITY)),
    "email.starttls": Rule(kind=bool),
    "email.username": Rule(kind=str),
    "email.password_env": Rule(check=_not_blank),
    "email.sender": Rule(kind=str, check=mail_address_problem),
    "email.recipients": Rule(kind=str, check=_each(mail_address_problem)),  # kind: of each item
    "email.operators": Rule(kind=str, check=_each(mail_address_problem)),
    "email.list_id": Rule(kind=str, check=list_id_problem),
    "email.unsubscribe": Rule(kind=str, check=unsubscribe_problem),
    "schedule.misfire_grace_time": Rule(kind=int, minimum=1, maximum=30 * DAY),
    "schedule.shutdown_grace": Rule(kind=float, minimum=0, maximum=DAY),
    "status.max_crawl_age_hours": Rule(kind=float, above=0, maximum=24 * 3650),
    "status.max_quiet_days": Rule(kind=float, above=0, maximum=3650),
    "status.max_mail_owed_hours": Rule(kind=float, above=0, maximum=24 * 3650),
}

# A site's setting -> the setting of the same site it may not exceed: every crawl asks
# again for the gap_window ids below the walk's start, a crawl after one that did not end
# cleanly for the recheck_window ids, the wider look back.
AT_MOST = {"gap_window": "recheck_window"}

TYPE_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a table",
}
# Characters no setting means: they would break a header, a log line or a feed.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
# How a TOML basic string escapes a character; any other unprintable one is \uXXXX.
TOML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")  # a TOML key written without quotes
# A mail address with a name: the name in quotes or without <, >, @ and commas (one address).
NAMED_ADDRESS = re.compile(r'(?P<name>(?:"[^"]*"|[^<>@,"])*)<(?P<address>[^<>]*)>')
# A List-Id (RFC 2919) as a host name is written: a label, a dot, a domain.
LIST_ID = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MAX_LIST_ID = 255  # RFC 2919's bound
MAX_HEADER_LINE = 998  # characters a mail's header line holds (RFC 5322, 2.1.1)
# A mail address's length at most (RFC 5321, 4.5.3.1: a local part holds 64 characters, a
# path 256, with its < and >); a longer one is refused when the settings are read.
MAX_LOCAL_PART = 64
MAX_ADDRESS = 254
# The longest address a recipient may have, which email.unsubscribe's {recipient} stands
# for when its length is checked: MAX_ADDRESS characters, its local part MAX_LOCAL_PART "+",
# which a URI holds as "%2B" (as it holds & = /), so 382 as a header carries it.
LONGEST_ADDRESS = f"{'+' * MAX_LOCAL_PART}@{'y' * 63}.{'z' * 63}.{'w' * 57}.org"


def rule_for(key: str) -> Rule:
    """The rule of a dotted key (an exact entry first, then one with ``*``), or no rule."""
    if key in RULES:
        return RULES[key]
    parts = key.split(".")
    for index in range(len(parts)):
        wildcard = ".".join([*parts[:index], "*", *parts[index + 1 :]])
        if wildcard in RULES:
            return RULES[wildcard]
    return Rule()


def setting_keys(table: dict[str, Any], prefix: str = "") -> list[str]:
    """Every dotted key of a table of settings, tables included."""
    keys = []
    for key, value in table.items():
        keys.append(f"{prefix}{key}")
        if isinstance(value, dict):
            keys.extend(setting_keys(value, f"{prefix}{key}."))
    return keys


def closest_key(name: str, known: Iterable[str]) -> str | None:
    """The key of ``known`` an unknown ``name`` was most likely meant to be (``user_agnet``:
    ``user_agent``), or None when none is close. The settings file and the schedule file
    suggest their keys by it, so the two agree on what is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def shown_key(key: str) -> str:
    """``key`` as a message shows it: escaped when it holds what a terminal would act on
    (a quoted TOML key may hold anything)."""
    return key if key.isprintable() else ascii(key)


def _unknown(key: str, known: dict[str, Any], prefix: str) -> str:
    """The problem with an unknown key, with the closest known key to suggest."""
    close = closest_key(key, known)
    suggestion = f"{prefix}{close}" if close else None
    if suggestion is None:  # the right name in the wrong table: user_agent at the top
        elsewhere = [name for name in setting_keys(DEFAULTS) if name.rsplit(".", 1)[-1] == key]
        suggestion = elsewhere[0] if elsewhere else None
    hint = f"; did you mean {suggestion}?" if suggestion else f"; known: {', '.join(known)}"
    return f"unknown key {prefix}{shown_key(key)}{hint}"


def toml_value(value: Any) -> str:
    """``value`` as a TOML file writes it (``true``, ``"text"``, ``[3, 7]``, ``inf``): a
    message shows what the user wrote, not Python's spelling. Escapes keep it one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return '"' + "".join(_toml_character(char) for char in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = [f"{_toml_key(key)} = {toml_value(item)}" for key, item in value.items()]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if isinstance(value, date | time):  # a datetime is a date
        return value.isoformat()
    return repr(value)  # int, float


def _toml_character(char: str) -> str:
    if char in TOML_ESCAPES:
        return TOML_ESCAPES[char]
    if char.isprintable():
        return char
    return f"\\u{ord(char):04X}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08X}"


def _toml_key(key: str) -> str:
    return key if BARE_KEY.fullmatch(key) else toml_value(key)


def _shown(value: Any) -> str:
    text = toml_value(value)
    return text if len(text) <= 60 else text[:57] + "..."


def type_problem(value: Any, kind: type | None) -> str | None:
    """Why ``value`` is not of ``kind`` (None: any value but a table), in the words of a
    setting's error (``must be a number, not "x"``), or None. The rules and the partners
    file are checked in these words too."""
    if kind is None:
        fits = not isinstance(value, dict)
    elif kind is float:
        fits = isinstance(value, int | float) and not isinstance(value, bool)
        if fits and not math.isfinite(value):
            return f"must be a finite number, not {_shown(value)}"
    elif kind is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, kind)
    if not fits:
        return f"must be {TYPE_NAMES.get(kind, kind.__name__)}, not {_shown(value)}"
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        return f"must not hold control characters: {_shown(value)}"
    return None


def list_problem(
    value: Any, kind: type | None, item_problem: Callable[[Any], str | None] | None = None
) -> str | None:
    """Why ``value`` is not a list of ``kind`` items that ``item_problem`` (when given) finds
    no fault with, in the words of a setting's error (``must be a list, not "c@d.org"``,
    ``each item must be a string, not 1``), or None."""
    if not isinstance(value, list):
        return f"must be a list, not {_shown(value)}"
    for item in value:
        problem = type_problem(item, kind) or (item_problem(item) if item_problem else None)
        if problem:
            return f"each item {problem}"
    return None


def blank_item_problem(item: str) -> str | None:
    """Why ``item``, a term or a name a list of a user's rules or partners file holds, is
    no term: blank, in the words of a setting's error; or None. A term that shows nothing
    (``" "``, a zero-width space ``"\u200b"``: :func:`~thaidigest.normalise.shows_nothing`)
    is blank, as a text file's line that shows nothing is: no reader could tell what it
    matched, and an ``always`` or ``never`` term would decide articles unseen."""
    # Here, not at the top: the normaliser loads numpy, which reading settings never needs.
    from thaidigest.normalise import shows_nothing

    return f"must not be blank, not {toml_value(item)}" if shows_nothing(item) else None


def _range_problem(value: Any, rule: Rule) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if rule.above is not None and not value > rule.above:
        return f"must be more than {rule.above:g}, not {_shown(value)}"
    if rule.minimum is not None and value < rule.minimum:
        return f"must be at least {rule.minimum:g}, not {_shown(value)}"
    if rule.maximum is not None and value > rule.maximum:
        return f"must be at most {rule.maximum:g}, not {_shown(value)}"
    return None


def _value_problem(value: Any, default: Any, rule: Rule) -> str | None:
    """Why ``value`` cannot replace ``default`` under ``rule``, or None."""
    if isinstance(default, list):
        kind = rule.kind or (type(default[0]) if default else None)
        problem = list_problem(value, kind, lambda item: _range_problem(item, rule))
        if problem is None and rule.check is not None:
            problem = rule.check(value)
        return problem
    if value is None and default is None:  # unset (TOML cannot say None: only the defaults)
        return None
    kind = rule.kind or (None if default is None else type(default))
    problem = type_problem(value, kind) or _range_problem(value, rule)
    if problem is None and rule.check is not None:
        problem = rule.check(value)
    return problem


def check_settings(
    user: dict[str, Any], defaults: dict[str, Any] = DEFAULTS, prefix: str = ""
) -> None:
    """Raise :class:`ConfigError` naming the first key of ``user`` that is unknown or wrong."""
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in defaults:
            raise ConfigError(_unknown(key, defaults, prefix))
        default = defaults[key]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{name}: must be a table ([{name}]), not {_shown(value)}")
            check_settings(value, default, f"{name}.")
            continue
        problem = _value_problem(value, default, rule_for(name))
        if problem:
            raise ConfigError(f"{name}: {problem}")


def over_limits(config: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """``(site, setting, limit)`` for each setting of a site above the one it may not
    exceed (:data:`AT_MOST`). ``config``: the merged settings."""
    for slug, site in config["sites"].items():
        for key, limit in AT_MOST.items():
            if key in site and limit in site and site[key] > site[limit]:
                yield slug, key, limit


def relation_problem(config: dict[str, Any], given: dict[str, Any]) -> str | None:
    """The first setting of a site that the file gives (``given``) above the one it may not
    exceed, as one line naming both; None when there is none. ``config``: the merged settings."""
    for slug, key, limit in over_limits(config):
        if key in given.get("sites", {}).get(slug, {}):
            site = config["sites"][slug]
            bound = f"sites.{slug}.{limit} ({_shown(site[limit])})"
            return f"sites.{slug}.{key}: must be at most {bound}, not {_shown(site[key])}"
    return None


def within_limits(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with each site's default that exceeds its limit (:data:`AT_MOST`) lowered
    to it: ``recheck_window = 0`` alone, as written before gap_window existed, turns both off."""
    sites = {slug: dict(site) for slug, site in config["sites"].items()}
    for slug, key, limit in over_limits(config):
        sites[slug][key] = sites[slug][limit]
    return {**config, "sites": sites}


def file_relative(value: str, folder: Path) -> str:
    """A path a settings file in ``folder`` names: a relative one is taken from ``folder``,
    ``~`` is the home folder, an absolute one stays as it is (and so does a blank one,
    which the check refuses)."""
    if not value.strip():
        return value
    if value.startswith("~"):
        try:
            return str(Path(value).expanduser())
        except RuntimeError:  # ~user of no such user: the check says no such file
            return value
    return value if Path(value).is_absolute() else str(folder / value)


def resolve_paths(user: dict[str, Any], folder: Path, prefix: str = "") -> dict[str, Any]:
    """``user`` with each path setting (a :class:`Rule` with ``path``) made relative to
    ``folder``, the settings file's; anything else, wrong types included, left as it is."""
    resolved: dict[str, Any] = {}
    for key, value in user.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            value = resolve_paths(value, folder, f"{name}.")
        elif isinstance(value, str) and rule_for(name).path:
            value = file_relative(value, folder)
        resolved[key] = value
    return resolved


def merge(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` with ``overrides`` merged in, table by table."""
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def config_path(path: str | Path | None = None) -> Path | None:
    """The configuration file in use, or None for the defaults alone: ``path``, else
    ``$THAIDIGEST_CONFIG``, else ``./thaidigest.toml`` when that name is there.

    An empty ``path``, or an empty ``$THAIDIGEST_CONFIG`` when ``path`` is None, is a
    :class:`ConfigError`, not the defaults: it is a mistake (an unset variable in a
    script), and the defaults are not the settings meant.
    """
    if path is not None:
        if not str(path).strip():
            raise ConfigError("the settings file name is empty: give a file")
        return Path(path)
    if CONFIG_ENV in os.environ:
        if not os.environ[CONFIG_ENV].strip():
            raise ConfigError(f"{CONFIG_ENV} is set but empty: give a settings file, or unset it")
        return Path(os.environ[CONFIG_ENV])
    # Present as a name, it is the file meant: a link to nothing (its target moved or
    # mistyped) or a folder is refused as --config's would be, not left for the defaults.
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() or default.is_symlink() or default.is_dir() else None


def digest_folder(out: str | Path | None, config: Mapping[str, Any]) -> Path:
    """The folder a digest writes: its ``--out`` (a scheduled job's ``out``), else
    ``digest.out``. Decided here alone: ``digest`` writes there, ``serve`` serves it, and
    ``status`` and ``explain`` read which weeks were built from it."""
    return Path(out or config["digest"]["out"])


def weeks_kept(config: Mapping[str, Any]) -> int:
    """``digest.weeks`` (one at least: :data:`RULES`): how many weeks, the newest digest's
    last, the article feeds (``feed.*``, the topics' and the partners') carry, and whose
    digests, those built, ``digests.atom`` does (its newest ``digest.max_entries``; the index
    lists every digest stored); how
    many complete weeks back a scheduled digest builds the weeks missed; and how many back
    a run mails a week still owed, writing off one older. Decided here alone: ``digest``
    builds, publishes and mails by it, and ``status`` says which weeks the next run mails
    or writes off."""
    return int(config["digest"]["weeks"])


def _not_utf8(data: bytes, error: UnicodeDecodeError) -> str:
    """Why the bytes ``data`` of a settings file are no TOML, which is UTF-8 (``error``:
    decoding them as UTF-8): UTF-16 or UTF-32 named by its byte-order mark (Notepad's
    "Unicode"), else where the UTF-8 breaks (a Latin-1 ``é``)."""
    found = next((name for mark, name in WIDE_MARKS.items() if data.startswith(mark)), None)
    if found is not None:
        return f"not UTF-8 but {found} (byte-order mark): TOML is UTF-8; save it as UTF-8"
    return f"not UTF-8 (invalid at byte {error.start}): TOML is UTF-8; save it as UTF-8"


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """The defaults merged with the user's file (see :func:`config_path`), checked.

    Raises :class:`ConfigError`, one line naming the file and what is wrong.
    """
    chosen = config_path(path)
    if chosen is None:
        return copy.deepcopy(DEFAULTS)
    try:
        data = chosen.read_bytes()
    except FileNotFoundError:
        if chosen.is_symlink():  # ls lists it: say what it names
            raise ConfigError(
                f"{chosen}: a link to nothing ({os.readlink(chosen)}): no such configuration file"
            ) from None
        raise ConfigError(f"{chosen}: no such configuration file") from None
    except IsADirectoryError:  # --config . : "[Errno 21] Is a directory: '.'"
        raise ConfigError(f"{chosen}: is a folder, not a settings file") from None
    except OSError as error:
        raise ConfigError(f"{chosen}: cannot read: {os_reason(error)}") from None
    try:
        # Decoded here, not opened as text: line ends stay as they are for tomllib to judge.
        user = tomllib.loads(data.decode(TOML_ENCODING))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{chosen}: {_not_utf8(data, error)}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{chosen}: {error}") from None
    user = resolve_paths(user, chosen.parent)
    try:
        check_settings(user)
    except ConfigError as error:
        raise ConfigError(f"{chosen}: {error}") from None
    config = merge(DEFAULTS, user)
    if problem := relation_problem(config, user):
        raise ConfigError(f"{chosen}: {problem}")
    return within_limits(config)
