"""Secrets out of messages: a password in every form an error may echo it.

An SMTP server that refuses a login may echo what it was sent, and that is
the password base64-encoded (``AUTH LOGIN``) or inside the base64 of
``\\0user\\0password`` (``AUTH PLAIN``); Python shows the reply as a bytes
literal, with escapes. :func:`redact` masks the password itself, its
percent-encoded and escaped forms, and any base64 run whose decoding holds it.

A password shorter than :data:`PIECE` bytes cannot be masked so: its letters are
in every other word (``a`` in ``Authentication``), a word read as base64 decodes to
its bytes by chance, and its own base64 is shorter than a run (``YQ==``). Such a
password is not looked for: a server's reply, which may echo it, is withheld whole
(:func:`redact_reply`), all but its status codes, which are digits and dots.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
PIECE = 6  # bytes of the secret that mask a decoded run holding them (a cut echo); fewer: too short
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
# The codes a reply starts with (``535 5.7.8``): the reply code and an enhanced status code.
STATUS = re.compile(r"\d{3}(?: \d\.\d{1,3}\.\d{1,3})?(?!\S)")
STATUS_CHARACTERS = frozenset("0123456789. ")  # all a STATUS match is made of
WITHHELD = (
    "(the server's reply is withheld: it may echo the password, which is too short to mask safely)"
)


def _forms(secret: str) -> set[str]:
    """The secret as text may show it: plain, percent-encoded, as a bytes literal's inside."""
    return {secret, quote(secret, safe=""), repr(secret.encode())[2:-1], repr(secret)[1:-1]}


def _holds(run: str, secret: bytes) -> bool:
    """Whether the base64 ``run`` (from any offset, padded or not) decodes to bytes
    holding :data:`PIECE` bytes of the secret in a row (the whole of it, or an echo cut short)."""
    pieces = {secret[start : start + PIECE] for start in range(len(secret) - PIECE + 1)}
    for start in range(4):
        body = run[start:].rstrip("=")
        body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
        padded = body + "=" * (-len(body) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = decode(padded)
            except (binascii.Error, ValueError):
                continue
            if any(piece in decoded for piece in pieces):
                return True
    return False


def too_short(secret: str) -> bool:
    """Whether ``secret`` is shorter than :data:`PIECE` bytes (UTF-8): too short to mask."""
    return len(secret.encode()) < PIECE


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with each secret masked, in every form :mod:`thaidigest.redact` knows; a
    secret too short to mask (:func:`too_short`) is left to :func:`redact_reply`."""
    for secret in secrets:
        if not secret or too_short(secret):
            continue
        for form in sorted(_forms(secret), key=len, reverse=True):
            text = text.replace(form, MASK)
        raw = secret.encode()
        text = BASE64_RUN.sub(
            lambda match, raw=raw: MASK if _holds(match.group(), raw) else match.group(), text
        )
    return text


def redact_reply(reply: str, secrets: Iterable[str | None]) -> str:
    """A server's ``reply`` with each secret masked (:func:`redact`); for a secret too short
    to mask (:func:`too_short`), the reply withheld whole (:data:`WITHHELD`) but for its
    status codes (``535 5.7.8``), kept unless such a secret is made only of the digits,
    dots and spaces they are made of."""
    secrets = [secret for secret in secrets if secret]
    short = [secret for secret in secrets if too_short(secret)]
    if short:
        status = STATUS.match(reply)
        if status and not any(set(secret) <= STATUS_CHARACTERS for secret in short):
            reply = f"{status.group()} {WITHHELD}"
        else:
            reply = WITHHELD
    return redact(reply, secrets)
