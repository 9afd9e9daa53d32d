"""A network failure is said in the same plain words by a crawl and by a failed mail."""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl

import pytest
from twisted.internet import error as twisted_errors

from scraper.download_errors import plain_reason
from thaidigest.network_errors import socket_reason


@pytest.mark.parametrize(
    ("mail_error", "crawl_error", "words"),
    [
        (
            ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
            twisted_errors.ConnectionRefusedError(),
            "connection refused",
        ),
        (
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            twisted_errors.DNSLookupError(),
            "DNS lookup failed",
        ),
        (
            TimeoutError(errno.ETIMEDOUT, "Connection timed out"),  # the system gave up
            twisted_errors.TCPTimedOutError(),
            "timed out",
        ),
        (
            TimeoutError("timed out"),  # the socket's own timeout, ours
            twisted_errors.TimeoutError(),
            "timed out after 30 s",
        ),
        (
            OSError(errno.EHOSTUNREACH, "No route to host"),
            twisted_errors.NoRouteError(),
            "no route to host",
        ),
        (
            OSError(errno.ENETUNREACH, "Network is unreachable"),
            twisted_errors.NoRouteError(),
            "no route to host",
        ),
    ],
)
def test_a_mails_network_error_reads_as_the_crawls_of_the_same_kind(mail_error, crawl_error, words):
    assert socket_reason(mail_error, timeout=30) == plain_reason(crawl_error, timeout=30) == words


@pytest.mark.parametrize(
    "mail_error",
    [
        ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
        BrokenPipeError(errno.EPIPE, "Broken pipe"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ],
)
def test_a_server_that_hung_up_reads_as_the_crawls_connection_closed(mail_error):
    crawl_words = plain_reason(twisted_errors.ConnectionClosed(), timeout=30)
    assert (
        socket_reason(mail_error, timeout=30)
        == crawl_words
        == "connection closed before the answer ended"
    )


def test_a_server_that_never_answers_is_a_timeout_not_a_server_that_hung_up():
    """smtplib says a read that timed out as SMTPServerDisconnected, the timeout its context."""
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (its backlog), never greets
    with listener, pytest.raises(smtplib.SMTPServerDisconnected) as raised:
        smtplib.SMTP(*listener.getsockname()[:2], timeout=0.3)
    assert socket_reason(raised.value, timeout=0.3) == "timed out after 0.3 s"


def test_a_tls_error_without_openssls_reason_is_a_tls_error():
    assert socket_reason(ssl.SSLError(1, "raised by Python code"), timeout=30) == "TLS error"


def test_an_os_error_of_no_network_kind_is_left_to_its_own_message():
    assert socket_reason(OSError(errno.ENOSPC, "No space left on device"), timeout=30) is None
