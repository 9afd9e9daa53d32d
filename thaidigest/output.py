"""A command's standard output, and what it means when it cannot be written.

A command whose output goes to a full disk (``thaidigest export > /dev/full``)
fails with one line, ``Error: cannot write the output: no space left on
device``, and exit status 1, never a traceback. One whose reader went away
(``thaidigest export | head -1``) has nothing left to say to anyone: it stops
quietly with exit status 141, as a Unix tool killed by SIGPIPE does, so a
script tells it from a failure of its own.

Only a write to standard output is judged so: :class:`CheckedStdout` raises
:class:`OutputError` for it, so a command's own files (``export -o``, the
digest's folder) keep their own messages naming them. A command that logs to
standard output (``thaidigest run``) logs through :class:`OutputLogHandler`,
which keeps the error for the command to raise once it has stopped.

An error a command stops with goes to standard error in one write
(:func:`show_error`), so a reader of both outputs that takes the first line and
goes away (``thaidigest digest --week abc 2>&1 | head -1``) has had the error
whole: the exit status is the error's own (2), where click's two writes made it
1 or 2 as the reader went before or after the second. A reader gone before it is
written ends the command quietly with exit status 141 too.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any, TextIO

import click

from thaidigest.folders import os_reason

EXIT_CLOSED_PIPE = 128 + 13  # 141: what a shell reports for a process killed by SIGPIPE
# The time of a log line of Scrapy's own handler (``scrapy crawl --logfile FILE``): local
# time with its offset from UTC, "2026-12-04T22:14:24+0700". ``thaidigest crawl`` and
# ``scrapy crawl`` on stderr give it as the daemon does (:func:`log_time`,
# :class:`ZonedLogFormatter`).
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def log_time(moment: datetime) -> str:
    """A time, given in the zone it is to be read in, as the project's logs give it: ISO
    8601 to the second with its offset from UTC, ``2026-12-07T07:00:00+07:00``, the fraction
    of its second left out (a job run ``every`` N seconds keeps that of the moment it was
    added)."""
    return moment.isoformat(timespec="seconds")


class ZonedLogFormatter(logging.Formatter):
    """The log format ``fmt``, each line's time (``%(asctime)s``) given in ``zone``
    (:func:`log_time`), not in the machine's: a container's UTC clock logs the same times
    as the daemon, whose log gives them in the schedule's zone, and ``serve``."""

    def __init__(self, fmt: str, zone: tzinfo) -> None:
        super().__init__(fmt)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return log_time(datetime.fromtimestamp(record.created, self.zone))


class OutputError(Exception):
    """Standard output could not be written: ``errno`` and ``strerror`` say why. No
    OSError, so that a command's ``except OSError`` for its own files lets it by."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror)
        self.errno = error.errno
        self.strerror = error.strerror
        self.reason = os_reason(error)  # to end a sentence, as every error line says it


class CheckedStdout:
    """``stream`` (standard output), its write and flush errors turned into
    :class:`OutputError`; anything else it is asked is passed on."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            raise OutputError(error) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise OutputError(error) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class OutputLogHandler(logging.StreamHandler):
    """A log handler writing to standard output that gives up at the first write refused.

    Logging's own handler prints a traceback to stderr for every record it cannot
    write and carries on. This one keeps the first :class:`OutputError` in
    :attr:`error` and drops every record after it: the command stops once it sees
    the error, then raises it for :func:`checked_stdout` to end it as any other
    command (one line, or a quiet exit status 141).
    """

    def __init__(self, stream: TextIO | None) -> None:
        """``stream``: standard output; None when the process has none (``>&-``): the log
        goes to stderr then, as with logging's own handler."""
        if stream is None:
            super().__init__()
        else:
            super().__init__(stream if isinstance(stream, CheckedStdout) else CheckedStdout(stream))
        self.error: OutputError | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.error is None:
            super().emit(record)

    def flush(self) -> None:
        if self.error is not None:  # nothing more reaches the output: logging's last flush
            return
        try:
            super().flush()
        except OutputError as error:
            self.error = error

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OutputError):
            self.error = error
        else:
            super().handleError(record)


@contextmanager
def checked_stdout() -> Iterator[None]:
    """Run a command with :class:`CheckedStdout` as ``sys.stdout``; its failure to write is
    one line and exit status 1, a closed pipe a quiet exit status 141.

    The output still buffered is written before leaving, so that a full disk is
    found here rather than by the interpreter's last flush, which could only
    print a warning.
    """
    stdout = sys.stdout
    if stdout is None:  # no standard output at all: nothing to check
        yield
        return
    _replacing_unencodable(stdout)
    sys.stdout = CheckedStdout(stdout)  # type: ignore[assignment]
    try:
        yield
        sys.stdout.flush()
    except OutputError as error:
        if error.errno != errno.EPIPE:
            raise click.ClickException(f"cannot write the output: {error.reason}") from None
        _drop_output(stdout)
        raise SystemExit(EXIT_CLOSED_PIPE) from None
    finally:
        sys.stdout = stdout


def _replacing_unencodable(stdout: TextIO) -> None:
    """Have ``stdout`` write a character its encoding lacks as ``?``, as click does for the
    streams it opens itself (a handler other than strict, chosen with ``PYTHONIOENCODING``,
    is kept): in a TIS-620 locale, ``explain``'s topic line (``·``) or ``partners``' note
    (``…``), in a Latin-1 one any Thai, stopped the command with a traceback."""
    reconfigure = getattr(stdout, "reconfigure", None)  # a text file of the system's
    if reconfigure is not None and getattr(stdout, "errors", None) == "strict":
        reconfigure(errors="replace")


def show_error(error: click.ClickException) -> None:
    """Show ``error`` on standard error as click shows it (a usage error with the usage line
    and the hint to ``--help``), in one write; a reader gone away ends the command quietly
    with exit status 141, as a closed pipe under standard output does."""
    shown = io.StringIO()
    error.show(shown)
    try:
        click.echo(shown.getvalue(), err=True, nl=False)
    except OSError as failure:
        if failure.errno != errno.EPIPE:
            raise
        _drop_output(sys.stderr)
        raise SystemExit(EXIT_CLOSED_PIPE) from None


def _drop_output(stdout: TextIO) -> None:
    """Send what ``stdout`` (or standard error) still buffers to /dev/null, so that the
    interpreter's last flush does not find the closed pipe again (the recipe of Python's
    signal docs)."""
    try:
        descriptor = stdout.fileno()
    except (OSError, ValueError):  # not a file (a test's capture): nothing flushes it later
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)
