import base64
import binascii
import contextlib
import ipaddress
import logging
import re
import smtplib
import socket
import socketserver
import ssl
import threading
import unicodedata
from email import message_from_bytes, policy
from urllib.parse import quote

import lxml.html
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import insert, select

from digest.mail import (
    SUBJECT_HEADLINE_CHARS,
    Body,
    Edition,
    MailError,
    Owed,
    _failure,
    editions,
    mail_subject,
    owe,
    owed,
    send_digest,
    settings_problem,
    smtp_security,
    weeks_owed,
    with_html_footer,
    write_off,
)
from digest.publish import build_digest, mail_links
from digest.select import Week
from tests.certificates import self_signed
from tests.digest import article, at, ingest, mark, settings
from thaidigest.config import ConfigError, load_config, toml_value
from thaidigest.redact import MASK, WITHHELD
from thaidigest.store import deliveries, locks, undelivered

W34 = Week(2024, 34)
PASSWORD = "s3cret-Pa55"


class Inbox:
    """An SMTP handler that keeps what it accepts and refuses the addresses in ``refuse``."""

    def __init__(self):
        self.messages = []
        self.senders = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        self.senders.append(envelope.mail_from)
        return "250 Message accepted"


class LoopbackController(Controller):
    """aiosmtpd's threaded controller, bound to a free port (port 0)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def accept_digest_login(server, session, envelope, mechanism, auth_data):
    valid = (auth_data.login, auth_data.password) == (b"digest", PASSWORD.encode())
    # handled=False: the server answers 535 itself on a refusal.
    return AuthResult(success=valid, handled=False)


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def login_inbox():
    handler = Inbox()
    controller = LoopbackController(
        handler,
        hostname="127.0.0.1",
        port=0,
        authenticator=accept_digest_login,
        auth_require_tls=False,
    )
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def built(store, tmp_path):
    raw = article(1, "ดีอี ร่วมประชุม APEC 2024", "เนื้อหาข่าว ย่อหน้าแรก")
    ingest(store, [raw], "2024-08-20T03:00")
    mark(store, raw, topics=["apec"])
    return build_digest(store, tmp_path / "public", W34, settings())


def mail_settings(port, recipients, **changes):
    return {
        **settings()["email"],
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "sender": "digest@example.org",
        "recipients": recipients,
        **changes,
    }


def send(store, built, mail, recipients=None, environ=None, **options):
    return send_digest(
        store,
        mail,
        W34,
        subject="thaidigest: week 2024-W34",
        bodies=[Body(tuple(recipients or mail["recipients"]), built.markdown, built.html)],
        environ=environ or {},
        clock=lambda: at("2024-08-26T01:00"),
        **options,
    )


def recorded(store):
    with store.engine.connect() as conn:
        return set(conn.execute(select(deliveries.c.week, deliveries.c.recipient)))


def test_digest_arrives_as_markdown_and_html_alternatives_once(store, built, inbox):
    mail = mail_settings(inbox.port, ["a@example.org", "b@example.org"])
    report = send(store, built, mail)
    assert report.sent == ("a@example.org", "b@example.org") and report.skipped == ()
    assert [rcpt for rcpt, _ in inbox.messages] == [["a@example.org"], ["b@example.org"]]
    message = message_from_bytes(inbox.messages[0][1], policy=policy.default)
    assert message["Subject"] == "thaidigest: week 2024-W34"
    assert message["To"] == "a@example.org"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and text.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n") == built.markdown
    assert html.get_content_type() == "text/html" and html.get_content_charset() == "utf-8"
    assert '<h3 lang="th"><a href=' in html.get_content()
    assert "ดีอี ร่วมประชุม APEC 2024" in html.get_content()
    assert recorded(store) == {("2024-W34", "a@example.org"), ("2024-W34", "b@example.org")}

    again = send(store, built, mail)
    assert again.sent == () and again.skipped == ("a@example.org", "b@example.org")
    assert len(inbox.messages) == 2


def test_the_mails_styles_write_their_colours_out_for_mail_clients(store, built, inbox):
    """The links' colour was a custom property, ``var(--accent)``, which Gmail and
    Outlook drop: links lost their colour, in light and dark mode alike."""
    send(store, built, mail_settings(inbox.port, ["a@example.org"]))
    _, html = message_from_bytes(inbox.messages[0][1], policy=policy.default).iter_parts()
    page = lxml.html.document_fromstring(html.get_content())
    styles = [*page.xpath("//style/text()"), *page.xpath("//@style")]
    assert styles and not [style for style in styles if "var(" in style]
    css = "".join(styles)
    link_colours = re.findall(r"(?:^|[\s}])a \{[^}]*color: (#[0-9a-f]{6})", css)
    assert len(link_colours) == 2  # light, then dark (prefers-color-scheme)


@pytest.fixture(params=[False, True], ids=["plain-server", "smtputf8-server"])
def any_inbox(request):
    """An inbox on a server without SMTPUTF8 (most relays), then on one with it."""
    handler = Inbox()
    controller = LoopbackController(
        handler, hostname="127.0.0.1", port=0, enable_SMTPUTF8=request.param
    )
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def test_thai_display_names_go_in_encoded_words_and_the_envelope_takes_bare_addresses(
    store, built, any_inbox
):
    """The whole "Name <address>" went in the envelope: a server without SMTPUTF8 refused
    every send, and one with it got the names in the headers as raw UTF-8."""
    mail = mail_settings(
        any_inbox.port,
        ["ทีมงาน <team2@example.org>"],
        sender="ไทยไดเจสต์ <digest@example.org>",
    )
    assert send(store, built, mail).sent == ("ทีมงาน <team2@example.org>",)
    ((rcpt, raw),) = any_inbox.messages
    assert rcpt == ["team2@example.org"] and any_inbox.senders == ["digest@example.org"]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head
    message = message_from_bytes(raw, policy=policy.default)
    assert message.defects == [] and all(part.defects == [] for part in message.walk())
    for name in ("From", "To", "Message-ID", "Subject"):
        assert message[name].defects == (), name
    (sender,), (recipient,) = message["From"].addresses, message["To"].addresses
    assert (sender.display_name, sender.addr_spec) == ("ไทยไดเจสต์", "digest@example.org")
    assert (recipient.display_name, recipient.addr_spec) == ("ทีมงาน", "team2@example.org")
    assert message["Message-ID"].endswith("@example.org>")


def test_a_thai_domain_is_mailed_in_its_idna_form(store, built, inbox):
    """The domain went out in Thai script: a server without SMTPUTF8 refused the send."""
    mail = mail_settings(inbox.port, ["ทีม <team@ตัวอย่าง.ไทย>"], sender="digest@ตัวอย่าง.ไทย")
    assert send(store, built, mail).sent == ("ทีม <team@ตัวอย่าง.ไทย>",)
    ((rcpt, raw),) = inbox.messages
    assert rcpt == ["team@xn--72c1a1bt4awk9o.xn--o3cw4h"]
    assert inbox.senders == ["digest@xn--72c1a1bt4awk9o.xn--o3cw4h"]
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "team@xn--72c1a1bt4awk9o.xn--o3cw4h"
    assert message["From"].addresses[0].addr_spec == "digest@xn--72c1a1bt4awk9o.xn--o3cw4h"
    assert message["Message-ID"].endswith("@xn--72c1a1bt4awk9o.xn--o3cw4h>")
    assert message.defects == [] and message["To"].defects == ()


def test_a_name_holding_brackets_or_a_semicolon_is_mailed_in_double_quotes(
    store, built, inbox, tmp_path
):
    """Unquoted, the header parser read ``Ops [Bangkok] <ops-bkk@example.org>`` as the
    mailbox ``Ops``: mail went to ``<Ops>``, from ``ThaiDigest``, with a Message-ID ``@>``.
    The settings check refuses it, and the value it suggests is mailed as written."""
    path = tmp_path / "thaidigest.toml"
    path.write_text("[email]\nsender = 'ThaiDigest [bot] <digest@example.org>'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match='double quotes: "ThaiDigest \\[bot\\]"'):
        load_config(path)
    sender = '"ThaiDigest [bot]" <digest@example.org>'
    recipients = ['"Ops [Bangkok]" <ops-bkk@example.org>', '"Team; Ops" <ops@example.org>']
    path.write_text(
        f"[email]\nhost = '127.0.0.1'\nport = {inbox.port}\nstarttls = false\n"
        f"sender = {toml_value(sender)}\nrecipients = {toml_value(recipients)}\n",
        encoding="utf-8",
    )
    mail = load_config(path)["email"]
    assert settings_problem(mail) is None
    assert send(store, built, mail).sent == tuple(recipients)
    assert sorted(rcpt for rcpt, _ in inbox.messages) == [
        ["ops-bkk@example.org"],
        ["ops@example.org"],
    ]
    assert inbox.senders == ["digest@example.org"] * 2
    names = set()
    for _, raw in inbox.messages:
        message = message_from_bytes(raw, policy=policy.default)
        (sender_read,), (recipient,) = message["From"].addresses, message["To"].addresses
        assert (sender_read.display_name, sender_read.addr_spec) == (
            "ThaiDigest [bot]",
            "digest@example.org",
        )
        assert message["Message-ID"].endswith("@example.org>")
        names.add((recipient.display_name, recipient.addr_spec))
    assert names == {("Ops [Bangkok]", "ops-bkk@example.org"), ("Team; Ops", "ops@example.org")}


def test_the_digest_says_it_is_automatic_so_no_out_of_office_reply_answers_it(store, built, inbox):
    send(store, built, mail_settings(inbox.port, ["a@example.org"]))
    ((_, raw),) = inbox.messages
    assert message_from_bytes(raw, policy=policy.default)["Auto-Submitted"] == "auto-generated"


def mailed_headers(store, built, inbox, mail, list_name="thaidigest: Thai news"):
    """The message ``mail`` sent through ``inbox`` as a client reads it, and its raw head."""
    send(store, built, mail, list_name=list_name)
    ((_, raw),) = inbox.messages
    head = raw.split(b"\r\n\r\n")[0].decode("ascii")
    return message_from_bytes(raw, policy=policy.default), head


def test_the_digest_is_a_list_mail_named_under_the_senders_domain(store, built, inbox):
    """A digest sent to a list of people said nothing of it: no filter could file it."""
    message, _ = mailed_headers(store, built, inbox, mail_settings(inbox.port, ["a@example.org"]))
    assert message["List-Id"] == '"thaidigest: Thai news" <thaidigest.example.org>'
    assert message["Auto-Submitted"] == "auto-generated"
    # No unsubscribe address set: none is made up.
    assert "List-Unsubscribe" not in message and "List-Unsubscribe-Post" not in message


def test_a_list_id_set_or_under_a_thai_domain_described_in_thai(store, built, inbox):
    thai = mail_settings(inbox.port, ["a@example.org"], sender="ไดเจสต์ <digest@ตัวอย่าง.ไทย>")
    title = "ข่าวความร่วมมือเศรษฐกิจดิจิทัลของไทย รายสัปดาห์ จากเว็บไซต์ของรัฐบาลไทย"
    message, head = mailed_headers(store, built, inbox, thai, list_name=title)
    assert message["List-Id"] == f"{title} <thaidigest.xn--72c1a1bt4awk9o.xn--o3cw4h>"
    assert "=?utf-8?" in head and max(map(len, head.splitlines())) <= 78
    inbox.messages.clear()
    chosen = mail_settings(inbox.port, ["b@example.org"], list_id="weekly.digest.example.org")
    message, _ = mailed_headers(store, built, inbox, chosen, list_name=None)
    assert message["List-Id"] == "<weekly.digest.example.org>"


def test_a_sender_at_an_address_literal_gives_no_list_id_but_the_one_set(store, built, inbox):
    """``thaidigest.[192.0.2.1]`` was written as the List-Id, which no filter reads."""
    literal = mail_settings(inbox.port, ["a@example.org"], sender="digest@[192.0.2.1]")
    message, _ = mailed_headers(store, built, inbox, literal)
    assert message["From"] == "digest@[192.0.2.1]" and "List-Id" not in message
    inbox.messages.clear()
    chosen = mail_settings(
        inbox.port, ["b@example.org"], sender="digest@[192.0.2.1]", list_id="digest.example.org"
    )
    message, _ = mailed_headers(store, built, inbox, chosen)
    assert message["List-Id"] == '"thaidigest: Thai news" <digest.example.org>'


LONG_UNSUBSCRIBE = "https://lists.example.org/ยกเลิก?list=thaidigest&key=" + "a1b2" * 30


def test_an_https_unsubscribe_naming_the_recipient_is_one_click_and_unencoded(store, built, inbox):
    """The policy wrote an address longer than a line as encoded words, which a client
    does not decode in List-Unsubscribe: no address to it."""
    unsubscribe = f"{LONG_UNSUBSCRIBE}&who={{recipient}}"
    mail = mail_settings(inbox.port, ["Team+AI <team+ai@example.org>"], unsubscribe=unsubscribe)
    message, head = mailed_headers(store, built, inbox, mail)
    uri = LONG_UNSUBSCRIBE.replace("ยกเลิก", quote("ยกเลิก")) + "&who=team%2Bai@example.org"
    assert f"\r\nList-Unsubscribe: <{uri}>\r\n" in head
    assert message["List-Unsubscribe"] == f"<{uri}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_https_unsubscribe_the_same_for_everyone_is_no_one_click(store, built, inbox):
    """A one-click POST to an address that does not say whom it is for unsubscribes no one."""
    mail = mail_settings(inbox.port, ["a@example.org"], unsubscribe="https://example.org/leave")
    message, _ = mailed_headers(store, built, inbox, mail)
    assert message["List-Unsubscribe"] == "<https://example.org/leave>"
    assert "List-Unsubscribe-Post" not in message


def test_a_mailto_unsubscribe_address_is_listed_without_one_click(store, built, inbox):
    """One-click unsubscribe (RFC 8058) is a POST to an https address: not for mailto."""
    unsubscribe = "mailto:leave@ตัวอย่าง.ไทย?subject=unsubscribe"
    mail = mail_settings(inbox.port, ["a@example.org"], unsubscribe=unsubscribe)
    message, _ = mailed_headers(store, built, inbox, mail)
    assert message["List-Unsubscribe"] == (
        "<mailto:leave@xn--72c1a1bt4awk9o.xn--o3cw4h?subject=unsubscribe>"
    )
    assert "List-Unsubscribe-Post" not in message


def test_a_mailto_unsubscribe_with_a_space_in_its_subject_is_taken_and_encoded(
    tmp_path, store, built, inbox
):
    """A space in the subject was refused as if the address were a named one."""
    unsubscribe = "mailto:leave@example.org?subject=leave thaidigest {recipient}"
    path = tmp_path / "thaidigest.toml"
    path.write_text(f"[email]\nunsubscribe = {toml_value(unsubscribe)}\n", encoding="utf-8")
    assert load_config(path)["email"]["unsubscribe"] == unsubscribe
    mail = mail_settings(inbox.port, ["a+b@example.org"], unsubscribe=unsubscribe)
    message, _ = mailed_headers(store, built, inbox, mail)
    assert message["List-Unsubscribe"] == (
        "<mailto:leave@example.org?subject=leave%20thaidigest%20a%2Bb@example.org>"
    )


# RFC 5321's longest address, each character of its local part one a URI holds as three.
LONGEST_RECIPIENT = f"{'+' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 57}.org"
LEAVE = "ยกเลิกการรับข่าวสาร"  # 19 Thai letters, 171 characters percent-encoded


@pytest.mark.parametrize("recipient", [LONGEST_RECIPIENT, LONGEST_RECIPIENT.replace("+", "a")])
def test_an_unsubscribe_taken_at_load_fits_a_header_line_for_any_recipient(
    tmp_path, store, built, inbox, recipient
):
    """The load check measures the header a mail carries, for the longest address a
    recipient may have, percent-encoded as long as it can be: what it takes fits a line,
    which a looser one would not."""
    unsubscribe = f"https://lists.example.org/{LEAVE * 3}?who={{recipient}}"
    path = tmp_path / "thaidigest.toml"
    path.write_text(f"[email]\nunsubscribe = {toml_value(unsubscribe)}\n", encoding="utf-8")
    assert load_config(path)["email"]["unsubscribe"] == unsubscribe
    mail = mail_settings(inbox.port, [recipient], unsubscribe=unsubscribe)
    _, head = mailed_headers(store, built, inbox, mail)
    assert len(recipient) == 254
    assert max(map(len, head.split("\r\n"))) <= 998


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("unsubscribe", "http://example.org/leave", "neither a mailto: address nor an https://"),
        ("unsubscribe", "leave@example.org", "neither a mailto: address nor an https://"),
        ("unsubscribe", "mailto:", "neither a mailto: address nor an https://"),
        ("unsubscribe", "mailto:Team <leave@example.org>", "must name a bare address"),
        ("unsubscribe", "mailto:leave", "is not a mail address"),
        ("unsubscribe", "https://", "has no host"),
        (
            "unsubscribe",
            "https://example.org/" + "x" * 959,
            "makes a List-Unsubscribe header line of 999 characters, and a header line holds 998",
        ),
        (  # 137 characters, 1288 in the header of a recipient with a long address
            "unsubscribe",
            f"https://lists.example.org/{LEAVE * 5}?who={{recipient}}",
            "line of 1288 characters for a recipient's address as long as one may be (254 "
            "characters, 382 percent-encoded), Thai percent-encoded as 9 characters a letter, "
            "and a header line holds 998: shorten it",
        ),
        (  # 989 characters for team@…, 1117 for +++…@… (%2B%2B%2B…)
            "unsubscribe",
            f"https://lists.example.org/{LEAVE * 4}?who={{recipient}}",
            "line of 1117 characters for a recipient's address",
        ),
        (
            "unsubscribe",
            "mailto:leave+{recipient}@example.org",
            "{recipient} may stand in the query of a mailto: address only",
        ),
        (
            "unsubscribe",
            "mailto:a@example.org,b@example.org",
            "names more than one address: give one, mailto:leave@example.org",
        ),
        ("list_id", "thaidigest", "is not a list id"),
        ("list_id", "<digest.example.org>", "is not a list id"),
        ("operators", ["ops"], '"ops" is not a mail address'),
    ],
)
def test_an_unsubscribe_address_list_id_or_operator_of_no_use_is_refused_at_load(
    tmp_path, key, value, problem
):
    path = tmp_path / "thaidigest.toml"
    path.write_text(f"[email]\n{key} = {toml_value(value)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(problem)) as refused:
        load_config(path)
    assert str(refused.value).startswith(f"{path}: email.{key}: ")


def test_operators_get_the_digest_whole_and_the_others_without_its_source_health(built):
    recipients = ["a@example.org", "Ops <ops@example.org>", "b@example.org"]
    assert "\n## Source health\n" in built.markdown
    assert editions(recipients, [], built.markdown) == [Edition(tuple(recipients), built.markdown)]
    whole, reader = editions(recipients, ["OPS@example.org"], built.markdown)
    assert whole == Edition(("Ops <ops@example.org>",), built.markdown)
    assert reader.recipients == ("a@example.org", "b@example.org")
    assert reader.markdown == built.markdown.split("\n## Source health\n")[0].rstrip() + "\n"
    assert "### [ดีอี ร่วมประชุม APEC 2024](" in reader.markdown
    # Operators alone: no edition for no one.
    assert editions(["ops@example.org"], ["ops@example.org"], built.markdown) == [
        Edition(("ops@example.org",), built.markdown)
    ]


def test_an_operator_who_is_no_recipient_is_a_settings_problem(inbox):
    mail = mail_settings(inbox.port, ["a@example.org"], operators=["ops@example.org"])
    assert settings_problem(mail, {}) == (
        'email.operators: "ops@example.org" is not one of email.recipients: list it there '
        "too (operators are the recipients who also get the source health)"
    )
    listed = mail_settings(inbox.port, ["Ops <ops@example.org>"], operators=["OPS@example.org"])
    assert settings_problem(listed, {}) is None


def test_thai_text_travels_in_base64_not_three_times_its_size(store, built, inbox):
    """Quoted-printable wrote each Thai character as 9 bytes: W47's digest took 80 KB."""
    send(store, built, mail_settings(inbox.port, ["a@example.org"]))
    ((_, raw),) = inbox.messages
    parts = list(message_from_bytes(raw, policy=policy.default).iter_parts())
    assert [part["Content-Transfer-Encoding"] for part in parts] == ["base64", "base64"]
    assert parts[0].get_content().replace("\r\n", "\n") == built.markdown
    assert parts[1].get_content().replace("\r\n", "\n") == built.html


