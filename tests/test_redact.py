"""A password out of a server's reply: masked where it stands, never inside another word."""

from __future__ import annotations

import base64

import pytest

from thaidigest.redact import MASK, redact


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


MASKED = {
    # (reply, password): the reply as shown
    "whole-reply": (("p", "p"), MASK),
    "a-word-of-the-reply": (
        ("535 authentication failed for p", "p"),
        f"535 authentication failed for {MASK}",
    ),
    "between-punctuation": (("login 'pw' refused", "pw"), f"login '{MASK}' refused"),
    "its-own-edges-not-word": (("user:!p@ss!@host", "!p@ss!"), f"user:{MASK}@host"),
    "after-an-escape-in-a-bytes-literal": (
        ("(535, b'bad \\x00digest\\x00pw\\r\\n')", "pw"),
        f"(535, b'bad \\x00digest\\x00{MASK}\\r\\n')",
    ),
    "percent-encoded": (("for p%40ss refused", "p@ss"), f"for {MASK} refused"),
    "login-base64-short": ((f"535 failed for {b64('p')}", "p"), f"535 failed for {MASK}"),
    "plain-base64-short": (
        (f"535 failed for {b64(chr(0) + 'digest' + chr(0) + 'pw')}", "pw"),
        f"535 failed for {MASK}",
    ),
    "login-base64-long": (
        (f"535 failed for {b64('hunter22')}", "hunter22"),
        f"535 failed for {MASK}",
    ),
    "plain-base64-cut-short": (
        (f"535 failed for {b64(chr(0) + 'digest' + chr(0) + 'hunter22')[:20]}", "hunter22"),
        f"535 failed for {MASK}",
    ),
}


@pytest.mark.parametrize(("given", "shown"), MASKED.values(), ids=MASKED)
def test_a_password_where_it_stands_is_masked(given, shown):
    reply, password = given
    assert redact(reply, [password]) == shown


KEPT = {
    # (reply, password): words that hold the password's letters or bytes, not the password
    "inside-a-word": ("SMTP AUTH extension not supported by server.", "p"),
    "prefix-of-a-word": ("535 5.7.8 password rejected", "pass"),
    "digits-inside-a-number": ("535 5.7.8 Error: code 12345", "23"),
    "base64-like-words": ("Authentication unsuccessful; see https://example.org/authfailure", "u"),
}


@pytest.mark.parametrize(("reply", "password"), KEPT.values(), ids=KEPT)
def test_a_password_inside_another_word_leaves_the_reply_readable(reply, password):
    assert redact(reply, [password]) == reply
