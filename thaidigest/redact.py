"""Secrets out of messages: a password in every form an error may echo it.

An SMTP server that refuses a login may echo what it was sent, and that is
the password base64-encoded (``AUTH LOGIN``) or inside the base64 of
``\\0user\\0password`` (``AUTH PLAIN``); Python shows the reply as a bytes
literal, with escapes. :func:`redact` masks the password itself, its
percent-encoded and escaped forms, and any base64 run whose decoding holds it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
PIECE = 6  # bytes of the secret that, found in a decoded run, mask the run (a cut echo)
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")


def _forms(secret: str) -> set[str]:
    """The secret as text may show it: plain, percent-encoded, as a bytes literal's inside."""
    return {secret, quote(secret, safe=""), repr(secret.encode())[2:-1], repr(secret)[1:-1]}


def _holds(run: str, secret: bytes) -> bool:
    """Whether the base64 ``run`` (from any offset, padded or not) decodes to bytes
    holding the secret, or a piece of it (an echo cut short)."""
    size = min(len(secret), PIECE)
    pieces = {secret[start : start + size] for start in range(len(secret) - size + 1)}
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


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with each secret masked, in every form :mod:`thaidigest.redact` knows."""
    for secret in secrets:
        if not secret:
            continue
        for form in sorted(_forms(secret), key=len, reverse=True):
            text = text.replace(form, MASK)
        raw = secret.encode()
        text = BASE64_RUN.sub(
            lambda match, raw=raw: MASK if _holds(match.group(), raw) else match.group(), text
        )
    return text