def test_two_spellings_of_one_mailbox_are_refused_and_mailed_once(store, built, inbox):
    """Recipients were told apart as strings: each spelling of a mailbox got the digest."""
    mail = mail_settings(
        inbox.port, ["Team <team@example.org>", "TEAM@Example.org", "b@example.org"]
    )
    assert settings_problem(mail, {}) == (
        'email.recipients: "Team <team@example.org>" and "TEAM@Example.org" are one mailbox: '
        "list it once"
    )
    assert send(store, built, mail).sent == ("Team <team@example.org>", "b@example.org")
    assert [rcpt for rcpt, _ in inbox.messages] == [["team@example.org"], ["b@example.org"]]
    again = send(store, built, mail_settings(inbox.port, ["TEAM@example.org"]))
    assert again.sent == () and again.skipped == ("TEAM@example.org",)


def test_a_week_recorded_under_the_setting_as_written_still_counts_after_an_upgrade(
    store, built, inbox
):
    """A database from before mailboxes were keyed holds each recipient as it was written."""
    with store.transaction() as conn:
        conn.execute(
            insert(deliveries).values(
                week="2024-W34", recipient="Team <team@example.org>", sent_at="2024-08-26T00:05:00Z"
            )
        )
        conn.execute(
            insert(undelivered).values(week="2024-W34", recipient="Boss <boss@example.org>")
        )
    mail = mail_settings(inbox.port, ["team@example.org", "boss@example.org"])
    assert owed(store, mail["recipients"], W34).due == {W34: ["boss@example.org"]}
    report = send(store, built, mail)
    assert report.skipped == ("team@example.org",) and report.sent == ("boss@example.org",)
    assert [rcpt for rcpt, _ in inbox.messages] == [["boss@example.org"]]
    assert owed(store, mail["recipients"], W34).due == {}


