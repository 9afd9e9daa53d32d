"""How long a retry waits: the doubling back-off and the server's ``Retry-After``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scraper.middlewares import backoff_seconds, retry_after_seconds, retry_after_shown

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)

# Retry-After header -> seconds it asks for at NOW (None: not a Retry-After we can read)
RETRY_AFTER = {
    "seconds": ("3600", 3600.0),
    "seconds-padded": (" 120 ", 120.0),
    "zero": ("0", 0.0),
    "http-date": ("Wed, 02 Dec 2026 05:00:00 GMT", 3600.0),
    "http-date-passed": ("Wed, 02 Dec 2026 03:00:00 GMT", 0.0),
    "negative": ("-5", None),
    "superscript-two": ("\xb2", None),
    "words": ("soon", None),
    "empty": ("", None),
}


@pytest.mark.parametrize(("header", "expected"), RETRY_AFTER.values(), ids=RETRY_AFTER.keys())
def test_retry_after_is_read_as_seconds_or_as_an_http_date(header, expected):
    assert retry_after_seconds(header, NOW) == expected


def asked(header: str) -> float | None:
    return retry_after_seconds(header, NOW)


def test_backoff_follows_the_servers_retry_after_however_long_it_asks():
    assert backoff_seconds(1, 1.0, 60.0, asked("3600")) == 3600.0
    assert backoff_seconds(1, 1.0, 60.0, asked("Wed, 02 Dec 2026 05:00:00 GMT")) == 3600.0
    assert backoff_seconds(3, 1.0, 60.0, asked("0")) == 0.0


def test_backoff_without_a_readable_retry_after_doubles_up_to_the_cap():
    assert [backoff_seconds(n, 1.0, 60.0, None) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert backoff_seconds(10, 1.0, 60.0, asked("soon")) == 60.0


# Retry-After header -> the wait a stopped site's reason shows
SHOWN = {
    "seconds": ("3600", "3600 s"),
    "padded": (" 0120 ", "120 s"),
    "zero": ("0", "0 s"),
    "longer-than-a-float-holds": ("99999999999999999999999", "99999999999999999999999 s"),
    "http-date": ("Wed, 02 Dec 2026 05:00:00 GMT", "3600 s"),
}


@pytest.mark.parametrize(("header", "shown"), SHOWN.values(), ids=SHOWN.keys())
def test_a_retry_afters_wait_is_shown_as_the_server_sent_it(header, shown):
    seconds = asked(header)
    assert seconds is not None
    assert retry_after_shown(header, seconds) == shown
