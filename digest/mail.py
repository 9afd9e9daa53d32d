"""Mail the weekly digest: its text as text/plain, its HTML as text/html, over SMTP.

Each recipient gets the week once: a successful send is recorded in the
``deliveries`` table at once, and a recipient already recorded for the week is
skipped. A recipient is known by its mailbox, the bare address in lower case
(:func:`mailbox_key`), so two spellings of one address are one recipient. Two runs
at once (the daemon's and a manual one) would both see a recipient not yet recorded
and both mail it, so each (week, recipient) is claimed before it is
sent, under a lock of :mod:`thaidigest.locks` (:func:`claim_name`), and looked up
again once claimed: a run that finds it claimed or recorded skips it, and a send
that fails gives its claim back for a later run. A week not over is never mailed:
its digest is partial, and recorded, it would keep the complete one from being
mailed (:func:`not_over`). A recipient is owed the week (the ``undelivered`` table)
from the start of the send until it succeeds, so a failed send, which raises
:class:`MailError` after the others were tried, is retried by the next run,
whichever week that run mails, while the week is one of the last ``digest.weeks``;
one owed longer is written off loudly (:class:`Owed`, :func:`write_off`). The
password comes only from the environment variable named by ``email.password_env``
and never appears in a message, a log line or the database, not even base64-encoded
as a server that refuses the login may echo it (:func:`thaidigest.redact.redact`); a
password too short to mask without garbling the server's words withholds its replies,
all but their status codes (:func:`thaidigest.redact.redact_reply`).
The server is reached over STARTTLS, over TLS from the first byte (SMTPS, port 465)
or in plain text (:func:`smtp_security`); over TLS its certificate is always verified.
A send that fails says why in the crawl's plain words (``connection refused``,
``DNS lookup failed``, ``TLS error: wrong version number``, ``timed out after 30 s``, the
seconds the server was given to answer: :mod:`thaidigest.network_errors`),
or in the server's own answer (``login refused: 535 5.7.8 …``), not as Python shows it
(``[Errno 111] Connection refused``); an error of no kind the crawl names, in its own
message (:func:`_failure`).
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, quote
from html import escape
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from digest.clean import ELLIPSIS, clean_line, cut_clusters, cut_words
from digest.markdown import story_headlines, without_health
from digest.select import Week, bangkok_time
from thaidigest.config import SMTP_SECURITY, config_path, list_id_problem, toml_value, weeks_kept
from thaidigest.locks import LockHeld, LockState, acquire, kept, lock_states, release, this_process
from thaidigest.mailboxes import header_mailbox
from thaidigest.network_errors import socket_reason
from thaidigest.options import SettingsError
from thaidigest.plural import counted
from thaidigest.redact import redact, redact_reply
from thaidigest.store import Store, deliveries, iso, locks, parse_iso, undelivered, utc_now
from thaidigest.urls import RECIPIENT_FIELD, ascii_domain, unsubscribe_uri

SMTP_TIMEOUT = 30  # seconds the server is given to connect, and then to answer each command
# A claim outlives any one send (a few SMTP_TIMEOUTs); one older is a hung run's, taken over.
CLAIM_TTL = timedelta(minutes=10)
# The locks digest runs hold while they mail, one a run: "mailing TOKEN" (:func:`mailing`).
MAILING = "mailing "
# How long status takes a live run's mailing lock for a run mailing: one that holds it
# longer is stalled (suspended, stopped in a debugger), and its weeks are judged again.
MAILING_TRUSTED = timedelta(hours=1)
logger = logging.getLogger(__name__)
# Submission over implicit TLS (RFC 8314): a client that waits for a plain greeting there
# gets none, so this port without a word on security means "tls".
IMPLICIT_TLS_PORT = 465
# The submission port (RFC 6409), the default: its server greets in plain text and
# upgrades with STARTTLS, so a client that opens with TLS there gets no answer it reads.
SUBMISSION_PORT = 587
# How the text and HTML parts travel: Thai takes 3 bytes a character in UTF-8, which
# quoted-printable, the email package's choice, writes as 9 (=E0=B8=94), base64 as 4.
BODY_ENCODING = "base64"
# The values of the older ``starttls`` setting that agree with each ``security``.
STARTTLS_AGREES = {"starttls": (True,), "tls": (False,), "none": (False,)}
LIST_LABEL = "thaidigest"  # the List-Id's name under the sender's domain, unless set
# A subject's headline at most, its ellipsis aside: about what an inbox's column shows.
SUBJECT_HEADLINE_CHARS = 60
ASCII_ELLIPSIS = "..."  # a cut headline's ellipsis in a subject otherwise ASCII
MAIN_END = "</main>\n"  # where the digest ends in its page, before the mail's footer
# smtplib's errors whose message is its own words, never the server's.
OWN_WORDS = (smtplib.SMTPNotSupportedError, smtplib.SMTPServerDisconnected)
# What smtplib writes before the server's last answer into one of its own errors (the
# only one of its messages that quotes the server: "Server AUTH mechanism infinite loop").
LAST_RESPONSE = "Last response: "


class MailError(RuntimeError):
    """The digest could not be mailed to every recipient. ``report``: who got it in the
    send that failed, and who had it already (none when the send never began)."""

    def __init__(self, message: str, report: MailReport | None = None) -> None:
        super().__init__(message)
        self.report = report or MailReport((), ())


NO_RECIPIENTS = "no recipients: set email.recipients in the configuration"
NO_SENDER = "no sender: set email.sender in the configuration, the address the digest comes from"


def _no_password(settings: Mapping[str, Any]) -> str:
    return f"email.username is set but ${settings['password_env']} holds no password"


def _unsendable_login(settings: Mapping[str, Any], password: str | None) -> str | None:
    """Why the login cannot be sent, or None: smtplib sends a login (AUTH PLAIN, LOGIN,
    CRAM-MD5) in ASCII only, so a username or password with another character would stop
    every mailing with Python's encoding error, which names the password's character."""
    username = settings["username"]
    if username and not username.isascii():
        return (
            f"email.username = {toml_value(username)} holds a character other than ASCII, "
            "which an SMTP login cannot send: use the server's ASCII login name"
        )
    if username and password and not password.isascii():
        return (
            f"${settings['password_env']} holds a character other than ASCII, which an SMTP "
            "login cannot send: use a password of ASCII characters (an app password)"
        )
    return None


def settings_problem(
    settings: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> str | None:
    """What in the ``[email]`` settings stops any digest from being mailed, or None.

    The daemon asks when it starts (and ``status`` and ``schedule`` when asked), so a
    mistake is found then, not by Monday's digest; the server itself is not asked.
    """
    if not settings["recipients"]:
        return NO_RECIPIENTS
    if same := same_mailboxes(settings["recipients"]):
        first, again = (toml_value(recipient) for recipient in same)
        return f"email.recipients: {first} and {again} are one mailbox: list it once"
    if stray := not_recipient(settings):
        return (
            f"email.operators: {toml_value(stray)} is not one of email.recipients: "
            "list it there too (operators are the recipients who also get the source health)"
        )
    if settings["username"] and not environ.get(settings["password_env"]):
        return _no_password(settings)
    if unsendable := _unsendable_login(settings, environ.get(settings["password_env"])):
        return unsendable
    try:
        smtp_security(settings)
    except MailError as error:
        return str(error)
    if not settings["sender"]:
        return NO_SENDER
    return None


def refuse_unmailable(config: Mapping[str, Any], config_file: str | None) -> None:
    """Refuse ``[email]`` settings that cannot mail a digest (:func:`settings_problem`):
    one line naming the settings file, exit status 2, before a command that would mail
    does anything (``digest`` with mail on, and ``run``, ``schedule`` and ``status`` when
    the schedule mails), not an error once the digest is written or on Monday."""
    problem = settings_problem(config["email"])
    if problem:
        raise SettingsError(f"{config_path(config_file) or 'the settings'}: {problem}")


def smtp_port(settings: Mapping[str, Any]) -> int:
    """The port the server is reached on: ``email.port``, else :data:`SUBMISSION_PORT`."""
    port = settings["port"]
    return SUBMISSION_PORT if port is None else int(port)


def smtp_security(settings: Mapping[str, Any]) -> str:
    """How the server is reached, one of :data:`SMTP_SECURITY`: ``email.security`` when
    set, else the older ``email.starttls`` as it always meant (true: "starttls", false:
    "none"), else "tls" on :data:`IMPLICIT_TLS_PORT` and "starttls" on any other port.

    A :class:`MailError` for an unknown value, and for a ``starttls`` that contradicts
    ``security``: which of the two the user meant is not for us to guess. So too for
    ``starttls`` on :data:`IMPLICIT_TLS_PORT` with no ``security``, true (STARTTLS) or
    false (plain text): the server would wait for TLS and the client for its greeting
    until the first mail timed out, days after the file was written. A server that does
    upgrade on that port, or take plain text there, is said so by ``security``
    (``"starttls"``, ``"none"``). And for ``security = "tls"`` on
    :data:`SUBMISSION_PORT`, the default port, which a user who said only "tls" keeps:
    the first mail would fail with an SSL error."""
    security, starttls = settings["security"], settings["starttls"]
    port = smtp_port(settings)
    implicit_tls_port = port == IMPLICIT_TLS_PORT
    if security is None:
        if starttls is not None and implicit_tls_port:
            raise MailError(
                f"email.starttls = {str(starttls).lower()} contradicts "
                f"email.port = {IMPLICIT_TLS_PORT}, where "
                "the server speaks TLS from the first byte: remove email.starttls "
                f'(port {IMPLICIT_TLS_PORT} then means email.security = "tls")'
            )
        if starttls is not None:
            return "starttls" if starttls else "none"
        return "tls" if implicit_tls_port else "starttls"
    if security not in SMTP_SECURITY:
        raise MailError(
            f"email.security must be one of {', '.join(SMTP_SECURITY)}, not {toml_value(security)}"
        )
    if starttls is not None and starttls not in STARTTLS_AGREES[security]:
        raise MailError(
            f"email.starttls = {str(starttls).lower()} contradicts "
            f'email.security = "{security}": remove email.starttls, which it replaces'
        )
    if security == "tls" and port == SUBMISSION_PORT:
        unset = " (the default)" if settings["port"] is None else ""
        raise MailError(
            f'email.security = "tls" contradicts email.port = {SUBMISSION_PORT}{unset}, '
            "where the server greets in plain text and upgrades with STARTTLS: set "
            f"email.port = {IMPLICIT_TLS_PORT}, or the TLS port your provider gives"
        )
    return security


def _failure(
    error: OSError | smtplib.SMTPException, timeout: float, secrets: Iterable[str | None]
) -> str:
    """Why a send failed, in words: an untrusted certificate said as such, a refused login
    and any other refusal as the server answered, ``secrets`` out of it (:func:`_answer`), a
    network or TLS error as a crawl says it (:func:`thaidigest.network_errors.socket_reason`),
    a server that did not answer with the ``timeout`` it was given; any other error in its
    own message, which smtplib may write the server's last answer into (``Server AUTH
    mechanism infinite loop. Last response: (334, b'…')``), so ``secrets`` out of that
    answer too (:data:`LAST_RESPONSE`); its other messages are its own words."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted: {error.verify_message}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"login refused: {_answer(error, secrets)}"
    if isinstance(error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)):
        return _answer(error, secrets)
    if isinstance(error, OSError) and (reason := socket_reason(error, timeout=timeout)):
        return reason
    message = str(error) or type(error).__name__
    if isinstance(error, OWN_WORDS) or not isinstance(error, smtplib.SMTPException):
        return message
    own, quoting, reply = message.partition(LAST_RESPONSE)
    return f"{own}{quoting}{redact_reply(reply, secrets)}" if quoting else message


