"""Secrets out of messages: a password in every form an error may echo it.

An SMTP server that refuses a login may echo what it was sent, and that is
the password base64-encoded (``AUTH LOGIN``) or inside the base64 of
``\\0user\\0password`` (``AUTH PLAIN``); Python shows the reply as a bytes
literal, with escapes. :func:`redact` masks the password itself, its
percent-encoded and escaped forms, and any base64 run whose decoding is it, or holds
it as a field of ``\\0user\\0password``, or a piece of a longer one (an echo cut short).

Each is masked where it stands as a whole, not inside a longer word or base64 run: a
short password (``p``) would otherwise mask the letters of every word that holds it
(``su***orted``), and the bytes of any word read as base64.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
PIECE = 6  # bytes of the secret that, found in a decoded run, mask the run (a cut echo)
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{2,}={0,2}")  # the base64 of one byte is 2 characters
FIELD_SEPARATOR = b"\0"  # between the fields of an AUTH PLAIN answer
# An escape a bytes literal writes (``\x00``, ``\n``): it ends in a word character.
ESCAPE_BEFORE = r"(?<=\\x[0-9a-f]{2})|(?<=\\[tnr])"


def _forms(secret: str) -> set[str]:
    """The secret as text may show it: plain, percent-encoded, as a bytes literal's inside."""
    return {secret, quote(secret, safe=""), repr(secret.encode())[2:-1], repr(secret)[1:-1]}


def _whole(form: str) -> re.Pattern[str]:
    """``form`` where it stands as a whole: not run on into a word character on a side
    where ``form`` itself ends in one, but for the escape of a bytes literal before it
    (``b'\\x00user\\x00password'``)."""
    before = rf"(?:(?<!\w)|{ESCAPE_BEFORE})" if re.match(r"\w", form) else ""
    after = r"(?!\w)" if re.search(r"\w\Z", form) else ""
    return re.compile(before + re.escape(form) + after)


def _shows(decoded: bytes, secret: bytes) -> bool:
    """Whether ``decoded`` is the secret (``AUTH LOGIN``), holds it as a field
    (``AUTH PLAIN``), or holds :data:`PIECE` bytes of it in a row (an echo cut short; a
    secret shorter than that only whole: a byte or two of it are in many a decoded word)."""
    if secret in decoded.split(FIELD_SEPARATOR):
        return True
    pieces = {secret[start : start + PIECE] for start in range(len(secret) - PIECE + 1)}
    return any(piece in decoded for piece in pieces)


def _holds(run: str, secret: bytes) -> bool:
    """Whether the base64 ``run`` (from any offset, padded or not) decodes to bytes that
    show the secret (:func:`_shows`)."""
    for start in range(4):
        body = run[start:].rstrip("=")
        body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
        padded = body + "=" * (-len(body) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = decode(padded)
            except (binascii.Error, ValueError):
                continue
            if _shows(decoded, secret):
                return True
    return False


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with each secret masked, in every form :mod:`thaidigest.redact` knows."""
    for secret in secrets:
        if not secret:
            continue
        for form in sorted(_forms(secret), key=len, reverse=True):
            text = _whole(form).sub(MASK, text)
        raw = secret.encode()
        text = BASE64_RUN.sub(
            lambda match, raw=raw: MASK if _holds(match.group(), raw) else match.group(), text
        )
    return text
