"""The article store: SQLAlchemy Core over SQLite by default.

Tables
    meta              key/value: the schema version, and what went through the articles
                      (their scores, their partners, stories handed to canonical rows)
    articles          the current state of each article, one row per canonical URL
    article_versions  every distinct normalised content or published date an
                      article has had; the current one's headline and body are
                      those of ``articles`` (NULL here: each text is stored once)
    fingerprints      the exact hash and MinHash signature used for deduplication
    crawl_runs        one row per crawl of a source, with its report
    locks             named locks that keep two crawls of a site apart
    deliveries        which weekly digest was mailed to whom
    undelivered       which weekly digest a run could not mail to whom yet
    empty_answers     the crawls in a row whose page of an article came back with an
                      empty body, its text kept; the writer's only (see the table)

Every write happens inside :meth:`Store.transaction`, so an article and its
version are stored together or not at all.

SQLite's write lock is not a queue: a writer that commits and begins again at
once (an import) keeps it from another that waits (a crawl), which gives up
after :data:`BUSY_TIMEOUT`. So a writer waiting for the lock says so, holding a
shared ``flock`` on the file ``<database>-wait`` beside it, and a long write lets
it in between two of its transactions (:meth:`Store.let_writers_in`).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.engine.interfaces import ExceptionContext
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.sql.expression import Update

from thaidigest.dates import bangkok_date
from thaidigest.folders import FolderError, make_folder, os_reason, read_only_file_system
from thaidigest.model import OUTCOMES
from thaidigest.urls import canonical_form_of_former

SCHEMA_VERSION = 3  # 2: articles.partners; 3: the current version's text only in articles
DEFAULT_DB = "data/thaidigest.sqlite"
DB_ENV = "THAIDIGEST_DB"
# Seconds a SQLite connection waits for another's write lock before "database is locked".
BUSY_TIMEOUT = 30.0
WAIT_FILE_SUFFIX = "-wait"  # beside a SQLite file: held shared by the writers waiting
TURN_POLL = 0.01  # seconds between looks for writers still waiting
STOP_TURN = 0.5  # seconds a wait for the write lock that answers a stop request waits at a time

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("source", Text, nullable=False),
    Column("source_id", Text),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("published", Text),  # YYYY-MM-DD
    Column("language", Text, nullable=False),
    Column("category", Text),
    Column("extraction", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("first_seen", Text, nullable=False),  # ISO 8601 UTC
    Column("last_changed", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
    Column("versions", Integer, nullable=False, default=1),
    Column("fetch_url", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("relevance", Float, nullable=False, default=0.0),
    Column("relevant", Boolean, nullable=False, default=False),
    Column("topics", Text, nullable=False, default="[]"),  # JSON list
    Column("partners", Text, nullable=False, default="[]"),  # JSON list of partner ids
    Column("duplicate_of", Text),  # canonical URL of the cluster representative
    Index("ix_articles_source_id", "source", "source_id"),
    Index("ix_articles_published", "published"),
    Index("ix_articles_first_seen", "first_seen"),
    Index("ix_articles_last_changed", "last_changed"),
    Index("ix_articles_duplicate_of", "duplicate_of"),
)

article_versions = Table(
    "article_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("seen_at", Text, nullable=False),
    Column("content_hash", Text, nullable=False),
    Column("title", Text),  # NULL for the current version: see articles.title
    Column("body", Text),  # NULL for the current version: see articles.body
    Column("published", Text),
    UniqueConstraint("article_id", "version"),
    Index("ix_versions_seen_at", "seen_at"),
)

fingerprints = Table(
    "fingerprints",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
    Column("exact_hash", Text, nullable=False),
    Column("minhash", LargeBinary, nullable=False),
    Index("ix_fingerprints_exact_hash", "exact_hash"),
)

RUNNING = "running"  # the status of a crawl run not finished (yet)
STOPPED = "stopped"  # of one a signal stopped
FAILED = "failed"  # of one that failed
DATABASE_ERROR = "database error"  # the finish reason of a crawl the store refused
# Why a run still "running" never finished: its process is gone (killed, its machine restarted).
DIED = "the crawl process ended before the crawl did"

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("finished_at", Text),
    Column("status", Text, nullable=False),  # running | ok | blocked | stopped | failed | locked
    Column("report", Text, nullable=False, default="{}"),  # JSON
    Index("ix_crawl_runs_source_started", "source", "started_at"),
)

locks = Table(
    "locks",
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("acquired_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("week", Text, primary_key=True),
    Column("recipient", Text, primary_key=True),
    Column("sent_at", Text, nullable=False),
)

# A row from the start of a send until it succeeds (the row moves to deliveries): a week
# a later run still owes the recipient. A database without the table gets it on opening.
undelivered = Table(
    "undelivered",
    metadata,
    Column("week", Text, primary_key=True),
    Column("recipient", Text, primary_key=True),
)

# A row while a crawled article's page comes back with an empty body, its stored text kept
# (thaidigest.ingest.came_back_empty): on how many crawls in a row, and the articles.last_seen
# the last of them wrote; deleted once the page answers with text or is stored empty. Only
# the crawl's writing reads it: an open to write makes it in a database without it (one an
# earlier thaidigest of the same schema made), one that only reads (export, status, a file
# on read-only media) does without. A row whose seen_at is not its article's last_seen
# counts nothing: an earlier thaidigest visited the page since, and ended the run unaware.
empty_answers = Table(
    "empty_answers",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
    Column("answers", Integer, nullable=False),
    Column("seen_at", Text, nullable=False),  # ISO 8601 UTC
)
# The tables a database that is only read does without.
WRITERS_TABLES = frozenset({empty_answers.name})


def utc_now() -> datetime:
    """The current time in UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