def test_mail_without_a_sender_is_refused_not_sent_from_a_made_up_address(store, built, inbox):
    """With no email.sender the digest went from thaidigest@localhost, which servers refuse
    or file as spam, and which no reply reaches."""
    mail = mail_settings(inbox.port, ["a@example.org"], sender=None)
    assert settings_problem(mail, {}) == (
        "no sender: set email.sender in the configuration, the address the digest comes from"
    )
    with pytest.raises(MailError, match=re.escape("no sender: set email.sender")):
        send(store, built, mail)
    assert inbox.messages == [] and recorded(store) == set()


def test_refused_recipient_is_reported_and_retried_on_the_next_run(store, built, inbox):
    mail = mail_settings(inbox.port, ["a@example.org", "b@example.org"])
    inbox.refuse.add("b@example.org")
    with pytest.raises(MailError) as refused:
        send(store, built, mail)
    # The server's answer as it wrote it, not Python's dict of byte strings.
    assert str(refused.value).endswith("b@example.org: 550 5.1.1 no such mailbox"), refused.value
    assert recorded(store) == {("2024-W34", "a@example.org")}
    inbox.refuse.clear()
    assert send(store, built, mail).sent == ("b@example.org",)
    assert [rcpt for rcpt, _ in inbox.messages] == [["a@example.org"], ["b@example.org"]]


