"""A password out of a server's reply: masked when long enough to mask, else the reply withheld."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from thaidigest.redact import MASK, PIECE, WITHHELD, redact, redact_reply

REPLY = "535 5.7.8 Authentication credentials invalid"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def echoes(password: str) -> dict[str, str]:
    """Replies a careless server may write after a refused login with ``password``."""
    plain = b64(f"\0digest\0{password}")
    return {
        "plain": f"535 5.7.8 Authentication failed for {password}",
        "bytes-literal": f"535 5.7.8 bad {password.encode()!r}",
        "percent-encoded": f"535 5.7.8 bad {quote(password, safe='')}",
        "auth-login": f"535 5.7.8 Authentication failed for {b64(password)}",
        "auth-login-unpadded": f"535 5.7.8 Authentication failed for {b64(password).rstrip('=')}",
        "auth-plain": f"535 5.7.8 Authentication failed for {plain}",
        "auth-plain-cut-short": f"535 5.7.8 Authentication failed for {plain[:-3]}",
        "no-echo": REPLY,
    }


def forms(password: str) -> set[str]:
    """The password in each form a reply may show it, as the tests here build them."""
    plain = b64(f"\0digest\0{password}")
    return {
        password,
        repr(password.encode())[2:-1],
        quote(password, safe=""),
        b64(password),
        b64(password).rstrip("="),
        plain,
        plain.rstrip("="),
    }


# Shorter than PIECE bytes: 1, 2 and 5 characters, a password in the status text's words
# or codes, one made of digits (or of digits and dots) that the codes would show.
SHORT = ["a", "Zq", "x9!Qz", "Auth", "5", "535", "5.7.8", "ก"]


@pytest.mark.parametrize("password", SHORT)
@pytest.mark.parametrize("kind", list(echoes("p")))
def test_a_short_password_withholds_the_reply_but_its_codes(password, kind):
    reply = echoes(password)[kind]
    digits = set(password) <= set("0123456789. ")
    expected = WITHHELD if digits else f"535 5.7.8 {WITHHELD}"
    assert redact_reply(reply, [password]) == expected  # the same whatever the password
    shown = redact_reply(reply, [password])
    if password not in {"a", "Auth"}:  # letters of the statement itself, not an echo
        assert not any(form in shown for form in forms(password))


@pytest.mark.parametrize("password", SHORT)
def test_a_short_password_garbles_no_text_it_is_not_looked_for_in(password):
    text = f"login refused: {REPLY}; SMTP AUTH extension not supported by server."
    assert redact(text, [password]) == text


def test_a_reply_without_status_codes_is_withheld_whole():
    reply = "Server AUTH mechanism infinite loop. Last response: (334, b'YQ==')"
    assert redact_reply(reply, ["a"]) == WITHHELD
    assert redact_reply("535 Authentication failed for YQ==", ["a"]) == f"535 {WITHHELD}"
    assert redact_reply("5355 failed", ["a"]) == WITHHELD  # no code of three digits


@pytest.mark.parametrize(
    ("password", "withheld"),
    [
        ("x9!Qz", True),  # PIECE - 1 bytes
        ("x9!Qzw", False),  # PIECE bytes
        ("ก", True),  # one character of 3 bytes
        ("กข", False),  # two characters of 6 bytes: as long as a piece
    ],
)
def test_the_boundary_is_a_piece_of_bytes(password, withheld):
    assert (len(password.encode()) < PIECE) == withheld
    reply = f"535 5.7.8 Authentication failed for {password}"
    shown = redact_reply(reply, [password])
    assert shown == (
        f"535 5.7.8 {WITHHELD}" if withheld else f"535 5.7.8 Authentication failed for {MASK}"
    )


LONG = ["x9!Qzw", "s3cret-Pa55", "535 5.7.8", "กขคง"]


@pytest.mark.parametrize("password", LONG)
@pytest.mark.parametrize("kind", list(echoes("p")))
def test_a_long_password_is_masked_and_the_reply_kept(password, kind):
    reply = echoes(password)[kind]
    shown = redact_reply(reply, [password])
    assert shown == redact(reply, [password])  # as every text is masked
    assert not any(form in shown for form in forms(password))
    if kind == "no-echo":
        assert shown == (REPLY if password != "535 5.7.8" else f"{MASK} {REPLY[10:]}")
    else:
        assert shown.startswith("535 5.7.8 ") or password == "535 5.7.8"
        assert WITHHELD not in shown
        # A cut echo is masked when it holds PIECE bytes of the password in a row: not
        # x9!Qzw's, cut to 4 of its 6 bytes.
        assert MASK in shown or (kind, password) == ("auth-plain-cut-short", "x9!Qzw")


def test_no_password_keeps_the_reply():
    assert redact_reply(REPLY, [None, ""]) == REPLY
    assert redact_reply(REPLY, []) == REPLY


def test_a_short_password_beside_a_long_one_masks_the_long_one_in_the_codes():
    assert redact_reply(REPLY, ["a", "535 5.7.8"]) == f"{MASK} {WITHHELD}"