# A time as stored (:func:`iso`), found in text: a message that quotes one.
STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def iso(moment: datetime) -> str:
    """ISO 8601 text of a UTC time, as stored: ``2024-08-23T10:00:00Z`` (:data:`STORED_TIME`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """The time a stored ISO 8601 text says (the inverse of :func:`iso`), time zone aware."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stored_moment(text: str) -> datetime:
    """The instant a stored time says, to reckon with (:func:`parse_iso`): one without a
    zone, not written by :func:`iso` (an old or hand-edited database), read as UTC, as the
    store keeps every time, not left naive for a comparison with an aware one to raise."""
    moment = parse_iso(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class StoreError(RuntimeError):
    """The database cannot be opened, read or written.

    Its message is one line naming the database (a password masked) and what
    is wrong, never the SQL statement or its parameters (article text).
    """


class StoreBusyError(StoreError):
    """Another writer held the database's write lock for longer than the wait allowed.

    Nothing is wrong with the database: the same write may succeed a moment later.
    """


class StoreWaitStopped(StoreError):
    """A wait for another writer's write lock, or for a lock's holder to end its turn
    (:func:`thaidigest.locks.turn`), given up because the process is stopping.

    Nothing was written; the command that waited stops as its stop request says.
    """


class SchemaError(StoreError):
    """The database's schema is none this thaidigest can use: a newer one, one to upgrade
    on another database than SQLite, or a version recorded as no number."""


class NoDatabaseError(StoreError):
    """A command that only reads was given a SQLite file that does not exist.

    A wrong ``--db``: the command line shows it as a settings error (exit 2).
    """


class ForeignDatabaseError(NoDatabaseError):
    """The SQLite file given holds another application's tables, and no thaidigest ``meta``.

    A wrong ``--db`` too (exit 2): every command refuses it and leaves the file as it is.
    """


class StoreIntegrityError(StoreError, IntegrityError):
    """A constraint refused a write: an IntegrityError to SQLAlchemy's callers, one line to all."""

    def __init__(self, message: str, error: IntegrityError) -> None:
        IntegrityError.__init__(self, error.statement, error.params, error.orig)
        self.message = message

    def __str__(self) -> str:
        return self.message


def database_url(db: str | None) -> str:
    """A SQLAlchemy URL from ``--db``, ``THAIDIGEST_DB`` or the default path.

    An empty ``db``, or an empty ``THAIDIGEST_DB`` when ``db`` is None, is an
    error, not the default: it is a mistake (an unset variable in a script),
    and the default database is the wrong one to write.
    """
    if db is not None and not db.strip():
        raise StoreError("the database name is empty: give a file or URL")
    if db is None and DB_ENV in os.environ and not os.environ[DB_ENV].strip():
        raise StoreError(f"{DB_ENV} is set but empty: give a database file or URL, or unset it")
    value = db or os.environ.get(DB_ENV) or DEFAULT_DB
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser())