# Recipients as a user may write them: a display name, capitals, a Thai domain (mailed
# in its IDNA form); a failure names each as written, never as mailed (its mailbox key).
WRITTEN = ["Alice <A@Example.org>", "Bob <B@Example.ORG>", "Carol <c@EXAMPLE.org>", "d@ตัวอย่าง.ไทย"]


class ClosingAtCarol(Inbox):
    """Refuses ``refuse`` (550), and answers Carol's RCPT with a 421, closing the session."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "c@EXAMPLE.org":
            return "421 4.7.0 closing"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_a_failed_mailing_names_every_recipient_as_the_settings_write_it(store, built):
    handler = ClosingAtCarol()
    handler.refuse.add("B@Example.ORG")  # the envelope's form, as mailed
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        with pytest.raises(MailError) as refused:
            send(store, built, mail_settings(controller.port, WRITTEN))
    finally:
        controller.stop()
    assert str(refused.value) == (
        "digest 2024-W34 not mailed to 3 recipients: Bob <B@Example.ORG>: 550 5.1.1 no such "
        "mailbox; Carol <c@EXAMPLE.org>: 421 4.7.0 closing; d@ตัวอย่าง.ไทย: not tried, as "
        "the server closed the connection when it refused Carol <c@EXAMPLE.org>"
    )
    assert refused.value.report.sent == ("Alice <A@Example.org>",)
    port = free_port()
    with pytest.raises(MailError) as unreachable:
        send(store, built, mail_settings(port, WRITTEN))
    assert str(unreachable.value) == (
        f"mailing digest 2024-W34 through 127.0.0.1:{port} failed after 0 of 3 recipients: "
        "connection refused (Bob <B@Example.ORG>, Carol <c@EXAMPLE.org>, d@ตัวอย่าง.ไทย not "
        "mailed)"
    )
    assert unreachable.value.report.skipped == ("Alice <A@Example.org>",)


def free_port():
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OddGoodbye(Inbox):
    """Accepts every message, then answers QUIT with something other than 221."""

    async def handle_QUIT(self, server, session, envelope):
        return "421 4.3.0 bye for now"


def test_a_digest_accepted_by_a_server_with_an_odd_goodbye_is_mailed(store, built):
    """The QUIT after every message was accepted raised: the digest, delivered and recorded,
    was reported failed, exit 1, and the daemon logged the job failed."""
    handler = OddGoodbye()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        report = send(store, built, mail_settings(controller.port, ["a@example.org"]))
    finally:
        controller.stop()
    assert report.sent == ("a@example.org",)
    assert [to for to, _ in handler.messages] == [["a@example.org"]]
    assert recorded(store) == {("2024-W34", "a@example.org")}


def test_a_server_that_never_answers_is_said_with_the_seconds_it_was_given(store, built):
    """The failure said ``timed out`` and not how long the mailer had waited, where a
    crawl's timeout says ``timed out after 30 s``."""
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (its backlog), never greets
    port = listener.getsockname()[1]
    with listener, pytest.raises(MailError) as raised:
        send(store, built, mail_settings(port, ["a@example.org"]), timeout=0.3)
    assert str(raised.value) == (
        f"mailing digest 2024-W34 through 127.0.0.1:{port} failed after 0 of 1 recipient: "
        "timed out after 0.3 s (a@example.org not mailed)"
    )
    assert recorded(store) == set()


def test_unreachable_server_is_a_clear_error_and_nothing_is_recorded(store, built):
    port = free_port()
    with pytest.raises(MailError, match=f"through 127.0.0.1:{port} failed"):
        send(store, built, mail_settings(port, ["a@example.org"]))
    assert recorded(store) == set()


def test_a_refused_connection_is_said_in_the_crawls_words_not_pythons(store, built):
    port = free_port()
    with pytest.raises(MailError) as raised:
        send(store, built, mail_settings(port, ["a@example.org"]))
    assert str(raised.value) == (
        f"mailing digest 2024-W34 through 127.0.0.1:{port} failed after 0 of 1 recipient: "
        "connection refused (a@example.org not mailed)"
    )


def test_tls_spoken_to_a_plain_text_server_is_a_tls_error_in_the_crawls_words(store, built, inbox):
    mail = mail_settings(inbox.port, ["a@example.org"], starttls=None, security="tls")
    with pytest.raises(MailError) as raised:
        send(store, built, mail)
    assert str(raised.value).endswith(
        "failed after 0 of 1 recipient: TLS error: wrong version number (a@example.org not mailed)"
    ), raised.value


def test_a_refused_login_says_so_with_the_servers_answer(store, built, login_inbox):
    mail = mail_settings(login_inbox.port, ["a@example.org"], username="digest")
    with pytest.raises(MailError) as raised:
        send(store, built, mail, environ={"THAIDIGEST_SMTP_PASSWORD": "wrong-" + PASSWORD})
    assert str(raised.value).endswith(
        "failed after 0 of 1 recipient: login refused: 535 5.7.8 Authentication credentials "
        "invalid (a@example.org not mailed)"
    ), raised.value


def test_a_week_not_mailed_stays_owed_to_its_recipients_until_sent(store, built, inbox):
    unreachable = mail_settings(free_port(), ["a@example.org", "b@example.org"])
    with pytest.raises(MailError, match=re.escape("(a@example.org, b@example.org not mailed)")):
        send(store, built, unreachable)
    assert owed(store, ["a@example.org", "b@example.org"], W34).due == {
        W34: ["a@example.org", "b@example.org"]
    }
    assert owed(store, ["b@example.org", "c@example.org"], W34).due == {W34: ["b@example.org"]}
    inbox.refuse.add("b@example.org")
    with pytest.raises(MailError, match=re.escape("b@example.org")):
        send(store, built, mail_settings(inbox.port, ["a@example.org", "b@example.org"]))
    assert owed(store, ["a@example.org", "b@example.org"], W34).due == {W34: ["b@example.org"]}
    inbox.refuse.clear()
    late = send(store, built, mail_settings(inbox.port, ["a@example.org"]), ["b@example.org"])
    assert late.sent == ("b@example.org",)
    assert owed(store, ["a@example.org", "b@example.org"], W34).due == {}