def _answer(
    error: smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException,
    secrets: Iterable[str | None],
) -> str:
    """The server's answer to a refused message or command as it wrote it (``550 5.1.1 no
    such mailbox``), not Python's view of it (``{'b@example.org': (550, b'5.1.1 no such…')}``,
    ``(535, b'5.7.8 …')``), with ``secrets`` masked, or withheld but for its status codes
    when one is too short to mask (:func:`thaidigest.redact.redact_reply`)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), ("", b""))
    else:
        code, message = error.smtp_code, error.smtp_error
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return redact_reply(f"{code} {text}".strip(), secrets)


@dataclass(frozen=True)
class MailReport:
    """Who got the week's digest in this run, and who had it already."""

    sent: tuple[str, ...]
    skipped: tuple[str, ...]


class _Folded(str):
    """A header that :class:`email.header.Header` folds: ASCII at its spaces, anything else
    as RFC 2047 encoded words.

    The folder of :data:`email.policy.default` (Python 3.11) ends a line with the space
    before an encoded word and starts the next with one more, so a client unfolds
    ``week 2026-W48  (23–29 November 2026)``; and it writes an ASCII word longer than a
    line, a web address, as encoded words, which a client decodes in a Subject but not in
    ``List-Unsubscribe: =?utf-8?q?=3Chttps=3A//…?=``, no address to it. Here such a word
    goes on a line of its own, as long as it is (RFC 5322 allows 998 characters). A value
    with a ``name`` is a header object to the policy, which then asks it to fold itself.
    """

    name: str
    parts: tuple[str, ...]

    def __new__(cls, name: str, *parts: str) -> _Folded:
        folded = super().__new__(cls, " ".join(parts))
        folded.name = name
        folded.parts = parts
        return folded

    def fold(self, *, policy: EmailPolicy) -> str:
        header = Header(maxlinelen=policy.max_line_length, header_name=self.name)
        for part in self.parts:
            header.append(part)
        value = header.encode(splitchars=" ", linesep=policy.linesep)
        return f"{self.name}: {value}{policy.linesep}"