def sqlite_url(path: Path | str) -> str:
    """The URL of the SQLite file at ``path``, whatever its name holds: a URL reads ``%41``
    as ``A`` and a ``?`` as the start of a query, so those are written escaped (``--db
    'p%41.sqlite'`` wrote ``pA.sqlite``, ``q?x.sqlite`` wrote ``q``); ``#`` too, which a
    URL may read as a fragment."""
    escaped = str(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"sqlite:///{escaped}"


def _sqlite_path(url: str) -> str | None:
    """The path in a SQLite URL as SQLAlchemy reads it (unescaped, without a query)."""
    if not url.startswith("sqlite:///"):
        return None
    try:
        return make_url(url).database or ""
    except ArgumentError:
        return url.removeprefix("sqlite:///")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for an in-memory database or another dialect."""
    path = _sqlite_path(url)
    if not path or path == ":memory:":
        return None
    return Path(path)


def display_url(url: str) -> str:
    """The database as messages name it: a SQLite file's path, else the URL without password."""
    path = _sqlite_path(url)
    if path is not None:
        return path or ":memory:"
    return _masked(url)


def _masked(url: str) -> str:
    """``url`` with its password masked (``postgresql://digest:***@db/x``)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the database URL given"


def shown_db(db: str) -> str:
    """A ``--db`` value as messages show it: as given (``sqlite:///:memory:``, not its
    escaped form), but a URL with a password masked, and one that cannot be read with
    an ``@`` in it (where a password would stand) not shown."""
    try:
        masked = make_url(db).password is not None
    except ArgumentError:
        masked = "@" in db
    return _masked(db) if masked else db


IN_MEMORY = "an in-memory database keeps nothing: give a file"
NOT_A_DATABASE_URL = "not a database URL thaidigest reads: give a file path or sqlite:///PATH"


def unusable_database(url: str) -> str | None:
    """Why the database ``url`` (as :func:`database_url` makes it) is none a command may
    keep articles in, or None when it may be: an in-memory SQLite database
    (``sqlite://``, ``sqlite:///:memory:``) is gone when the command ends, so an import
    would store nothing; a URL SQLAlchemy has no dialect for (``foo://x``: "Can't load
    plugin: sqlalchemy.dialects:foo"), or no URL at all, is none it reads. A dialect whose
    driver is not installed is left to the open to say (``no driver: …``)."""
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except ArgumentError:  # NoSuchModuleError, no such dialect, is one
        return NOT_A_DATABASE_URL
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        return IN_MEMORY
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def version_columns() -> list[Any]:
    """The columns of ``article_versions``, each version's headline and body filled in.

    Select them from :data:`VERSIONS_WITH_ARTICLES`: the current version's
    text is read from ``articles``.
    """
    text = {"title", "body"}
    return [
        *(column for column in article_versions.c if column.name not in text),
        func.coalesce(article_versions.c.title, articles.c.title).label("title"),
        func.coalesce(article_versions.c.body, articles.c.body).label("body"),
    ]


VERSIONS_WITH_ARTICLES = article_versions.join(
    articles, articles.c.id == article_versions.c.article_id
)

# Run before an article's row takes a new text: its current version keeps the old one.
KEEP_SUPERSEDED_TEXT = (
    update(article_versions)
    .where(
        article_versions.c.article_id == bindparam("row_id"),
        article_versions.c.version == bindparam("superseded"),
        article_versions.c.title.is_(None),
    )
    .values(
        title=select(articles.c.title)
        .where(articles.c.id == bindparam("row_id"))
        .scalar_subquery(),
        body=select(articles.c.body).where(articles.c.id == bindparam("row_id")).scalar_subquery(),
    )
)


def _file_tables(file: Path, immutable: bool) -> tuple[set[str], bool]:
    """The tables of an existing SQLite file (SQLite's own aside), and whether they are
    another application's.

    Thaidigest's are the tables of :data:`metadata`, or any beside a ``meta`` table
    holding our schema version (or nothing yet: one being created). The file is read
    read-only, before any pragma, so a foreign file keeps its journal mode; as an
    immutable file where :func:`_unchangeable` says it is.
    """
    uri = _file_uri(file, immutable)
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
    try:
        query = (  # sqlite_sequence and the like are SQLite's own
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite^_%' ESCAPE '^'"
        )
        tables = {row[0] for row in conn.execute(query)}
        if "meta" not in tables:  # ours while create_all makes the tables, meta not yet
            return tables, not tables <= set(metadata.tables)
        try:
            keys = {row[0] for row in conn.execute("SELECT key FROM meta")}
        except sqlite3.Error:  # a meta table without our columns
            return tables, True
        return tables, bool(keys) and "schema_version" not in keys
    finally:
        conn.close()


def _file_uri(file: Path, immutable: bool) -> str:
    """A read-only SQLite URI of ``file``; with ``immutable``, one that takes no lock and
    makes no ``-shm`` file (which a read-only file system cannot hold)."""
    return f"file:{quote(str(file.absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")


def _unchangeable(file: Path) -> bool:
    """Whether the SQLite file ``file`` is on a file system mounted read-only (a backup
    medium, a read-only volume of a container) and complete without its write-ahead log.

    No process writes the file through such a mount, so SQLite may read it as immutable:
    otherwise it cannot open it at all, a WAL database's readers needing a ``-shm`` file
    beside it. A ``-wal`` file holding commits not yet in the database is read only by
    a normal open: immutable, SQLite would ignore them.
    """
    wal = file.with_name(file.name + "-wal")
    return read_only_file_system(file.parent) and not (wal.exists() and wal.stat().st_size > 0)


# What the system says of a file this user may not read or write (EACCES), as os_reason words it.
PERMISSION_DENIED = os_reason(PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
# SQLite's "unable to open database file" and "attempt to write a readonly database".
_FILE_REFUSALS = (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY)


def _primary_code(error: BaseException) -> int | None:
    """SQLite's primary result code of a driver error (``SQLITE_BUSY``...); None for another."""
    code = getattr(error, "sqlite_errorcode", None)  # the extended code: primary in its low byte
    return None if code is None else code & 0xFF


def _refusal(error: BaseException, file: Path) -> str:
    """Why SQLite refused the database file ``file`` (``error``), to end a message naming
    it: SQLite's words, with the file system's when it is mounted read-only; or
    :func:`_denied` when this user lacks a permission opening it needs."""
    reason = _first_line(error)
    code = _primary_code(error)
    if code not in _FILE_REFUSALS:
        return reason
    if read_only_file_system(file.parent):
        return f"{reason} ({file.parent} is on a read-only file system)"
    return _denied(file, writing=code == sqlite3.SQLITE_READONLY) or reason


def _denied(file: Path, *, writing: bool) -> str | None:
    """``permission denied`` and what this user may not do that opening the database file
    ``file`` needs, None when it may do all of it: enter each folder on its way, read the
    file, write it when ``writing``, and write in its folder (a database is written, and a
    WAL database read, with files made beside it)."""
    lacking = None
    for folder in reversed(file.parents):
        if not os.access(folder, os.X_OK):
            lacking = f"the folder {folder} cannot be entered by this user"
            break
    else:
        # A read-only open of a read-only file leaves its -shm file read-only as well.
        beside = [file.with_name(file.name + suffix) for suffix in ("-wal", "-shm")]
        stuck = next(
            (path for path in beside if path.is_file() and not os.access(path, os.W_OK)), None
        )
        if file.exists() and not os.access(file, os.R_OK):
            lacking = "the file cannot be read by this user"
        elif file.exists() and writing and not os.access(file, os.W_OK):
            lacking = "the file cannot be written by this user"
        elif stuck is not None:
            lacking = f"the file {stuck} beside it cannot be written by this user"
        elif file.parent.is_dir() and not os.access(file.parent, os.W_OK):
            lacking = f"the folder {file.parent} cannot be written by this user"
    return None if lacking is None else f"{PERMISSION_DENIED} ({lacking})"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={round(BUSY_TIMEOUT * 1000)}")
    _into_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _into_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode, trying again for up to BUSY_TIMEOUT while another
    connection holds its lock.

    A new file is not in WAL mode yet: the first connection to it switches it, which takes
    the file's exclusive lock. When another connection holds the write lock meanwhile (a
    second process opening the same new file at once), SQLite answers "database is
    locked" at once instead of waiting ``busy_timeout``, as waiting could deadlock.
    """
    give_up_at = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if _primary_code(error) != sqlite3.SQLITE_BUSY or time.monotonic() >= give_up_at:
                raise
            time.sleep(TURN_POLL)


def _add_partners(conn: Connection) -> None:
    """Schema 1 -> 2: the ``partners`` column, filled from each article's headline and opening."""
    from thaidigest.partners import partners  # only an old database needs it

    conn.exec_driver_sql("ALTER TABLE articles ADD COLUMN partners TEXT NOT NULL DEFAULT '[]'")
    rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.body)).all()
    filled = [
        {"row_id": row.id, "found": json.dumps(list(partners(row.title, row.body)))} for row in rows
    ]
    if filled:
        conn.execute(
            update(articles)
            .where(articles.c.id == bindparam("row_id"))
            .values(partners=bindparam("found")),
            filled,
        )
    conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="2"))