def test_a_week_written_off_is_no_longer_owed_to_those_named_only(store, built):
    unreachable = mail_settings(free_port(), ["a@example.org", "b@example.org"])
    with pytest.raises(MailError):
        send(store, built, unreachable)
    write_off(store, W34, ["a@example.org"])
    assert owed(store, ["a@example.org", "b@example.org"], W34).due == {W34: ["b@example.org"]}
    assert recorded(store) == set()  # written off is not delivered


def test_a_week_owed_from_before_the_window_is_overdue_not_due(store, built):
    unreachable = mail_settings(free_port(), ["a@example.org", "b@example.org"])
    with pytest.raises(MailError):
        send(store, built, unreachable)
    both = ["a@example.org", "b@example.org"]
    assert owed(store, both, W34) == Owed(due={W34: both}, overdue={})
    assert owed(store, ["b@example.org"], W34.shift(1)) == Owed(
        due={}, overdue={W34: ["b@example.org"]}
    )
    assert owed(store, ["c@example.org"], W34.shift(1)) == Owed(due={}, overdue={})


def test_every_week_owed_is_listed_oldest_first_due_or_overdue_to_the_current_recipients(store):
    recipients = ["Team <team@example.org>", "a@example.org"]
    owe(store, W34.shift(1), ["a@example.org", "gone@example.org"])
    owe(store, W34, ["TEAM@example.org"])
    owe(store, W34.shift(-1), ["gone@example.org"])  # no longer a recipient: no run mails it
    with store.transaction() as conn:  # as a thaidigest before mailbox keys recorded it
        conn.execute(
            insert(undelivered).values(week=str(W34.shift(-3)), recipient="A <A@example.org>")
        )
    assert weeks_owed(store, recipients) == {
        W34.shift(-3): ["a@example.org"],
        W34: ["Team <team@example.org>"],
        W34.shift(1): ["a@example.org"],
    }
    assert list(weeks_owed(store, recipients)) == [W34.shift(-3), W34, W34.shift(1)]


def test_password_comes_from_the_environment_and_never_leaks(store, built, login_inbox, caplog):
    caplog.set_level(logging.DEBUG)
    mail = mail_settings(login_inbox.port, ["a@example.org"], username="digest")
    with pytest.raises(MailError, match="THAIDIGEST_SMTP_PASSWORD") as missing:
        send(store, built, mail, environ={})
    wrong = "wrong-" + PASSWORD
    with pytest.raises(MailError) as refused:
        send(store, built, mail, environ={"THAIDIGEST_SMTP_PASSWORD": wrong})
    assert wrong not in str(refused.value) and refused.value.__cause__ is None
    assert "535" in str(refused.value)  # the server's answer is passed on
    assert recorded(store) == set() and login_inbox.messages == []

    report = send(store, built, mail, environ={"THAIDIGEST_SMTP_PASSWORD": PASSWORD})
    assert report.sent == ("a@example.org",)
    dump = "\n".join(store.engine.raw_connection().driver_connection.iterdump())
    for secret in (PASSWORD, wrong):
        assert secret not in dump
        assert secret not in caplog.text
        assert secret not in str(missing.value)


class EchoingServer(socketserver.StreamRequestHandler):
    """A careless SMTP server: it refuses every login and echoes what the client sent."""

    mechanism = "PLAIN"

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 echo ESMTP")
        for raw in self.rfile:
            command = raw.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply(f"250-echo\r\n250 AUTH {self.mechanism}")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.answer(verb, command)

    def answer(self, verb: str, command: str) -> None:
        """The reply to a command but EHLO and QUIT."""
        if verb == "AUTH" and command.split()[1].upper() == "LOGIN":
            self.reply("334 UGFzc3dvcmQ6")
            answer = self.rfile.readline().decode("ascii").strip()
            self.reply(f"535 5.7.8 Authentication failed for {answer}")
        elif verb == "AUTH":
            self.reply(f"535 5.7.8 Authentication failed for {command.split()[-1]}")
        else:
            self.reply("502 not here")


def refusal_from(handler, store, built, password: str) -> str:
    """What the MailError says when the login with ``password`` goes to a server that
    ``handler`` answers for (one that refuses it)."""
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        mail = mail_settings(server.server_address[1], ["a@example.org"], username="digest")
        with pytest.raises(MailError) as refused:
            send(store, built, mail, environ={"THAIDIGEST_SMTP_PASSWORD": password})
        server.shutdown()
    return str(refused.value)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_password_echoed_back_base64_encoded_is_masked(store, built, mechanism):
    handler = type("Echo", (EchoingServer,), {"mechanism": mechanism})
    message = refusal_from(handler, store, built, PASSWORD)
    assert "535" in message and "***" in message
    for encoded in (
        base64.b64encode(PASSWORD.encode()).decode(),
        base64.b64encode(f"\0digest\0{PASSWORD}".encode()).decode(),
    ):
        assert encoded not in message
    for word in re.findall(r"[A-Za-z0-9+/]{8,}", message):
        with contextlib.suppress(binascii.Error):
            assert PASSWORD.encode()[:6] not in base64.b64decode(word + "=" * (-len(word) % 4))


def week_of(store, tmp_path, *titles):
    """W34's digest listing articles of ``titles``, the first the most relevant."""
    raws = [article(number, title) for number, title in enumerate(titles, 1)]
    ingest(store, raws, "2024-08-20T03:00")
    for number, raw in enumerate(raws):
        mark(store, raw, relevance=0.9 - number / 100, topics=["apec"])
    return build_digest(store, tmp_path / "public", W34, settings())


def mailed_subject(store, built, inbox, subject):
    """The Subject ``subject`` as a mail client reads it from the inbox, and its raw lines."""
    send_digest(
        store,
        mail_settings(inbox.port, ["a@example.org"]),
        W34,
        subject=subject,
        bodies=[Body(("a@example.org",), built.markdown, built.html)],
        clock=lambda: at("2024-08-26T01:00"),
    )
    ((_, raw),) = inbox.messages
    head = raw.split(b"\r\n\r\n")[0].decode("ascii")
    lines = re.search(r"^Subject:.*?(?=^\S)", head, flags=re.M | re.S)[0].splitlines()
    return message_from_bytes(raw, policy=policy.default)["Subject"], lines


def test_the_subject_leads_with_the_first_story_and_how_many_more(store, tmp_path, inbox):
    """Every week's subject read ``thaidigest: week 2024-W34 (19–25 August 2024)``: an inbox
    showed a column of identical lines."""
    built = week_of(store, tmp_path, "ดีอี ร่วมประชุม APEC 2024", "MDES signs AI pact", "Cloud deal")
    subject = mail_subject("thaidigest", W34, built.markdown)
    assert subject == "ดีอี ร่วมประชุม APEC 2024 and 2 more stories | thaidigest, week 2024-W34"
    assert mailed_subject(store, built, inbox, subject)[0] == subject
    one = "# thaidigest: week 2024-W34\n\n### [Cloud \\*deal\\*](https://example.org/1)\n"
    # An English headline's subject is ASCII: no encoded words in its header.
    assert mail_subject("thaidigest", W34, one) == "Cloud *deal* | thaidigest, week 2024-W34"
    lone = build_digest(store, tmp_path / "lone", Week(2024, 30), settings()).markdown
    assert mail_subject("thaidigest", Week(2024, 30), lone) == (
        "No relevant stories | thaidigest, week 2024-W30"
    )