class _Verbatim(str):
    """A header in ASCII written on one line as it is: an address a client reads between
    ``<`` and ``>``, which neither an encoded word (:class:`_Folded`) nor a fold may
    break (the settings check keeps it within a line's 998 characters)."""

    name: str

    def __new__(cls, name: str, value: str) -> _Verbatim:
        verbatim = super().__new__(cls, value)
        verbatim.name = name
        return verbatim

    def fold(self, *, policy: EmailPolicy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def list_id(settings: Mapping[str, Any], sender: Address) -> str | None:
    """The digest's List-Id (RFC 2919): ``email.list_id``, else ``thaidigest.`` and the
    sender's domain (in IDNA, lower case), a name under a domain its operator holds; None
    for a sender at an address literal (``digest@[192.0.2.1]``), which has no domain to
    name it under (:func:`thaidigest.config.list_id_problem`)."""
    if settings["list_id"]:
        return settings["list_id"]
    under_sender = f"{LIST_LABEL}.{sender.domain.lower()}"
    return None if list_id_problem(under_sender) else under_sender


def list_headers(
    settings: Mapping[str, Any], sender: Address, list_name: str | None, recipient: Address
) -> dict[str, str]:
    """The headers that make the digest ``recipient`` gets a list's mail: ``List-Id``
    (described by ``list_name``, the digest's title, when given), when it has one
    (:func:`list_id`); ``List-Unsubscribe``
    (RFC 2369) with ``email.unsubscribe`` when set
    (:func:`thaidigest.urls.unsubscribe_uri`), never a
    made-up address, and ``List-Unsubscribe-Post`` (RFC 8058), which lets a mail client
    unsubscribe in one click with a POST to it instead of opening a page, for an https
    one that names the recipient (:data:`RECIPIENT_FIELD`): a POST to an address the same
    for everyone could not say whom to unsubscribe, and the click would do nothing."""
    headers: dict[str, str] = {}
    if identity := list_id(settings, sender):
        if list_name is None:
            headers["List-Id"] = _Folded("List-Id", f"<{identity}>")
        elif list_name.isascii():
            headers["List-Id"] = _Folded("List-Id", f'"{quote(list_name)}"', f"<{identity}>")
        else:  # as RFC 2047 encoded words, which a phrase may hold
            headers["List-Id"] = _Folded("List-Id", list_name, f"<{identity}>")
    if uri := unsubscribe_address(settings, recipient):
        headers["List-Unsubscribe"] = _Verbatim("List-Unsubscribe", f"<{uri}>")
        if uri.lower().startswith("https:") and RECIPIENT_FIELD in settings["unsubscribe"]:
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def unsubscribe_address(settings: Mapping[str, Any], recipient: Address) -> str | None:
    """The address ``recipient`` unsubscribes at: ``email.unsubscribe`` for its bare address
    (:func:`thaidigest.urls.unsubscribe_uri`), None when unset."""
    if not settings["unsubscribe"]:
        return None
    return unsubscribe_uri(settings["unsubscribe"], recipient.addr_spec)


def footer_lines(
    links: Sequence[tuple[str, str]], unsubscribe: str | None
) -> list[tuple[str, str]]:
    """What a mail of the digest ends with, (label, address) a line: ``links``, the week's
    page and the feeds on the web, then ``Unsubscribe`` and the address
    :func:`unsubscribe_address` gives the recipient, when set."""
    return [*links, *([("Unsubscribe", unsubscribe)] if unsubscribe else [])]


def with_text_footer(text: str, lines: Sequence[tuple[str, str]]) -> str:
    """The text part ``text`` and, after the signature separator (``-- ``, which a mail
    client shows as the mail's end), each of ``lines`` as ``label: <address>``, the way
    the text part writes an address (:func:`digest.markdown.markdown_to_text`)."""
    if not lines:
        return text
    return text + "\n-- \n" + "".join(f"{label}: <{address}>\n" for label, address in lines)


def with_html_footer(page: str, lines: Sequence[tuple[str, str]]) -> str:
    """The mail's page ``page`` (:func:`digest.publish.mail_page`) with ``lines`` in a
    ``<footer>`` after its ``<main>``, inside the body that says it is English, each
    address a link. ValueError for a page without ``</main>``: a change of its layout
    (:func:`digest.archive.render_digest_page`), not a footer put outside the page."""
    if not lines:
        return page
    if MAIN_END not in page:
        raise ValueError(f"the mail's page has no {MAIN_END.strip()} to put its footer after")
    links = "<br>\n".join(
        f'{escape(label)}: <a href="{escape(address)}">{escape(address)}</a>'
        for label, address in lines
    )
    before, main_end, after = page.rpartition(MAIN_END)
    return f"{before}{main_end}<footer>\n<p>{links}</p>\n</footer>\n{after}"


def not_over(week: Week) -> str:
    """Why ``week``'s digest is not mailed before the week ends: a digest mailed then would
    be partial, and, recorded as delivered, keep the complete one from being mailed."""
    return f"digest {week} is not over until {bangkok_time(week.end())}"


def _shortened(headline: str, after: str) -> str:
    """``headline`` when it has at most :data:`SUBJECT_HEADLINE_CHARS` characters, else its
    start and an ellipsis, cut between words (:func:`digest.clean.cut_words`): at a space,
    or, when that keeps less than half of it (a long Thai phrase after a short one), between
    the words the Thai word cutter finds in the whole line; when that too keeps less than
    half (a word longer than half, a ministry's name, a web address), between two Thai
    character clusters, or where a letter starts (:func:`digest.clean.cut_clusters`). The
    ellipsis is :data:`ASCII_ELLIPSIS` when the start kept and ``after``, the rest of the
    subject, are ASCII: the subject stays ASCII, which its header carries as it is, where
    one character outside ASCII would make it all encoded words."""
    if len(headline) <= SUBJECT_HEADLINE_CHARS:
        return headline
    half = SUBJECT_HEADLINE_CHARS // 2
    kept = cut_words(headline, SUBJECT_HEADLINE_CHARS, at_least=half).rstrip()
    if len(kept) < half:
        kept = cut_clusters(headline, SUBJECT_HEADLINE_CHARS).rstrip()
    return kept + (ASCII_ELLIPSIS if f"{kept}{after}".isascii() else ELLIPSIS)


def mail_subject(title: str, week: Week, markdown: str) -> str:
    """The Subject of ``week``'s digest, its ``markdown``, that leads with its news: the
    first story's headline, shortened (:func:`_shortened`), and how many more; then
    ``title`` and the week, which a search or a thread finds it by: ``ดีอี ร่วมประชุม
    APEC 2024 and 4 more stories | thaidigest, week 2024-W34``. A week without a story
    says so: ``No relevant stories | …``."""
    where = f"{title}, week {week}"
    headlines = story_headlines(markdown)
    if not headlines:
        return clean_line(f"No relevant stories | {where}")
    more = len(headlines) - 1
    rest = f" and {counted(more, 'more story', 'more stories')}" if more else ""
    rest += f" | {where}"
    return clean_line(_shortened(clean_line(headlines[0]), rest) + rest)


def mailbox(value: str) -> Address:
    """The mailbox a setting names, ``team@example.org`` or ``Team <team@example.org>``
    (one :func:`thaidigest.config.mail_address_problem` accepts): its bare address
    (``addr_spec``) goes in the envelope, which takes no display name, and the whole in a
    header, where the policy writes a name in Thai as RFC 2047 encoded words. A domain in
    Thai (``ตัวอย่าง.ไทย``) is given in its IDNA form (``xn--72c1a1bt4awk9o.xn--o3cw4h``),
    which every server takes, in the envelope and the header alike
    (:func:`thaidigest.urls.ascii_domain`); the local part is ASCII already. ValueError when
    the header parser reads no one mailbox in ``value``
    (:func:`thaidigest.mailboxes.header_mailbox`) or its domain has no IDNA form."""
    address = header_mailbox(value)
    if address is None:
        raise ValueError(f"not one mailbox: {value!r}")
    return Address(
        display_name=address.display_name,
        username=address.username,
        domain=ascii_domain(address.domain),
    )


def build_message(
    *,
    sender: Address,
    recipient: Address,
    subject: str,
    text: str,
    html: str,
    sent: datetime,
    headers: Mapping[str, str],
) -> EmailMessage:
    """A multipart/alternative UTF-8 message: ``text`` first, ``html`` preferred, with
    ``headers`` besides (:func:`list_headers`).

    It says it is ``Auto-Submitted: auto-generated`` (RFC 3834), so a recipient's
    out-of-office reply, or any other automatic answer, is not sent back to it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = _Folded("Subject", subject)
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message["Auto-Submitted"] = "auto-generated"
    for name, value in headers.items():
        message[name] = value
    message.set_content(text, subtype="plain", charset="utf-8", cte=BODY_ENCODING)
    message.add_alternative(html, subtype="html", charset="utf-8", cte=BODY_ENCODING)
    return message


def mailbox_key(value: str) -> str:
    """The mailbox a setting names, as the ``deliveries`` and ``undelivered`` tables and
    the claims know it: its bare address, domain in IDNA, all in lower case, so
    ``Team <team@example.org>`` and ``TEAM@Example.org`` are one mailbox, mailed once.

    RFC 5321 lets a server tell local parts apart by case, but no mail provider does,
    and RFC 5321 itself advises against it: two settings differing only there are a
    person listed twice, who would get each digest twice. The envelope still carries
    the local part as written."""
    return mailbox(value).addr_spec.lower()


def _stored_key(recipient: str) -> str:
    """The :func:`mailbox_key` of a ``deliveries`` or ``undelivered`` row's recipient: a
    database from before the keys holds the setting as written (``Team <team@example.org>``),
    which must still count, or an upgrade would mail every recipient again."""
    try:
        return mailbox_key(recipient)
    except ValueError:  # no address as the settings are checked now: its own key
        return recipient


def same_mailboxes(recipients: Sequence[str]) -> tuple[str, str] | None:
    """The first two of ``recipients`` that name one mailbox (:func:`mailbox_key`), or None."""
    seen: dict[str, str] = {}
    for recipient in recipients:
        key = mailbox_key(recipient)
        if key in seen:
            return seen[key], recipient
        seen[key] = recipient
    return None


def not_recipient(settings: Mapping[str, Any]) -> str | None:
    """The first of ``email.operators`` whose mailbox is none of ``email.recipients``, or
    None: an operator is a recipient who gets the source health too, never a recipient
    of its own, whom the weeks owed (:func:`owed`) would not know."""
    keys = {mailbox_key(recipient) for recipient in settings["recipients"]}
    return next((name for name in settings["operators"] if mailbox_key(name) not in keys), None)


@dataclass(frozen=True)
class Edition:
    """The text of a week's digest that ``recipients`` get: ``markdown``, its Markdown."""

    recipients: tuple[str, ...]
    markdown: str


@dataclass(frozen=True)
class Body:
    """What ``recipients`` are mailed of a week's digest: ``text``, its text/plain part, and
    ``html``, its text/html part."""

    recipients: tuple[str, ...]
    text: str
    html: str


def editions(
    recipients: Sequence[str],
    operators: Sequence[str],
    markdown: str,
    coverage: str | None = None,
) -> list[Edition]:
    """Who of ``recipients`` gets which text of a week's digest ``markdown``. With
    ``operators`` (``email.operators``), those who run the crawls: they get it whole, and
    the others, readers who can do nothing about a failing site, without its Source health
    but with ``coverage``, which says what sites could not be read, when given
    (:func:`digest.markdown.without_health`); each text to those who get it, none to
    nobody. Without, everyone gets it whole, as no one is known to run the crawls and a
    failing site must not go unseen. Each recipient is in one edition, so a week is still
    mailed, recorded and owed once to each."""
    if not operators:
        return [Edition(tuple(recipients), markdown)]
    running = {mailbox_key(operator) for operator in operators}
    whole = tuple(recipient for recipient in recipients if mailbox_key(recipient) in running)
    rest = tuple(recipient for recipient in recipients if mailbox_key(recipient) not in running)
    chosen = [Edition(whole, markdown), Edition(rest, without_health(markdown, coverage))]
    return [edition for edition in chosen if edition.recipients]


def oldest_mailed(now: datetime, config: Mapping[str, Any]) -> Week:
    """The oldest week a run at ``now`` mails when it is owed
    (:func:`thaidigest.config.weeks_kept`); one owed from before it is written off, unless
    the run builds it (``--week``)."""
    return Week.last_complete(now).shift(1 - weeks_kept(config))


@contextmanager
def mailing(store: Store) -> Iterator[None]:
    """Hold this run's lock of :data:`MAILING` while the block runs, renewed, so
    ``thaidigest status`` tells the weeks it is mailing from weeks no run mails
    (:func:`runs_mailing`). Each run has its own, named by its holder's token: two runs
    may mail at once, their claims (:func:`claim_name`) keeping them from mailing a
    recipient twice. The locks runs killed while mailing left behind are removed: no
    process takes their names again."""
    with store.engine.connect() as conn:
        found = lock_states(conn, MAILING, utc_now())
    gone = [name for name, state in found.items() if not state.kept]
    if gone:
        with store.transaction() as conn:
            conn.execute(delete(locks).where(locks.c.name.in_(gone)))
    name = f"{MAILING}{this_process().token}"
    acquire(store, name, CLAIM_TTL)
    try:
        with kept(store, [name], CLAIM_TTL):
            yield
    finally:
        release(store, name)


def runs_mailing(conn: Connection, now: datetime) -> list[LockState]:
    """The digest runs mailing at ``now`` (:func:`mailing`), read on ``conn``, the earliest
    first; not one killed while it mailed, whose lock stays behind, nor one mailing for
    longer than :data:`MAILING_TRUSTED`, which is stalled."""
    running = [
        state
        for state in lock_states(conn, MAILING, now).values()
        if state.kept and now - parse_iso(state.since) <= MAILING_TRUSTED
    ]
    return sorted(running, key=lambda state: state.since)


def claim_name(week: Week, recipient: str) -> str:
    """The lock a run holds while it mails ``week`` to ``recipient``'s mailbox."""
    return f"mail {week} {mailbox_key(recipient)}"


def delivered(store: Store, week: Week) -> set[str]:
    """The mailboxes (:func:`mailbox_key`) already sent ``week``."""
    query = select(deliveries.c.recipient).where(deliveries.c.week == str(week))
    with store.engine.connect() as conn:
        return {_stored_key(recipient) for recipient in conn.execute(query).scalars()}


@dataclass(frozen=True)
class Owed:
    """The weeks a run could not mail to some recipients, oldest first, each with those
    recipients. ``due``: within the weeks the feeds keep, still to be mailed. ``overdue``:
    older, to be written off loudly, neither mailed (a late copy is no news) nor kept
    owed (a recipient refusing for good would gain a week, and each run an SMTP session
    per week, without end)."""

    due: dict[Week, list[str]]
    overdue: dict[Week, list[str]]


def weeks_owed(store: Store, recipients: Sequence[str]) -> dict[Week, list[str]]:
    """Every week owed to some of ``recipients`` (``email.recipients``), oldest first, each
    with those it is owed to, in the order of ``recipients``. A week owed only to a mailbox
    no longer among them is not: no run mails it."""
    with store.engine.connect() as conn:
        return _weeks_owed(conn, recipients)


def _weeks_owed(conn: Connection, recipients: Sequence[str]) -> dict[Week, list[str]]:
    """:func:`weeks_owed`, read on ``conn``."""
    rows = conn.execute(select(undelivered.c.week, undelivered.c.recipient)).all()
    found: dict[str, set[str]] = {}
    for week, recipient in rows:
        found.setdefault(week, set()).add(_stored_key(recipient))
    return {
        Week.parse(week): owing
        for week in sorted(found)
        if (owing := [r for r in recipients if mailbox_key(r) in found[week]])
    }


@dataclass(frozen=True)
class MailState:
    """The digest runs mailing and the weeks owed, as of one moment (:func:`mail_state`)."""

    runs: list[LockState]  # :func:`runs_mailing`
    owed: dict[Week, list[str]]  # :func:`weeks_owed`


def mail_state(store: Store, recipients: Sequence[str], now: datetime) -> MailState:
    """The digest runs mailing at ``now`` and the weeks owed to some of ``recipients``, in
    one read (:meth:`thaidigest.store.Store.reading`), for ``thaidigest status``. A run
    takes its lock before it owes its weeks: read apart, a run starting between the two
    reads would leave its weeks owed with no run mailing them, judged as failed."""
    with store.reading() as conn:
        return MailState(runs=runs_mailing(conn, now), owed=_weeks_owed(conn, recipients))


def owed(store: Store, recipients: Sequence[str], since: Week) -> Owed:
    """The weeks owed to some of ``recipients`` (:func:`weeks_owed`): due from ``since`` on,
    overdue before it."""
    weeks = weeks_owed(store, recipients)
    return Owed(
        due={week: owing for week, owing in weeks.items() if week >= since},
        overdue={week: owing for week, owing in weeks.items() if week < since},
    )


def write_off(store: Store, week: Week, recipients: Sequence[str]) -> None:
    """Stop owing ``week`` to ``recipients``: for a week that can no longer be mailed, once
    the caller has said so where the operator sees it."""
    with store.transaction() as conn:
        _forgive(conn, week, {mailbox_key(recipient) for recipient in recipients})


def _forgive(conn: Connection, week: Week, keys: set[str]) -> None:
    """Delete the ``undelivered`` rows of ``week`` whose mailbox is one of ``keys``, those
    a database from before the keys holds as the settings were written too."""
    query = select(undelivered.c.recipient).where(undelivered.c.week == str(week))
    rows = [
        recipient for recipient in conn.execute(query).scalars() if _stored_key(recipient) in keys
    ]
    if rows:
        conn.execute(
            delete(undelivered).where(
                undelivered.c.week == str(week), undelivered.c.recipient.in_(rows)
            )
        )


def owe(store: Store, week: Week, recipients: Sequence[str]) -> None:
    """Record ``week`` as owed to ``recipients``, by mailbox: those not sent it and not
    owed it yet. Looked up in the transaction that records it, so a week another run
    sends meanwhile is either seen as sent or forgiven by that run once sent, never left
    owed to a recipient who has it."""
    with store.transaction() as conn:
        owed_to = select(undelivered.c.recipient).where(undelivered.c.week == str(week))
        sent_to = select(deliveries.c.recipient).where(deliveries.c.week == str(week))
        recorded = {
            _stored_key(recipient)
            for query in (owed_to, sent_to)
            for recipient in conn.execute(query).scalars()
        }
        keys = dict.fromkeys(mailbox_key(recipient) for recipient in recipients)
        rows = [{"week": str(week), "recipient": key} for key in keys if key not in recorded]
        if rows:
            conn.execute(insert(undelivered), rows)


@contextmanager
def _claim(store: Store, week: Week, recipient: str, now: datetime) -> Iterator[bool]:
    """Claim ``week`` for ``recipient`` while the block runs, then give the claim back,
    sent or not; True when this run is to send it: no other run holds the claim, and
    none has sent it since this run looked (it may have ended meanwhile)."""
    name = claim_name(week, recipient)
    try:
        acquire(store, name, CLAIM_TTL, now)
    except LockHeld:  # another run is mailing it now
        yield False
        return
    try:
        yield mailbox_key(recipient) not in delivered(store, week)
    finally:
        release(store, name)


def _say_goodbye(client: smtplib.SMTP) -> None:
    """End an SMTP session whatever its server answers: a QUIT answered with anything but
    221, after every message was accepted, made a delivered digest a failed one."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def send_digest(
    store: Store,
    settings: Mapping[str, Any],
    week: Week,
    *,
    subject: str,
    bodies: Sequence[Body],
    list_name: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    environ: Mapping[str, str] = os.environ,
    clock: Callable[[], datetime] = utc_now,
    tls: ssl.SSLContext | None = None,
    timeout: float = SMTP_TIMEOUT,
) -> MailReport:
    """Mail the week's digest to every recipient of ``bodies`` not yet sent it, each its
    body's text and page, in one SMTP session; every one of them is owed it from before
    the session opens until its send succeeds, so a run that dies in the middle (killed,
    or a database error) leaves the week owed to whoever it did not record as sent. Its
    List-Id is described by ``list_name``, the digest's title (:func:`list_headers`). Each
    mail ends with ``links``, (label, address) of the week's page and the feeds on the web,
    and the recipient's own unsubscribe address, when set (:func:`footer_lines`).

    Over TLS the server's certificate is checked against ``tls`` (default: the
    system's certificate authorities, :func:`ssl.create_default_context`). The server
    is given ``timeout`` seconds to connect, and then to answer each command; a send
    that outran it says so (``timed out after 30 s``).

    A week not over at ``clock()`` is refused (:class:`MailError`) before anything is
    sent, owed or recorded."""
    if not week.is_over(clock()):
        raise MailError(f"{not_over(week)}: not mailed")
    by_mailbox: dict[str, str] = {}  # the first spelling of each mailbox
    body_of: dict[str, Body] = {}  # each mailbox's body: the first that lists it
    for body in bodies:
        for recipient in body.recipients:
            by_mailbox.setdefault(mailbox_key(recipient), recipient)
            body_of.setdefault(mailbox_key(recipient), body)
    if not by_mailbox:
        raise MailError(NO_RECIPIENTS)
    if not settings["sender"]:
        raise MailError(NO_SENDER)
    done = delivered(store, week)
    pending = [recipient for key, recipient in by_mailbox.items() if key not in done]
    skipped = [recipient for key, recipient in by_mailbox.items() if key in done]
    if not pending:
        return MailReport((), tuple(skipped))
    owe(store, week, pending)
    username = settings["username"]
    password = environ.get(settings["password_env"]) if username else None
    if username and not password:
        raise MailError(_no_password(settings))
    if unsendable := _unsendable_login(settings, password):
        raise MailError(unsendable)
    security = smtp_security(settings)
    context = tls or ssl.create_default_context()
    server = f"{settings['host']}:{smtp_port(settings)}"
    sender = mailbox(settings["sender"])
    sent: list[str] = []
    failed: dict[str, str] = {}
    try:
        address = (settings["host"], smtp_port(settings))
        if security == "tls":
            client = smtplib.SMTP_SSL(*address, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(*address, timeout=timeout)
        try:
            client.ehlo()
            if security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if username:
                client.login(username, password)
            for recipient in pending:
                with _claim(store, week, recipient, clock()) as ours:
                    if not ours:
                        skipped.append(recipient)
                        continue
                    body = body_of[mailbox_key(recipient)]
                    footer = footer_lines(links, unsubscribe_address(settings, mailbox(recipient)))
                    message = build_message(
                        sender=sender,
                        recipient=mailbox(recipient),
                        subject=subject,
                        text=with_text_footer(body.text, footer),
                        html=with_html_footer(body.html, footer),
                        sent=clock(),
                        headers=list_headers(settings, sender, list_name, mailbox(recipient)),
                    )
                    try:
                        client.send_message(
                            message, sender.addr_spec, [mailbox(recipient).addr_spec]
                        )
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                        failed[recipient] = _answer(error, [password])
                        if client.sock is None:  # closed on a 421: no one else is tried
                            break
                        continue
                    key = mailbox_key(recipient)
                    with store.transaction() as conn:
                        conn.execute(
                            insert(deliveries).values(
                                week=str(week), recipient=key, sent_at=iso(clock())
                            )
                        )
                        _forgive(conn, week, {key})
                sent.append(recipient)
                logger.info("mailed digest %s to %s", week, recipient)
        finally:
            _say_goodbye(client)
    except (OSError, smtplib.SMTPException) as error:
        # All of it masked, as a net: a password long enough to mask is masked anywhere.
        reason = redact(_failure(error, timeout, [password]), [password])
        left = ", ".join(
            r for r in pending if r not in sent and r not in skipped and r not in failed
        )
        # Those refused before the session failed, each for its own reason, said too.
        refused = "".join(f"; {recipient}: {why}" for recipient, why in failed.items())
        raise MailError(
            f"mailing digest {week} through {server} failed after {len(sent)} of "
            f"{counted(len(pending), 'recipient')}: {reason} ({left} not mailed){refused}",
            MailReport(tuple(sent), tuple(skipped)),
        ) from None
    if failed:
        reasons = [f"{recipient}: {reason}" for recipient, reason in failed.items()]
        untried = [r for r in pending if r not in sent and r not in skipped and r not in failed]
        if untried:
            reasons.append(
                f"{', '.join(untried)}: not tried, as the server closed the connection "
                f"when it refused {next(reversed(failed))}"
            )
        raise MailError(
            f"digest {week} not mailed to "
            f"{counted(len(failed) + len(untried), 'recipient')}: {'; '.join(reasons)}",
            MailReport(tuple(sent), tuple(skipped)),
        )
    return MailReport(tuple(sent), tuple(skipped))