# Before a fingerprint in ``meta``, then a token of the pass: a pass is finding a field
# of every stored article again (their partners, their scores) with what the fingerprint
# names (:meth:`Store.begin_finding`).
FINDING = "finding "


def written_with(conn: Connection, key: str, fingerprint: str) -> None:
    """Record, in the transaction that wrote articles, that the field the ``meta`` row
    ``key`` speaks for (their partners, their scores) was found with ``fingerprint``: the
    row is taken out unless it names that (or a pass finding with it), so that it never
    names a table or model some stored articles' field was not found with, and the next
    pass finds every one again.

    A process built before the user edited their partners or rules file stores articles
    with the old file's partners or scores; another process, built after, found every
    stored article's again with the new one and recorded its fingerprint: nothing would
    find the first one's articles again."""
    recorded = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    if recorded is not None and not _names(recorded, fingerprint):
        conn.execute(delete(meta).where(meta.c.key == key))


def add_crawl_counts(conn: Connection, run_id: int, counts: Mapping[str, int]) -> None:
    """Add ``counts`` to those the report of a crawl run still running holds, in the
    caller's transaction: a crawl counts the articles it stores on its run with them,
    so a crawl killed before it reports leaves on its run what it stored."""
    where = (crawl_runs.c.id == run_id) & (crawl_runs.c.status == RUNNING)
    stored = conn.execute(select(crawl_runs.c.report).where(where)).scalar()
    if stored is None:  # finished already: its report has the crawl's own counts
        return
    report = json.loads(stored)
    for name, count in counts.items():
        report[name] = report.get(name, 0) + count
    conn.execute(
        update(crawl_runs)
        .where(where)
        .values(report=json.dumps(report, ensure_ascii=False, sort_keys=True))
    )


def _names(recorded: str, fingerprint: str) -> bool:
    """Whether a ``meta`` value names ``fingerprint``: recorded, or a pass finding with it."""
    return recorded == fingerprint or recorded.startswith(f"{FINDING}{fingerprint} ")


def _set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(delete(meta).where(meta.c.key == key))
    conn.execute(insert(meta).values(key=key, value=value))


def _schema_version(conn: Connection, name: str) -> int | None:
    """The schema version the database ``name`` records, None when it records none; a
    :class:`SchemaError` when what it records is no whole number (a hand-edited ``meta``)."""
    stored = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if stored is None:
        return None
    try:
        return int(stored)
    except ValueError:
        raise SchemaError(
            f"database {name}: its schema version {stored!r} is not a whole number"
        ) from None


def _version_text_once(conn: Connection) -> None:
    """Schema 2 -> 3: ``article_versions`` rebuilt with a nullable text, the current one NULL.

    SQLite cannot relax a NOT NULL column in place: the table is copied into
    its new form, in the caller's transaction.
    """
    conn.exec_driver_sql("DROP INDEX ix_versions_seen_at")
    conn.exec_driver_sql("ALTER TABLE article_versions RENAME TO article_versions_2")
    article_versions.create(conn)
    conn.exec_driver_sql(
        """
        INSERT INTO article_versions
            (id, article_id, version, seen_at, content_hash, title, body, published)
        SELECT v.id, v.article_id, v.version, v.seen_at, v.content_hash,
               CASE WHEN v.version = a.versions AND v.content_hash = a.content_hash
                    THEN NULL ELSE v.title END,
               CASE WHEN v.version = a.versions AND v.content_hash = a.content_hash
                    THEN NULL ELSE v.body END,
               v.published
        FROM article_versions_2 AS v JOIN articles AS a ON a.id = v.article_id
        """
    )
    conn.exec_driver_sql("DROP TABLE article_versions_2")
    conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="3"))


# The meta row recording that :func:`_canonical_rows_represent` went through the database,
# and its value once it did so under the latest rule of canonical_url that made a former
# form (a host in Thai stored in IDNA form): "done" was written when it ran before that rule.
CANONICAL_REPRESENTATIVES_KEY = "canonical_rows_represent"
CANONICAL_REPRESENTATIVES_DONE = "done with hosts in IDNA form"


def _canonical_rows_represent(conn: Connection) -> None:
    """Hand each story a release before this one had represented by a row under a former
    form of its address (``details/%E0%B9%98...``, ``details/87382?lang=th``, a host in
    Thai: ``ไทย.com``, whose canonical form is ``xn--o3cw4h.com``), the row
    under its canonical form a copy of it, to the canonical row, as deduplication now
    chooses (:func:`thaidigest.fingerprint.representative`); and record it in ``meta``.

    That release made the canonical row the old one's copy when a crawl stored it (the
    escapes sort before the id's digits), and an unchanged page crawled again changes no
    cluster: without this, the story would be linked at the old address until it changed.
    Few rows are representatives under such an address; a story handed over is not found
    again, so running it twice changes nothing. No schema change: a thaidigest before
    it reads and writes the database as before."""
    represented = conn.execute(
        select(articles.c.duplicate_of).where(articles.c.duplicate_of.is_not(None)).distinct()
    ).scalars()
    canonical_of = {
        former: canonical
        for former in represented
        if (canonical := canonical_form_of_former(former)) is not None
    }
    copies = conn.execute(
        select(articles.c.url, articles.c.duplicate_of).where(
            articles.c.url.in_(set(canonical_of.values())),
            articles.c.duplicate_of.in_(list(canonical_of)),
        )
    ).all()
    for canonical, former in copies:
        if canonical_of[former] != canonical:
            continue
        conn.execute(
            update(articles)
            .where(or_(articles.c.duplicate_of == former, articles.c.url == former))
            .values(duplicate_of=canonical)
        )
        conn.execute(update(articles).where(articles.c.url == canonical).values(duplicate_of=None))
    _set_meta(conn, CANONICAL_REPRESENTATIVES_KEY, CANONICAL_REPRESENTATIVES_DONE)