# Thai puts spaces between phrases only: this headline is a short phrase, then a long one.
LONG_THAI_HEADLINE = (
    "รัฐบาล กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมลงนามบันทึกความเข้าใจความร่วมมือด้าน"
    "ปัญญาประดิษฐ์กับญี่ปุ่นและสิงคโปร์เพื่อพัฒนากำลังคนดิจิทัล"
)


def subject_lead(headline):
    """The headline as a subject shows it: its start, cut, without the ellipsis; the cut
    between two of its Thai character clusters (TCC: a syllable's consonants with their
    vowels and tone marks), never inside one."""
    from pythainlp.tokenize import subword_tokenize

    markdown = f"# thaidigest: week 2024-W34\n\n### [{headline}](https://example.org/1)\n"
    subject = mail_subject("thaidigest", W34, markdown)
    lead, ellipsis, rest = subject.partition("…" if "…" in subject else "...")
    assert ellipsis and rest == " | thaidigest, week 2024-W34"
    assert headline.startswith(lead) and len(lead) <= SUBJECT_HEADLINE_CHARS
    clusters = subword_tokenize(headline, engine="tcc")
    ends = {len("".join(clusters[:count])) for count in range(len(clusters) + 1)}
    assert len(lead) in ends or headline[len(lead)] == " ", f"{lead}|{headline[len(lead) :]}"
    return lead


# Headlines of a short phrase, then a long one (Thai puts spaces between phrases only),
# each with the word its subject ends with: the cut within a word tore it ("ความเข้|าใจ").
THAI_HEADLINES_CUT_AT = {
    LONG_THAI_HEADLINE: "บันทึก",
    "ดีอี ลงนามบันทึกความเข้าใจความร่วมมือด้านปัญญาประดิษฐ์กับญี่ปุ่นและสิงคโปร์เพื่อพัฒนากำลังคนดิจิทัล": "กับ",
    "นายกฯ เปิดงานสัปดาห์วิทยาศาสตร์แห่งชาติพร้อมมอบรางวัลนักวิทยาศาสตร์รุ่นใหม่ดีเด่นประจำปีสองพันห้าร้อย": "รางวัล",
}


@pytest.mark.parametrize("headline", THAI_HEADLINES_CUT_AT)
def test_a_long_thai_headline_is_cut_between_words_never_inside_a_syllable(headline):
    """When the phrases whole at spaces came to fewer than half the length, the headline
    was cut where a letter starts, inside a syllable: "ความเข้|าใจ", "ญี่|ปุ่น"."""
    lead = subject_lead(headline)
    assert lead.endswith(THAI_HEADLINES_CUT_AT[headline])
    assert len(lead) >= SUBJECT_HEADLINE_CHARS // 2
    short, _, long = headline.partition(" ")
    for start in range(1, 30):  # wherever the long phrase's words fall against the limit
        subject_lead(f"{short} {long[start:]}")


# Headlines whose word at the limit is longer than half of it: newmm reads the ministry's
# name as one word of 34 letters, and a web address as its parts up to a ":".
HEADLINES_OF_LONG_WORDS = [
    "ดุรงคเวโรจน์ รัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เปิดเผยภายหลังการประชุมว่า",
    "พงษ์ หริ่มเจริญ ผู้ตรวจราชการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม (ดีอี) ในฐานะประธาน",
    "Cabinet OK's https://www.mdes.go.th/news/detail/2024/08/digital-id-plan-x",
]
LONGEST_CLUSTER = 6  # characters of a Thai character cluster at most (เccีtยะ), about


@pytest.mark.parametrize("headline", HEADLINES_OF_LONG_WORDS)
def test_a_headline_whose_word_at_the_limit_is_long_keeps_nearly_the_limit(headline):
    """The word cutter's words whole came to 21-30 characters of the 60: the subject showed
    "ดุรงคเวโรจน์ รัฐมนตรีว่าการ…" and "Cabinet OK's https...". Between two Thai character
    clusters, or where a letter starts, it shows all but the last few."""
    lead = subject_lead(headline)
    assert len(lead) > SUBJECT_HEADLINE_CHARS - LONGEST_CLUSTER, lead


def test_a_long_headline_is_cut_between_words_never_inside_a_letter():
    """A headline cut at a fixed length tears a vowel or tone mark from its letter."""
    assert unicodedata.category(LONG_THAI_HEADLINE[SUBJECT_HEADLINE_CHARS - 1]) == "Mn"
    # Without the space, between the Thai words the word cutter finds.
    assert subject_lead(LONG_THAI_HEADLINE[7:]).endswith("บันทึกความเข้าใจ")
    english = "MDES and Japan's digital agency sign a memorandum of understanding on AI"
    assert subject_lead(english) == "MDES and Japan's digital agency sign a memorandum of"


def test_a_long_english_subject_stays_ascii_with_three_dots_for_its_ellipsis(
    store, tmp_path, inbox
):
    """A long English headline's "…" made the whole subject RFC 2047 encoded words, which
    a mail client without them, or a search of the raw header, reads as gibberish."""
    headline = "Thailand, Japan; Singapore: sign MoU on AI, cloud and data-sharing"
    built = week_of(store, tmp_path, headline, "Cloud deal")
    subject = mail_subject("thaidigest", W34, built.markdown)
    assert subject == (
        "Thailand, Japan; Singapore: sign MoU on AI, cloud and... and 1 more story"
        " | thaidigest, week 2024-W34"
    )
    read, lines = mailed_subject(store, built, inbox, subject)
    assert read == subject and "=?" not in "".join(lines)
    # A subject with Thai in it keeps its "…", a character as any other there.
    thai = mail_subject("ข่าวดิจิทัล", W34, built.markdown)
    assert thai.startswith("Thailand, Japan; Singapore: sign MoU on AI, cloud and… and 1 more")


def test_a_long_thai_subject_is_folded_and_read_back_with_single_spaces(store, tmp_path, inbox):
    """The policy's folder unfolded a long subject with two spaces between two words."""
    built = week_of(store, tmp_path, LONG_THAI_HEADLINE, "Cloud deal")
    subject = mail_subject(settings()["digest"]["title"], W34, built.markdown)
    assert subject.endswith(f"… and 1 more story | {settings()['digest']['title']}, week 2024-W34")
    read, lines = mailed_subject(store, built, inbox, subject)
    assert read == subject and "  " not in read
    assert len(lines) > 1 and all(len(line) <= 78 for line in lines)


def test_a_week_not_over_is_neither_mailed_nor_recorded_nor_owed(store, built, inbox):
    mail = mail_settings(inbox.port, ["a@example.org"])
    with pytest.raises(MailError, match="digest 2024-W34 is not over"):
        send_digest(
            store,
            mail,
            W34,
            subject="thaidigest: week 2024-W34",
            bodies=[Body(("a@example.org",), built.markdown, built.html)],
            environ={},
            clock=lambda: at("2024-08-22T10:00"),  # Thursday of that week
        )
    assert inbox.messages == []
    assert recorded(store) == set()
    assert owed(store, ["a@example.org"], W34) == Owed(due={}, overdue={})


def claims(store):
    with store.engine.connect() as conn:
        return list(conn.execute(select(locks.c.name)).scalars())