def _begin_immediate_within(conn: Connection, wait: float) -> None:
    """Take SQLite's write lock, waiting ``wait`` seconds for it instead of BUSY_TIMEOUT.

    Only the wait for the lock is shortened: once held, the transaction's
    statements need no other lock in WAL mode, and the connection goes back
    to the pool with its usual timeout.
    """
    conn.exec_driver_sql(f"PRAGMA busy_timeout={round(wait * 1000)}")
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={round(BUSY_TIMEOUT * 1000)}")


def _begin_immediate_unless(
    conn: Connection, name: str, wait: float, stopping: Callable[[], bool]
) -> None:
    """Take SQLite's write lock within ``wait`` seconds, as :func:`_begin_immediate_within`,
    in turns of :data:`STOP_TURN` seconds, looking at ``stopping()`` between two turns.

    SQLite waits inside one C call, during which Python runs no signal handler: one
    long wait would hold a stop request up for all of it. Once ``stopping()``, the
    wait is given up with :class:`StoreWaitStopped`; at ``wait`` seconds it ends with
    the :class:`StoreBusyError` one long wait would have raised.
    """
    give_up_at = time.monotonic() + wait
    while True:
        turn = min(STOP_TURN, max(0.0, give_up_at - time.monotonic()))
        try:
            _begin_immediate_within(conn, turn)
            return
        except StoreBusyError:
            if stopping():
                raise StoreWaitStopped(
                    f"database {name}: the wait for another writer given up: stopping"
                ) from None
            if time.monotonic() >= give_up_at:
                raise


class WriteTurns:
    """Turns at a SQLite file's write lock, across processes, kept in its ``-wait`` file.

    A writer holds the file shared (:meth:`waiting`) while it waits for the lock;
    :meth:`let_in` waits until no one does. A file that cannot be opened (a
    read-only folder) keeps no turns: writers wait as SQLite alone has them.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> int | None:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError:
            return None

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Say this process waits for the write lock, for the block's length."""
        fd = self._open()
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            if fd is not None:
                os.close(fd)  # and the flock with it

    def let_in(self, timeout: float) -> None:
        """Return once no writer waits, or after ``timeout`` seconds."""
        fd = self._open()
        if fd is None:
            return
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return
                    time.sleep(TURN_POLL)
        finally:
            os.close(fd)