def test_a_failed_send_gives_its_claim_back_so_the_next_run_sends_it(store, built, inbox):
    mail = mail_settings(inbox.port, ["a@example.org", "b@example.org"])
    inbox.refuse.add("b@example.org")
    with pytest.raises(MailError):
        send(store, built, mail)
    assert claims(store) == []
    with pytest.raises(MailError):
        send(store, built, mail_settings(free_port(), ["b@example.org"]))
    assert claims(store) == []
    inbox.refuse.clear()
    assert send(store, built, mail).sent == ("b@example.org",)
    assert claims(store) == []


# --- The transport: STARTTLS, implicit TLS (SMTPS, port 465) or none -------------------


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files in ``folder``:
    the server's certificate and, for a client that is to trust it, its own CA."""
    key, cert = self_signed(
        "thaidigest test SMTP",
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False),
        (x509.BasicConstraints(ca=True, path_length=None), True),
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


def server_context(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def trusting(certificate):
    """A client's default context that also trusts the test certificate."""
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certificate[0])
    return context


class TLSInbox(Inbox):
    """An inbox that notes, with each message, whether it came over TLS."""

    def __init__(self):
        super().__init__()
        self.encrypted = []

    async def handle_DATA(self, server, session, envelope):
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtps_inbox(certificate):
    """An SMTP server speaking TLS from the first byte (SMTPS)."""
    handler = TLSInbox()
    controller = LoopbackController(
        handler, hostname="127.0.0.1", port=0, ssl_context=server_context(certificate)
    )
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def starttls_inbox(certificate):
    """An SMTP server that takes mail only after STARTTLS."""
    handler = TLSInbox()
    controller = LoopbackController(
        handler,
        hostname="127.0.0.1",
        port=0,
        tls_context=server_context(certificate),
        require_starttls=True,
    )
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def send_over_tls(store, built, mail, tls):
    return send_digest(
        store,
        mail,
        W34,
        subject="thaidigest: week 2024-W34",
        bodies=[Body(tuple(mail["recipients"]), built.markdown, built.html)],
        environ={},
        clock=lambda: at("2024-08-26T01:00"),
        tls=tls,
    )


def test_digest_mailed_over_implicit_tls_arrives_intact(store, built, smtps_inbox, certificate):
    mail = mail_settings(smtps_inbox.port, ["a@example.org"], starttls=None, security="tls")
    report = send_over_tls(store, built, mail, trusting(certificate))
    assert report.sent == ("a@example.org",)
    assert smtps_inbox.encrypted == [True]
    message = message_from_bytes(smtps_inbox.messages[0][1], policy=policy.default)
    text, html = message.iter_parts()
    assert text.get_content().replace("\r\n", "\n") == built.markdown
    assert "ดีอี ร่วมประชุม APEC 2024" in html.get_content()
    assert recorded(store) == {("2024-W34", "a@example.org")}


def test_untrusted_certificate_is_a_clear_error_and_nothing_is_delivered(store, built, smtps_inbox):
    mail = mail_settings(smtps_inbox.port, ["a@example.org"], starttls=None, security="tls")
    with pytest.raises(MailError, match="certificate") as raised:
        send_over_tls(store, built, mail, None)  # the system's CAs: the test's is not one
    assert f"127.0.0.1:{smtps_inbox.port}" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert smtps_inbox.messages == [] and recorded(store) == set()
    assert owed(store, ["a@example.org"], W34).due == {W34: ["a@example.org"]}


@pytest.mark.parametrize("chosen", [{"starttls": True}, {"security": "starttls"}])
def test_starttls_old_setting_or_new_upgrades_the_connection(
    store, built, starttls_inbox, certificate, chosen
):
    mail = mail_settings(starttls_inbox.port, ["a@example.org"], **{"starttls": None, **chosen})
    assert send_over_tls(store, built, mail, trusting(certificate)).sent == ("a@example.org",)
    assert starttls_inbox.encrypted == [True]


@pytest.mark.parametrize("chosen", [{"starttls": False}, {"security": "none"}])
def test_no_tls_old_setting_or_new_mails_in_plain_text(store, built, chosen):
    handler = TLSInbox()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        mail = mail_settings(controller.port, ["a@example.org"], **{"starttls": None, **chosen})
        assert send_over_tls(store, built, mail, None).sent == ("a@example.org",)
    finally:
        controller.stop()
    assert handler.encrypted == [False]


SECURITY_CHOSEN = {
    # (port, starttls, security): the transport
    "default-submission-port": ((587, None, None), "starttls"),
    "port-465-unsaid-is-implicit-tls": ((465, None, None), "tls"),
    "old-starttls-true": ((587, True, None), "starttls"),
    "old-starttls-false": ((25, False, None), "none"),
    "security-tls": ((2465, None, "tls"), "tls"),
    # Plain text on 465 only when said with the new setting, which wins over the old one.
    "security-none-on-465": ((465, None, "none"), "none"),
    "security-none-with-starttls-false-on-465": ((465, False, "none"), "none"),
    "both-agreeing": ((587, True, "starttls"), "starttls"),
    "starttls-false-with-tls": ((465, False, "tls"), "tls"),
    # A server that really upgrades on 465, said with the new setting, knowingly.
    "security-starttls-on-465": ((465, None, "starttls"), "starttls"),
    "both-agreeing-on-465": ((465, True, "starttls"), "starttls"),
}


@pytest.mark.parametrize(("given", "chosen"), SECURITY_CHOSEN.values(), ids=SECURITY_CHOSEN)
def test_transport_is_the_one_said_else_implicit_tls_on_465(given, chosen):
    port, starttls, security = given
    mail = mail_settings(port, ["a@example.org"], starttls=starttls, security=security)
    assert smtp_security(mail) == chosen
    assert settings_problem(mail, {}) is None


SECURITY_REFUSED = {
    "unknown-value": (
        (None, "ssl"),
        'email.security must be one of starttls, tls, none, not "ssl"',
    ),
    "starttls-true-with-tls": ((True, "tls"), "email.starttls = true contradicts"),
    "starttls-true-with-none": ((True, "none"), "email.starttls = true contradicts"),
    "starttls-false-with-starttls": ((False, "starttls"), "email.starttls = false contradicts"),
}


@pytest.mark.parametrize(
    ("port", "said"), [("", "587 (the default)"), ("port = 587\n", "587")], ids=["unset", "set"]
)
def test_implicit_tls_on_the_submission_port_is_refused_naming_the_fix(
    store, built, tmp_path, port, said
):
    # security = "tls" alone keeps the default port 587, whose server greets in plain text:
    # the first mail would fail with "wrong version number". The port is called the
    # default only when the settings leave it out.
    path = tmp_path / "thaidigest.toml"
    path.write_text(
        f'[email]\n{port}security = "tls"\nsender = "digest@example.org"\n', encoding="utf-8"
    )
    mail = {**load_config(path)["email"], "recipients": ["a@example.org"]}
    refused = settings_problem(mail, {})
    assert refused == (
        f'email.security = "tls" contradicts email.port = {said}, where the server '
        "greets in plain text and upgrades with STARTTLS: set email.port = 465, or the TLS "
        "port your provider gives"
    )
    with pytest.raises(MailError, match=re.escape(refused)):
        send(store, built, mail)
    assert recorded(store) == set()