class Store:
    """A connection pool to the article database, with its schema in place.

    A SQLite file that does not exist is created, its folder too, unless
    ``create`` is false (a command that only reads): then it is a
    :class:`NoDatabaseError` and nothing is made; so is an existing file with
    no table. ``existing``: a command that writes but must not start a database (a
    digest built from a new one would empty the published feeds) is refused a SQLite
    file that does not exist, or holds no table (a 0-byte file), as one that only reads
    is, and opens any other as a writer does. An existing file holding another
    application's tables is a :class:`ForeignDatabaseError` whatever ``create`` says,
    and is left as it is; a folder is a :class:`StoreError`, whatever ``create`` says.

    ``read_only``: the file is on a file system mounted read-only and opened as immutable
    (:func:`_unchangeable`), so nothing can be written to it, a lock's row neither.
    """

    def __init__(self, url: str, *, create: bool = True, existing: bool = False) -> None:
        self.url = url
        self.name = display_url(url)
        file = sqlite_file(url)
        try:
            is_folder = file is not None and file.is_dir()
        except OSError as error:  # a folder on its way this user may not enter
            reason = _denied(file, writing=create) or os_reason(error)
            raise StoreError(f"database {self.name}: {reason}") from None
        if is_folder:  # SQLite would say only "disk I/O error"
            raise StoreError(f"database {self.name}: is a folder, not a database file")
        if file is not None and (existing or not create) and not file.exists():
            raise NoDatabaseError(f"database {self.name}: no such file")
        # The tables the database holds, listed once: a SQLite file's before the engine
        # touches it (a new file holds none), any other database's once connected.
        present: set[str] | None = None
        immutable = False
        if file is not None and file.exists():
            immutable = _unchangeable(file)
            present = self._check_file(file, create and not existing, immutable)
        elif file is not None:
            present = set()
        engine_url: str | URL = url
        self.read_only = immutable
        if immutable:  # URL.create: a URL string's path would lose its URI quoting
            engine_url = URL.create("sqlite", database=_file_uri(file, True), query={"uri": "true"})
        try:
            if file is not None:
                make_folder(file.parent)
            self.engine: Engine = create_engine(engine_url)
        except FolderError as error:
            raise StoreError(f"database {self.name}: {error}") from None
        except OSError as error:
            raise StoreError(f"database {self.name}: {os_reason(error)}") from None
        except ArgumentError as error:  # not a URL, or no dialect for it
            raise StoreError(f"database {self.name}: {_first_line(error)}") from None
        except ImportError as error:  # a dialect whose driver is not installed
            raise StoreError(f"database {self.name}: no driver: {error}") from None
        self.turns = (
            WriteTurns(file.with_name(file.name + WAIT_FILE_SUFFIX)) if file is not None else None
        )
        event.listen(self.engine, "handle_error", self._one_line_error)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if present is None:
            with self.engine.connect() as conn:
                present = set(inspect(conn).get_table_names())
        self._create_tables(present, writing=create and not immutable)
        self._check_schema()
        if create and not immutable:  # a command that writes: see _canonical_rows_represent
            self._hand_stories_to_canonical_rows()

    def _create_tables(self, present: set[str], *, writing: bool) -> None:
        """Create the tables a database lacks (``present`` are those it holds), in one
        transaction holding the write lock; :meth:`_check_schema` then records the
        schema version of a new database. An open that only reads (``writing`` false)
        needs none of :data:`WRITERS_TABLES`, so a database without them is not written
        (nor could be, on read-only media).

        Two processes opening a new database at once (a daemon's crawl and an
        import) would otherwise both see a table missing and both create it,
        and one fail (``table meta already exists``). An open that finds every
        table takes no lock; one that lists them before another process made
        them finds them made once it holds the lock.
        """
        needed = set(metadata.tables) - (set() if writing else WRITERS_TABLES)
        if needed <= present:
            return
        with self.transaction() as conn:
            metadata.create_all(conn)

    def _check_file(self, file: Path, create: bool, immutable: bool) -> set[str]:
        """Refuse an existing file that is not ours before anything writes to it, and one
        holding no table unless ``create``; the tables it holds."""
        try:
            tables, foreign = _file_tables(file, immutable)
        except sqlite3.Error as error:  # not a database, unreadable
            raise StoreError(f"database {self.name}: {_refusal(error, file)}") from None
        if foreign:
            raise ForeignDatabaseError(
                f"database {self.name}: not a thaidigest database (it holds other tables)"
            )
        if not tables and not create:
            raise NoDatabaseError(
                f"database {self.name}: not a thaidigest database (it holds no tables)"
            )
        return tables

    def _one_line_error(self, context: ExceptionContext) -> None:
        """Turn a database error into a :class:`StoreError` of one line.

        A constraint's refusal stays an IntegrityError too, which the lock and
        the job store catch.
        """
        error = context.sqlalchemy_exception
        if error is None:
            return
        original = context.original_exception
        message = f"database {self.name}: {_first_line(original)}"
        if isinstance(error, IntegrityError):
            raise StoreIntegrityError(message, error)
        if _primary_code(original) == sqlite3.SQLITE_BUSY:
            raise StoreBusyError(message)
        file = sqlite_file(self.url)
        if file is not None:
            message = f"database {self.name}: {_refusal(original, file)}"
        raise StoreError(message)

    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True, existing: bool = False) -> Store:
        """The store named by ``--db``, ``THAIDIGEST_DB`` or the default path.

        ``create=False`` for a command that only reads: a missing SQLite file
        is a :class:`NoDatabaseError`, not a new empty database; so it is with
        ``existing=True``, for a command that writes to a database it must not start.
        """
        return cls(database_url(db), create=create, existing=existing)

    def _check_schema(self) -> None:
        """Record the schema version of a database that has none (a new one: it is of this
        schema), upgrade an older one, refuse a newer one."""
        # A plain transaction: most opens only read the version, and must not wait
        # for a write lock (see :meth:`transaction`).
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.begin() as conn:
            version = _schema_version(conn, self.name)
            if version is not None and version < SCHEMA_VERSION and not sqlite:
                raise SchemaError(
                    f"database {self.name}: schema {version} can be upgraded on SQLite only"
                )
            if sqlite and (version is None or version < SCHEMA_VERSION):
                # pysqlite opens a transaction only before a data change: without an
                # explicit one, each schema change would commit on its own. IMMEDIATE
                # takes the write lock now, so a second process opening the database
                # waits, then finds the version recorded or the upgrade done.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                version = _schema_version(conn, self.name)
            if version is None:  # a new database: no story to hand over either
                conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
                _set_meta(conn, CANONICAL_REPRESENTATIVES_KEY, CANONICAL_REPRESENTATIVES_DONE)
            elif version < SCHEMA_VERSION:
                if version == 1:
                    _add_partners(conn)
                _version_text_once(conn)
            elif version > SCHEMA_VERSION:
                raise SchemaError(
                    f"database {self.name}: schema {version} is newer than this "
                    f"thaidigest ({SCHEMA_VERSION})"
                )

    def _hand_stories_to_canonical_rows(self) -> None:
        """Run :func:`_canonical_rows_represent` once on a database: only if ``meta`` does
        not record it run under today's rules (:data:`CANONICAL_REPRESENTATIVES_DONE`), so
        most opens read one row and take no write lock."""
        if self.meta_value(CANONICAL_REPRESENTATIVES_KEY) == CANONICAL_REPRESENTATIVES_DONE:
            return
        with self.transaction() as conn:  # another process may have run it meanwhile
            recorded = select(meta.c.value).where(meta.c.key == CANONICAL_REPRESENTATIVES_KEY)
            if conn.execute(recorded).scalar() != CANONICAL_REPRESENTATIVES_DONE:
                _canonical_rows_represent(conn)

    @contextmanager
    def transaction(
        self, wait: float | None = None, *, stopping: Callable[[], bool] | None = None
    ) -> Iterator[Connection]:
        """A connection whose writes commit together, or roll back on error.

        On SQLite it holds the write lock from its start: pysqlite begins a
        transaction only before the first change, so what the transaction read
        first (the stored URLs of a batch, a lock's holder) another process could
        change before it wrote (two imports of one file at once: one failed on
        UNIQUE). It waits for another writer up to :data:`BUSY_TIMEOUT` seconds,
        or ``wait`` seconds when given, then raises :class:`StoreBusyError`.
        SQLite waits inside one C call, during which Python runs no signal
        handler: given ``stopping``, a caller under its own signal handlers waits in
        turns and gives up with :class:`StoreWaitStopped` once ``stopping()`` says so
        (:func:`_begin_immediate_unless`).
        A writer that waits is let in by a long write (:meth:`let_writers_in`).
        """
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                with self.turns.waiting() if self.turns else nullcontext():
                    if stopping is not None:
                        total = BUSY_TIMEOUT if wait is None else wait
                        _begin_immediate_unless(conn, self.name, total, stopping)
                    elif wait is None:
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    else:
                        _begin_immediate_within(conn, wait)
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection whose reads all see the database as of one moment, for a caller
        that reads two things that must agree (a digest run's mailing lock and the weeks it
        owes), which a write between two reads would set apart.

        On SQLite it opens a read transaction: pysqlite begins none before a read, so each
        statement would see the database as it stood when that statement ran. In WAL mode
        the transaction waits for no writer and keeps none waiting; its view is taken at
        its first read. Elsewhere it is a plain transaction, at the database's isolation.
        """
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN")
            yield conn

    def let_writers_in(self) -> None:
        """Between two transactions of a long write: return once the writers that were
        waiting for the write lock have had it (at most :data:`BUSY_TIMEOUT` seconds)."""
        if self.turns is not None:
            self.turns.let_in(BUSY_TIMEOUT)

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    # --- Reads used by several commands --------------------------------------

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar_one()

    def watched_since(self) -> datetime | None:
        """When watching began: the first crawl run started or the first article was stored
        (its ``first_seen``, of any source, a text file imported too, as an export keeps
        it), whichever came first; None while neither is. A week that ended before it was
        never watched: ``status`` finds no digest of it missing, and a mailing run does not
        mail its digest when it lists no story."""
        with self.engine.connect() as conn:
            moments = [
                conn.execute(select(func.min(crawl_runs.c.started_at))).scalar(),
                conn.execute(select(func.min(articles.c.first_seen))).scalar(),
            ]
        return min((stored_moment(moment) for moment in moments if moment), default=None)

    def max_source_id(self, source: str, *, fetched: bool = False) -> int | None:
        """The highest numeric article id stored for a site; with ``fetched``, of the
        articles a crawl has fetched (a ``fetch_url``), not of those only imported."""
        query = select(func.max(func.cast(articles.c.source_id, Integer))).where(
            articles.c.source == source
        )
        if fetched:
            query = query.where(articles.c.fetch_url.is_not(None))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def source_ids(self, source: str, *, undated: bool = False) -> set[str]:
        """The ids of a site's stored articles; only those with no published date if ``undated``."""
        query = select(articles.c.source_id).where(articles.c.source == source)
        if undated:
            query = query.where(articles.c.published.is_(None))
        with self.engine.connect() as conn:
            return {row for row in conn.execute(query).scalars() if row}

    def recent_titles(self, source: str, limit: int) -> list[str]:
        """The headlines of a site's ``limit`` articles first seen last."""
        query = (
            select(articles.c.title)
            .where(articles.c.source == source)
            .order_by(articles.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def recent_articles(self, source: str, since: datetime) -> list[dict[str, Any]]:
        """A site's articles that may still be edited, for revisiting: those recent since ``since``.

        An article a crawl has fetched is recent by when it was first seen. One
        that only an import brought (no ``fetch_url``) was first seen when imported,
        which says nothing of its age: it is recent by its published date, or by
        when it was first seen if it has no date. Only articles with a site id: an
        imported page of the site that is not an article (a listing, another
        section) names nothing a crawl can ask for. Each with the address a crawl
        last fetched it at (``fetch_url``, None for one only imported): the one a
        revisit asks for.
        """
        fetched = articles.c.fetch_url.is_not(None)
        by_first_seen = or_(fetched, articles.c.published.is_(None))
        query = (
            select(
                articles.c.url,
                articles.c.source_id,
                articles.c.fetch_url,
                articles.c.etag,
                articles.c.last_modified,
                articles.c.published,
            )
            .where(
                articles.c.source == source,
                articles.c.source_id.is_not(None),
                or_(
                    and_(by_first_seen, articles.c.first_seen >= iso(since)),
                    and_(~by_first_seen, articles.c.published >= bangkok_date(since).isoformat()),
                ),
            )
            .order_by(articles.c.id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def meta_value(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def update_scores(
        self,
        scores: Iterable[tuple[int, str, float, bool, str]],
        meta_key: str,
        meta_value: str,
        *,
        begun: str | None = None,
    ) -> int:
        """Store new ``(id, content hash read, relevance, relevant, topics JSON)`` and record
        ``meta_key``, at once; how many articles' scores were written.

        As :meth:`update_partners`: an article stored anew meanwhile keeps the scores of its
        new text, and a pass that began with :meth:`begin_finding` records its fingerprint
        only if the store still holds the record that pass began with."""
        rows = [
            {
                "row_id": article_id,
                "read_hash": content_hash,
                "score": relevance,
                "verdict": relevant,
                "found": topics,
            }
            for article_id, content_hash, relevance, relevant, topics in scores
        ]
        statement = (
            update(articles)
            .where(
                articles.c.id == bindparam("row_id"),
                articles.c.content_hash == bindparam("read_hash"),
            )
            .values(
                relevance=bindparam("score"),
                relevant=bindparam("verdict"),
                topics=bindparam("found"),
            )
        )
        return self._update_found(statement, rows, meta_key, meta_value, begun)

    def begin_finding(
        self, meta_key: str, meta_value: str, stopping: Callable[[], bool] | None = None
    ) -> str:
        """Record that a pass begins to find a field of every stored article again (their
        partners, their scores) with what ``meta_value`` names; the record, which the pass
        gives :meth:`update_partners` or :meth:`update_scores` (``begun``).

        An ingestor that writes articles with another meanwhile takes the record out
        (:func:`written_with`), and so does another pass beginning (each record holds a
        token of its own: a second pass with the same fingerprint must not put back the
        record a write took out). The pass then writes what it found, each article
        guarded by its content hash, but does not record its fingerprint: the next pass
        finds every article again. ``stopping``: as :meth:`transaction` takes it."""
        record = f"{FINDING}{meta_value} {secrets.token_hex(8)}"
        with self.transaction(stopping=stopping) as conn:
            _set_meta(conn, meta_key, record)
        return record

    def update_partners(
        self,
        found: Iterable[tuple[int, str, str]],
        meta_key: str,
        meta_value: str,
        *,
        begun: str | None = None,
    ) -> int:
        """Store new ``(id, content hash read, partners JSON)`` and record ``meta_key``, at
        once; how many articles' partners were written.

        An article whose content hash is no longer the one its partners were found in
        keeps its partners, and is not counted: another process stored a new version
        meanwhile, and the partners of its text. A database whose driver cannot count the
        rows a batch updates counts every article given. A pass that began with
        :meth:`begin_finding` (``begun``: the record it made) records ``meta_value`` only if
        the store still holds that record: articles were written with another table since
        it began reading, or another pass began, otherwise (see :func:`written_with`)."""
        rows = [
            {"row_id": article_id, "read_hash": content_hash, "found": partners}
            for article_id, content_hash, partners in found
        ]
        statement = (
            update(articles)
            .where(
                articles.c.id == bindparam("row_id"),
                articles.c.content_hash == bindparam("read_hash"),
            )
            .values(partners=bindparam("found"))
        )
        return self._update_found(statement, rows, meta_key, meta_value, begun)

    def _update_found(
        self,
        statement: Update,
        rows: list[dict[str, Any]],
        meta_key: str,
        meta_value: str,
        begun: str | None,
    ) -> int:
        """Run ``statement`` for ``rows`` and record ``meta_key``, in one transaction (see
        :meth:`update_partners`); how many rows it wrote."""
        written = 0
        with self.transaction() as conn:
            if rows:  # one executemany
                result = conn.execute(statement, rows)
                sane = self.engine.dialect.supports_sane_multi_rowcount
                written = result.rowcount if sane else len(rows)
            recorded = conn.execute(select(meta.c.value).where(meta.c.key == meta_key)).scalar()
            if begun is None or recorded == begun:
                _set_meta(conn, meta_key, meta_value)
        return written

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        """Every stored article in insertion order, as a dict of its columns."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=500).execute(
                select(articles).order_by(articles.c.id)
            )
            for row in result:
                yield dict(row._mapping)

    def article_by_url(self, url: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.url == url)).first()
            return dict(row._mapping) if row else None

    def versions(self, article_id: int) -> list[dict[str, Any]]:
        """Every version of an article, oldest first, each with its headline and body."""
        query = (
            select(*version_columns())
            .select_from(VERSIONS_WITH_ARTICLES)
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.version)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # --- Crawl runs -----------------------------------------------------------

    def start_crawl_run(self, source: str, started: datetime) -> int:
        """Record a crawl of ``source`` started at ``started``; the run's id.

        Its report holds each outcome of storing an article (:data:`OUTCOMES`) at 0, to
        which the crawl adds each article it stores (:func:`add_crawl_counts`). An earlier
        thaidigest began it as the table's default ``{}``, adding only the outcomes its
        crawl met, if it counted on the run at all: a report without any of them is such
        a run's, which stored nothing or was not counted, not one known to have stored
        nothing (:func:`scraper.report.stored_counted`).
        """
        counts = json.dumps(dict.fromkeys(OUTCOMES, 0), sort_keys=True)
        with self.transaction() as conn:
            result = conn.execute(
                insert(crawl_runs).values(
                    source=source, started_at=iso(started), status=RUNNING, report=counts
                )
            )
            return result.inserted_primary_key[0]

    def finish_crawl_run(
        self, run_id: int, finished: datetime, status: str, report: dict[str, Any]
    ) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(crawl_runs)
                .where(crawl_runs.c.id == run_id)
                .values(
                    finished_at=iso(finished),
                    status=status,
                    report=json.dumps(report, ensure_ascii=False, sort_keys=True),
                )
            )

    def note_crawl_run(self, run_id: int, fields: Mapping[str, Any]) -> None:
        """Set ``fields`` in the report of a crawl run still running, at once: a crawl
        killed before it reports leaves them on its run, and its report keeps them
        (:data:`scraper.report.NOTED`)."""
        with self.transaction() as conn:
            where = (crawl_runs.c.id == run_id) & (crawl_runs.c.status == RUNNING)
            stored = conn.execute(select(crawl_runs.c.report).where(where)).scalar()
            if stored is None:
                return
            report = {**json.loads(stored), **fields}
            conn.execute(
                update(crawl_runs)
                .where(where)
                .values(report=json.dumps(report, ensure_ascii=False, sort_keys=True))
            )

    def fail_stopped_crawl_runs(self, since: datetime, reason: str) -> int:
        """Record as failed for ``reason`` the crawl runs started at or after ``since`` that
        a signal stopped: those of a crawl stopped for running too long, which only knows
        it got SIGTERM. How many there were."""
        with self.transaction() as conn:
            rows = conn.execute(
                select(crawl_runs.c.id, crawl_runs.c.report).where(
                    crawl_runs.c.started_at >= iso(since), crawl_runs.c.status == STOPPED
                )
            ).all()
            for row in rows:
                report = {**json.loads(row.report), "status": FAILED, "unfinished": reason}
                conn.execute(
                    update(crawl_runs)
                    .where(crawl_runs.c.id == row.id)
                    .values(
                        status=FAILED,
                        report=json.dumps(report, ensure_ascii=False, sort_keys=True),
                    )
                )
        return len(rows)

    def unfinished_crawl_runs(self, source: str) -> list[int]:
        """The ids of a site's crawl runs still marked ``running``."""
        query = select(crawl_runs.c.id).where(
            crawl_runs.c.source == source, crawl_runs.c.status == RUNNING
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def last_crawl_runs(
        self,
        source: str,
        limit: int = 1,
        *,
        without: str | None = None,
        before: int | None = None,
    ) -> list[dict[str, Any]]:
        """A site's newest crawl runs, newest first; ``without`` leaves out runs of that
        status, ``before`` those from the run of that id on."""
        query = select(crawl_runs).where(crawl_runs.c.source == source)
        if without is not None:
            query = query.where(crawl_runs.c.status != without)
        if before is not None:
            query = query.where(crawl_runs.c.id < before)
        return self._crawl_runs(query.order_by(crawl_runs.c.id.desc()).limit(limit))

    def crawl_run(self, run_id: int) -> dict[str, Any]:
        """One crawl run, by id."""
        (run,) = self._crawl_runs(select(crawl_runs).where(crawl_runs.c.id == run_id))
        return run

    def _crawl_runs(self, query: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["report"] = json.loads(row["report"])
        return rows