@pytest.mark.parametrize(("given", "problem"), SECURITY_REFUSED.values(), ids=SECURITY_REFUSED)
def test_unknown_or_contradicted_security_is_refused_in_one_line(store, built, given, problem):
    starttls, security = given
    mail = mail_settings(free_port(), ["a@example.org"], starttls=starttls, security=security)
    refused = settings_problem(mail, {})
    assert refused is not None and refused.startswith(problem) and "\n" not in refused
    with pytest.raises(MailError, match=re.escape(problem)):
        send(store, built, mail)
    assert recorded(store) == set()


def test_old_starttls_true_on_port_465_is_refused_naming_both_settings_and_the_fix(store, built):
    # STARTTLS on the implicit-TLS port: the server waits for TLS, the client for its
    # greeting, and the first mail would time out on Monday.
    mail = mail_settings(465, ["a@example.org"], starttls=True, security=None)
    refused = settings_problem(mail, {})
    assert refused == (
        "email.starttls = true contradicts email.port = 465, where the server speaks TLS "
        'from the first byte: remove email.starttls (port 465 then means email.security = "tls")'
    )
    with pytest.raises(MailError, match=re.escape(refused)):
        send(store, built, mail)
    assert recorded(store) == set()


def test_old_starttls_false_on_port_465_is_refused_naming_both_settings_and_the_fix(store, built):
    # Plain text to the implicit-TLS port: the client waits for a greeting the server,
    # waiting for TLS, never sends, and the first mail would time out on Monday.
    mail = mail_settings(465, ["a@example.org"], starttls=False, security=None)
    refused = settings_problem(mail, {})
    assert refused == (
        "email.starttls = false contradicts email.port = 465, where the server speaks TLS "
        'from the first byte: remove email.starttls (port 465 then means email.security = "tls")'
    )
    with pytest.raises(MailError, match=re.escape(refused)):
        send(store, built, mail)
    assert recorded(store) == set()


def test_each_mail_ends_with_the_web_links_and_its_own_unsubscribe_line(store, built, inbox):
    unsubscribe = "https://example.org/leave?who={recipient}"
    mail = mail_settings(inbox.port, ["a@example.org", "b+c@example.org"], unsubscribe=unsubscribe)
    links = mail_links("https://news.example.org/thaidigest", W34)
    send(store, built, mail, links=links)
    page = "https://news.example.org/thaidigest/digests/2024-W34.html"
    for (recipient,), content in inbox.messages:
        message = message_from_bytes(content, policy=policy.default)
        text, html = (part.get_content() for part in message.iter_parts())
        leave = f"https://example.org/leave?who={recipient.replace('+', '%2B')}"
        assert message["List-Unsubscribe"] == f"<{leave}>"
        assert text.replace("\r\n", "\n") == (
            f"{built.markdown}\n-- \n"
            f"This digest on the web: <{page}>\n"
            "Feed of every story: <https://news.example.org/thaidigest/feed.atom>\n"
            "Feed of the digests: <https://news.example.org/thaidigest/digests.atom>\n"
            "All digests and feeds: <https://news.example.org/thaidigest/>\n"
            f"Unsubscribe: <{leave}>\n"
        )
        footer = html.split("</main>", 1)[1]
        assert f'This digest on the web: <a href="{page}">{page}</a>' in footer
        assert f'Unsubscribe: <a href="{leave}">{leave}</a>' in footer
        assert html.split("</main>", 1)[0] == built.html.split("</main>", 1)[0]


def test_the_mail_pages_footer_follows_the_digest_inside_its_english_body(built):
    """The footer goes in after the page's ``</main>`` (digest.publish.mail_page): on a page
    without one it was put before ``<!DOCTYPE html>``, outside every element."""
    footed = with_html_footer(built.html, [("Unsubscribe", "mailto:leave@example.org")])
    body = footed.split('<div lang="en">\n', 1)[1].split("</div>\n</body>", 1)[0]
    assert body.endswith(
        "</main>\n<footer>\n<p>Unsubscribe: "
        '<a href="mailto:leave@example.org">mailto:leave@example.org</a></p>\n</footer>\n'
    )
    assert footed.count("<footer>") == 1
    with pytest.raises(ValueError, match="</main>"):
        with_html_footer("<!DOCTYPE html>\n<p>A page</p>\n", [("Unsubscribe", "mailto:x@y")])


def test_a_digest_served_from_this_machine_links_nowhere_in_its_mail():
    assert mail_links("http://127.0.0.1:8000/", W34) == []
    assert mail_links("http://localhost:8000/", W34) == []


@pytest.mark.parametrize("password", ["a", "Zq", "x9!Qz", "535"])
@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_short_password_withholds_the_servers_reply_but_its_codes(
    store, built, mechanism, password
):
    """A password shorter than PIECE bytes masked every one of its letters in the reply
    (``******tion credenti***ls``) and left its base64 (``WnE=``) unmasked."""
    handler = type("Echo", (EchoingServer,), {"mechanism": mechanism})
    message = refusal_from(handler, store, built, password)
    codes = "" if password.isdigit() else "535 5.7.8 "
    assert f"login refused: {codes}{WITHHELD} (a@example.org not mailed)" in message
    for form in (
        base64.b64encode(password.encode()).decode().rstrip("="),
        base64.b64encode(f"\0digest\0{password}".encode()).decode().rstrip("="),
    ):
        assert form not in message
    if password != "a":  # a letter of the words around it
        assert password not in message


class ChallengingServer(EchoingServer):
    """A careless SMTP server that answers every AUTH line with a challenge echoing it:
    smtplib gives up after five, its error quoting the last (``Last response: (334, …)``)."""

    def answer(self, verb: str, command: str) -> None:
        self.reply(f"334 {command.split()[-1]}")


@pytest.mark.parametrize("password", ["Zq", PASSWORD])
def test_a_password_echoed_in_smtplibs_own_error_is_masked_or_withheld(store, built, password):
    message = refusal_from(ChallengingServer, store, built, password)
    echo = base64.b64encode(f"\0digest\0{password}".encode()).decode()
    assert echo not in message and password not in message
    if password == PASSWORD:
        assert f"Last response: (334, b'{MASK}')" in message
    else:  # smtplib's own words stay; the server's answer it quotes is withheld
        assert f"infinite loop. Last response: {WITHHELD} (a@example.org not mailed)" in message


def test_smtplibs_own_words_quoting_no_server_are_kept_with_a_short_password():
    # A server offering no mechanism smtplib knows (XOAUTH2 alone): the cause, not "withheld".
    error = smtplib.SMTPException("No suitable authentication method found.")
    assert _failure(error, 10, ["abc"]) == "No suitable authentication method found."


@pytest.mark.parametrize(
    ("changes", "password", "named"),
    [
        pytest.param(
            {"username": "digest"}, "รหัสผ่าน-2024", "$THAIDIGEST_SMTP_PASSWORD", id="password"
        ),
        pytest.param({"username": "ผู้ส่ง"}, PASSWORD, "email.username", id="username"),
    ],
)
def test_a_login_smtplib_cannot_send_is_refused_in_words_without_the_password(
    store, built, login_inbox, changes, password, named
):
    mail = mail_settings(login_inbox.port, ["a@example.org"], **changes)
    environ = {"THAIDIGEST_SMTP_PASSWORD": password}
    problem = settings_problem(mail, environ)
    assert problem is not None and problem.startswith(named) and "ASCII" in problem
    with pytest.raises(MailError) as refused:  # not Python's UnicodeEncodeError
        send(store, built, mail, environ=environ)
    assert str(refused.value) == problem
    assert not any(character in problem for character in password if not character.isascii())
    assert login_inbox.messages == []
