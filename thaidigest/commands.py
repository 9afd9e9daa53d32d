"""The core commands: ``import``, ``export``, ``explain``, ``train-relevance``, ``partners``.

:mod:`thaidigest.cli` loads this module only when one of them runs.
"""

from __future__ import annotations

import json
import lzma
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click
from tqdm import tqdm

from thaidigest.classifier import WORD_BLOCK, Model
from thaidigest.dates import bangkok_today
from thaidigest.export import export_record
from thaidigest.folders import os_reason, why_unwritable
from thaidigest.ingest import Interrupted, Rejected, Summary, attempt
from thaidigest.model import RawArticle
from thaidigest.normalise import normalise_with_address, renormalised
from thaidigest.options import (
    DAY,
    EXIT_INTERRUPTED,
    IMPORT_INTERRUPTED,
    SettingsError,
    config_option,
    db_option,
    load_config_or_exit,
    out_option,
    output_folder,
    refuse_blank,
)
from thaidigest.pipeline import (
    build_ingestor,
    check_judging_files,
    checked_partner_table,
    checked_rules,
    model_from_config,
    scored_again,
    scores_current,
    threshold_from_config,
    user_partners_text,
    user_rules_text,
)
from thaidigest.plural import counted
from thaidigest.readers import (
    JSONL_SUFFIXES,
    ReadLimits,
    UnbelievedPublished,
    expand_paths,
    is_text_file,
    read_files,
    read_text_file,
)
from thaidigest.relevance import Rules, explain
from thaidigest.store import Store
from thaidigest.urls import addresses_meant
from thaidigest.workers import default_workers

MAX_WORKERS = 64  # each holds a few batches: more would only cost memory


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=MAX_WORKERS),
    default=default_workers,
    show_default="the number of CPUs, at most 4",
    help="Processes that normalise, score and fingerprint (only for more than 500 articles).",
)
@db_option
@config_option
def import_command(
    paths: tuple[Path, ...], workers: int, db: str | None, config_file: str | None
) -> None:
    """Import .txt files, folders of them, and .jsonl / .jsonl.xz corpus files."""

    def report(rejected: Rejected) -> None:
        tqdm.write(f"skipped {rejected.describe()}", file=sys.stderr)

    ahead: list[RawArticle | Rejected] = []
    try:  # Ctrl-C before the ingest begins: the counts of what was read ahead, none stored
        config = load_config_or_exit(config_file)
        check_judging_files(config)  # a mistake in one: before the database is made or written
        files = list(expand_paths(list(paths), on_skipped=report))
        if all(isinstance(file, Rejected) for file in files):  # nothing to read: none importable
            reasons = "; ".join(rejected.describe() for rejected in files)
            raise click.ClickException(f"no articles in {reasons}")  # and no database made
        undated = UnbelievedPublished(bangkok_today())  # the dates the normaliser will drop
        read = undated.counting(read_files(files, ReadLimits.from_config(config)))
        _read_ahead(read, ahead)
        refused_only = (
            not any(isinstance(item, RawArticle) for item in ahead) and len(ahead) < READ_AHEAD
        )
        if not refused_only:
            store = Store.open(db)  # made now, and judged again (build_ingestor), storing none
            ingestor = build_ingestor(store, config=config, workers=workers)
    except KeyboardInterrupt:
        _rejected_only(ahead, report, interrupted=True)
    if refused_only:  # every record refused: no database made for them
        _rejected_only(ahead, report)
    items = tqdm(
        chain(ahead, read),
        unit=" articles",
        disable=not sys.stderr.isatty(),
        file=sys.stderr,
    )
    try:
        summary = ingestor.ingest(items, on_reject=report)
    except Interrupted as interrupted:  # what is stored stays stored: a rerun adds the rest
        click.echo(f"{interrupted.summary.line()} {IMPORT_INTERRUPTED}")
        _note_older(interrupted.summary)
        sys.exit(EXIT_INTERRUPTED)
    click.echo(summary.line())
    _note_older(summary)
    if note := undated.note():  # nothing lost: the articles are stored, undated
        click.echo(note, err=True)
    sys.exit(1 if summary.rejected else 0)


READ_AHEAD = 10_000  # records read, before the database opens, for an article among them


def _read_ahead(items: Iterator[RawArticle | Rejected], ahead: list[RawArticle | Rejected]) -> None:
    """Read the first records of ``items`` onto ``ahead``, up to the first article or
    :data:`READ_AHEAD` of them: an import whose records are all refused (an empty file,
    lines of broken JSON, a headline over a body that normalises to nothing) makes no
    database, as one of files it cannot read makes none. A record the normaliser refuses
    goes onto ``ahead`` as its rejection, with the reason the import gives it.
    On Ctrl-C, ``ahead`` holds what was read before it."""
    for item in items:
        if isinstance(item, RawArticle):
            normalised = attempt(normalise_with_address, item)
            if isinstance(normalised, ValueError):
                item = Rejected(item.where or item.fetch_url or item.url, str(normalised))
        ahead.append(item)
        if isinstance(item, RawArticle) or len(ahead) == READ_AHEAD:
            return


def _rejected_only(
    rejections: list[RawArticle | Rejected],
    report: Callable[[Rejected], None],
    *,
    interrupted: bool = False,
) -> NoReturn:
    """Report each of ``rejections`` and write the counts line an import of them writes,
    as :meth:`Ingestor.ingest` would have; exit storing none of them (1, or 130 if
    ``interrupted``: the store, if Ctrl-C came once it was opened, holds none either)."""
    summary = Summary()
    for rejected in rejections:
        if isinstance(rejected, Rejected):  # an article read as Ctrl-C came is not stored
            summary.read += 1
            summary.rejected += 1
            report(rejected)
    if interrupted:
        click.echo(f"{summary.line()} {IMPORT_INTERRUPTED}")
        sys.exit(EXIT_INTERRUPTED)
    click.echo(summary.line())
    sys.exit(1)


def _note_older(summary: Summary) -> None:
    """Say on stderr how many records the import kept out as earlier versions of the
    stored articles: the counts line, which scripts read, counts them as unchanged."""
    if summary.older:
        records = counted(summary.older, "export record")
        click.echo(
            f"kept out {records} of an earlier version than what is stored (its text and"
            " last_changed): counted as unchanged",
            err=True,
        )


def _importable_output(
    _context: click.Context, parameter: click.Parameter, value: str | None
) -> Path | None:
    """The output file, when ``thaidigest import`` can read back a file of its name; one
    given empty or blank is said to be so, as ``--db`` and ``--out`` say it."""
    if value is None:
        return None
    suffixes = " or ".join(JSONL_SUFFIXES)
    output = Path(refuse_blank(parameter.opts[0], value, f"a {suffixes} file"))
    last = value.replace(os.sep, "/").rsplit("/", 1)[-1]
    if last in ("", ".", ".."):  # Path drops them: backup.jsonl/ and backup.jsonl/. name a file
        raise click.BadParameter(f"{value!r} names a folder: name a file")
    if not output.name.lower().endswith(JSONL_SUFFIXES):
        raise click.BadParameter(f"{value!r}: import reads back only {suffixes} files")
    return output


@click.command("export")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object a line, as import reads it back.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),  # a str: click's Path('') would be the current folder
    callback=_importable_output,
    help="File: .jsonl, or .jsonl.xz for xz-compressed [default: stdout].",
)
@db_option
def export_command(format_: str, output: Path | None, db: str | None) -> None:
    """Every stored article as one JSON object a line."""
    if output is None and sys.stdout is None:  # closed (>&-): the records would go nowhere
        raise click.ClickException(
            "cannot write the output: there is no standard output (give -o FILE)"
        )
    store = Store.open(db, create=False)
    if output is None:
        _write_records(store, _as_utf8(sys.stdout))
        return
    try:
        with _replacing(output) as staged, _open_output(staged) as stream:
            _write_records(store, stream)
    except OSError as error:  # a missing folder, no permission, a full disk: in the words
        reason = why_unwritable(output.parent, error)  # of the other errors, lower case
        raise click.ClickException(f"cannot write {output}: {reason}") from None


@contextmanager
def _replacing(output: Path) -> Iterator[Path]:
    """A file beside ``output`` to write, moved over it only once written whole, so that
    an export that fails (a full disk) leaves the last one as it was, not cut short.

    A symbolic link is written through (its target replaced, the link kept). A named
    pipe or a device, or a file in a folder that may not be written (no file can be
    put beside it), is written in place, as before."""
    target = output.resolve() if output.is_symlink() else output
    if target.exists() and not target.is_file():
        yield output
        return
    try:  # named .RANDOM.backup.jsonl.xz: hidden, and compressed as the output's name says
        descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=f".{target.name}")
    except PermissionError:
        yield output
        return
    os.close(descriptor)
    staged = Path(name)
    try:
        yield staged
        umask = os.umask(0)
        os.umask(umask)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~umask
        staged.chmod(mode)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)


def _as_utf8(stream: TextIO) -> TextIO:
    """``stream`` (standard output) writing UTF-8 whatever the locale's encoding, as ``-o``
    writes its file: ``import`` reads only UTF-8, so a TIS-620 locale's export was refused
    line by line when imported back, and a Latin-1 one's stopped at the first Thai letter."""
    reconfigure = getattr(stream, "reconfigure", None)  # a text file of the system's
    if reconfigure is not None:
        reconfigure(encoding="utf-8")
    return stream


def _open_output(output: Path) -> TextIO:
    """``output`` opened for text, xz-compressed (streamed) for a name ending in .xz."""
    if output.name.lower().endswith(".xz"):
        return lzma.open(output, "wt", encoding="utf-8")
    return output.open("w", encoding="utf-8")


def _write_records(store: Store, stream: TextIO) -> None:
    for row in store.iter_articles():
        stream.write(json.dumps(export_record(row), ensure_ascii=False) + "\n")


def undelimited(argument: str) -> str:
    """``argument`` without the angle brackets that delimit an address in text (RFC 3986,
    appendix C), as the digest's Markdown, its ``Also on`` line and the mail's text part
    write every link (``<https://mdes.go.th/news/detail/11015>``): the address a reader
    copies from them. Read as a path, ``<https:`` and its ``//`` collapsed, it named no
    article, and the error showed ``<https:/mdes.go.th/…>``."""
    stripped = argument.strip()
    if len(stripped) > 2 and stripped.startswith("<") and stripped.endswith(">"):
        return stripped[1:-1].strip()
    return argument


def _explained(_ctx: click.Context, _param: click.Parameter, argument: str) -> str:
    """``explain``'s argument, checked before anything is read: not empty, and when it is
    the path of a ``.txt`` file, one that is there (a usage error, as ``import``'s); an
    address in angle brackets is the address (:func:`undelimited`)."""
    refuse_blank("URL|FILE", argument, "a stored article's address or its .txt file")
    argument = undelimited(argument)
    path = _text_file_named(argument)
    if path is not None:
        if not path.exists():
            raise SettingsError(f"{argument}: no such file")
        if path.is_dir():
            raise SettingsError(f"{argument}: is a folder, not a .txt file")
    return argument


def _text_file_named(argument: str) -> Path | None:
    """The ``.txt`` file ``explain``'s argument names, one import reads as such
    (:func:`~thaidigest.readers.is_text_file`); None for an address."""
    path = Path(argument)
    return path if "://" not in argument and is_text_file(path) else None


def _addresses_explained(argument: str) -> list[str]:
    """The addresses the article ``argument`` names may be stored under, the likeliest
    first (:func:`~thaidigest.urls.addresses_meant`); for the path of a ``.txt`` file, those
    of the address import reads it under: its ``ที่มา :`` source line's, else the file's
    ``file:`` URL. A file import rejects is refused as import refuses it, exit 1."""
    path = _text_file_named(argument)
    if path is None:
        try:
            return addresses_meant(argument)
        except ValueError:  # no address urlsplit reads (a "[" that opens no IPv6 host)
            return [argument]  # none is stored under it, as import refuses it
    read = read_text_file(path)
    if isinstance(read, Rejected):
        raise click.ClickException(read.describe())
    try:
        normalised = normalise_with_address(read)
    except ValueError as error:  # no headline: import rejects it too
        raise click.ClickException(f"{path}: {error}") from None
    # Its source line as written: a database made before may hold it under that line's
    # former form (a Thai path as written, ``details/N?lang=th``), as import finds it.
    return addresses_meant(normalised.address_as_written)


@click.command("explain")
@click.argument("url", metavar="URL|FILE", callback=_explained)
@out_option
@db_option
@config_option
def explain_command(url: str, out: Path | None, db: str | None, config_file: str | None) -> None:
    """Why a stored article is (not) relevant: its probability and what moved it; for a
    story no digest lists, why (looking in the digests built in the --out folder)."""
    config = load_config_or_exit(config_file)
    out_dir = output_folder(out, config)
    # The rules, partners and model files are read before anything is said of the article:
    # a mistake in one is the only output, not an error after its headline.
    user_rules = user_rules_text(config)
    rules = checked_rules(config, user_rules)
    partners = checked_partner_table(config, user_partners_text(config))
    model = model_from_config(config)
    threshold = threshold_from_config(config)
    store = Store.open(db, create=False)
    addresses = _addresses_explained(url)
    row = next(filter(None, map(store.article_by_url, addresses)), None)
    if row is None:  # a wrong argument, as a wrong option is: nothing to explain
        if "://" not in url and Path(url).is_dir():  # `explain seeds/`: no address meant
            raise SettingsError(
                f"{url}: is a folder, not a stored article's address or its .txt file"
            )
        raise SettingsError(f"no stored article at {' or '.join(addresses)}")
    # Read as rescoring reads it, as today's normaliser writes it: what is explained is the
    # stored verdict, for a text an older release stored too.
    title, body = renormalised(row["title"], row["body"])
    click.echo(f"{title}\n{row['url']}")
    # The story as the next digest lists it: one that scores the stored articles again
    # first when the rules, model or threshold changed since they were scored.
    story = _story(store, row["duplicate_of"] or row["url"])
    if not scores_current(store, config, user_rules):
        story = story.scored_again(rules, model, threshold)
        stale = _stale_score(row, story.member(row["url"]))
        if stale:
            click.echo(stale)
    row = story.member(row["url"])
    if row["duplicate_of"] and row["relevant"]:  # digest.clusters: it lists the story
        unlisted = _unlisted_because(store, story, out_dir)
        if unlisted:
            click.echo(
                f"duplicate of {row['duplicate_of']}, in no digest: this copy is relevant "
                f"({float(row['relevance']):.2f}), but {unlisted}"
            )
        else:
            click.echo(
                f"duplicate of {row['duplicate_of']}, listed in the digest under that URL: "
                f"this copy is relevant ({float(row['relevance']):.2f}), so its relevance, "
                "topics and partners count for the story"
            )
    elif row["duplicate_of"]:
        click.echo(f"duplicate of {row['duplicate_of']} (left out of the digest)")
    elif not row["relevant"]:
        unlisted = _unlisted_because(store, story, out_dir)
        for copy in story.relevant_copies():
            relevance = float(copy["relevance"])
            click.echo(
                f"in no digest: its copy {copy['url']} is relevant ({relevance:.2f}), "
                f"but {unlisted}"
                if unlisted
                else f"listed in the digest: its copy {copy['url']} is relevant ({relevance:.2f})"
            )
    else:  # relevant, and the story's representative
        unlisted = _unlisted_because(store, story, out_dir)
        if unlisted:
            relevance = float(row["relevance"])
            click.echo(f"in no digest: it is relevant ({relevance:.2f}), but {unlisted}")
    click.echo(
        explain(
            title,
            body,
            rules,
            language=row["language"],
            model=model,
            threshold=threshold,
            partners=partners,
        )
    )


@dataclass(frozen=True)
class _Story:
    """The stored articles of a story: the cluster :func:`digest.clusters.fold_cluster`
    folds into one item."""

    url: str  # its representative's
    representative: Mapping[str, Any] | None  # None once removed, its copies still stored
    copies: tuple[Mapping[str, Any], ...]  # in URL order

    @property
    def members(self) -> tuple[Mapping[str, Any], ...]:
        """Its stored articles: its representative, if still stored, then its copies."""
        return (self.representative, *self.copies) if self.representative else self.copies

    def member(self, url: str) -> Mapping[str, Any]:
        """The member stored at ``url``."""
        return next(member for member in self.members if member["url"] == url)

    def relevant_copies(self) -> list[Mapping[str, Any]]:
        """Its relevant copies, in URL order: why a representative not relevant is listed."""
        return [copy for copy in self.copies if copy["relevant"]]

    def scored_again(self, rules: Rules, model: Model, threshold: float) -> _Story:
        """The story with its members' scores as scoring the stored articles again with
        ``rules``, ``model`` and ``threshold`` writes them
        (:func:`~thaidigest.pipeline.scored_again`)."""
        again = scored_again(self.members, rules, model, threshold)
        if self.representative:
            return _Story(self.url, again[0], tuple(again[1:]))
        return _Story(self.url, None, tuple(again))


def _story(store: Store, representative: str) -> _Story:
    """The story of the ``representative`` URL as stored."""
    from digest.clusters import copy_urls

    copies = tuple(filter(None, map(store.article_by_url, copy_urls(store, representative))))
    return _Story(representative, store.article_by_url(representative), copies)


def _stale_score(stored: Mapping[str, Any], again: Mapping[str, Any]) -> str | None:
    """What explain says of an article whose ``stored`` score scoring it again changes (as
    ``again`` holds it), or None when its verdict and its score as shown stay the same."""
    before, after = float(stored["relevance"]), float(again["relevance"])
    if bool(stored["relevant"]) == bool(again["relevant"]) and f"{before:.2f}" == f"{after:.2f}":
        return None
    verdict = "relevant" if stored["relevant"] else "not relevant"
    return (
        f"stored as {verdict} ({before:.2f}), scored before the relevance rules, model or "
        "threshold changed: said below as the next digest, crawl or import scores it again"
    )


def _unlisted_because(store: Store, story: _Story, out_dir: Path) -> str | None:
    """Why no digest lists the ``story`` though a member of it is relevant, or None when
    one does (:func:`digest.select.listing_weeks`): its relevant member came after its week
    was over, and dated too long before to be found late.

    Such a story is listed only by a digest of its week built after it became listable,
    which only the digest in ``out_dir`` tells (the store keeps no record of builds): one
    that lists it, and none or one built before, are said as they are. The day it became
    listable is the Bangkok date, as the digest's weeks and its *found late* days are."""
    from digest.clusters import fold_cluster
    from digest.markdown import lists_story
    from digest.select import (
        LATE_DAYS,
        Week,
        article_day,
        bangkok_day,
        digest_path,
        listed_since,
        listing_day,
        listing_weeks,
    )

    if story.representative is None:  # a copy of a removed representative: no story to list
        return "its story is no longer stored"
    folded = fold_cluster(story.representative, story.relevant_copies())
    if not folded["relevant"] or listing_weeks(folded):
        return None
    found = bangkok_day(listed_since(folded))
    dated = Week.of(article_day(folded)[0])
    became = f"the story became listable on {found} (Bangkok time)"
    backlog = (
        f"from a page dated {listing_day(folded)}, more than {LATE_DAYS} days before "
        f"{Week.of(found)}: backlog"
    )
    digest = digest_path(out_dir, dated)
    try:
        markdown = digest.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return (
            f"{became}, after its week {dated} ended, {backlog}, "
            f"listed only if the digest of {dated} is built (none is in {digest.parent})"
        )
    except OSError as error:
        return (
            f"{became}, after its week {dated} ended, {backlog}, "
            f"listed only by a digest of {dated} built since ({digest}: {os_reason(error)})"
        )
    urls = [story.url, *(copy["url"] for copy in story.copies)]  # all: the item links each
    if lists_story(markdown, urls, _unlinked_openings(store, urls)):
        return None
    return (
        f"{became}, after the digest of its week {dated}, {backlog}, "
        f"listed only if {dated} is built again"
    )


def _unlinked_openings(store: Store, urls: list[str]) -> set[tuple[str, str]]:
    """The headings and ledes an item represented by an article at ``urls`` with no web
    address (a text file imported without a source line) opened with, in any version a
    digest showed (:func:`digest.select.texts_shown`): a digest built before a copy on the
    web was found, or before that copy became the representative, lists the story so."""
    from digest.clean import clean_link
    from digest.markdown import unlinked_openings
    from digest.select import texts_shown

    openings = set()
    for url in urls:
        member = None if clean_link(url) else store.article_by_url(url)
        if member is not None:
            for title, body in texts_shown(store.versions(member["id"])):
                openings |= unlinked_openings(title, body)
    return openings


@click.command("train-relevance")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("relevance_model.npz"),
    show_default=True,
    help="The model file to write; use it with [relevance] model in thaidigest.toml.",
)
@click.option(
    "--relevant",
    "relevant_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Files or folders of articles to learn as relevant (your own examples); repeatable.",
)
def train_relevance_command(
    labels: Path, corpus: Path, output: Path, relevant_paths: tuple[Path, ...]
) -> None:
    """Train the relevance model on the 'train' split of LABELS, texts from CORPUS."""
    try:
        from thaidigest.training import (
            read_examples,
            read_labels,
            read_relevant_examples,
            train_model,
        )
    except ImportError as error:  # scikit-learn is an extra: pip install 'thaidigest[train]'
        raise click.ClickException(
            f"training needs scikit-learn ({error.name} is missing): "
            "pip install 'thaidigest[train]'"
        ) from None
    try:
        held_out = read_labels(labels, "test")
        own, left_out = read_relevant_examples(relevant_paths, held_out)
        examples = own + read_examples(labels, corpus)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    for url in left_out:
        click.echo(f"left out {url}: it is in the held-out test split", err=True)
    if len({e.label for e in examples}) < 2:
        raise click.ClickException("training needs relevant and not relevant articles")
    card = train_model(examples, output)
    trained = card["trained_on"]
    click.echo(
        f"wrote {output}: {counted(trained['articles'], 'article')} "
        f"({trained['relevant']} relevant), "
        f"vocabulary {card['vocabulary']}"
    )
    if not card["vocabulary"][WORD_BLOCK]:
        click.echo(
            "no word stage: too few examples (each of its folds needs Thai articles of both"
            " labels sharing words); the model scores by its n-grams and signals alone",
            err=True,
        )


@click.command("partners")
@click.option(
    "--since",
    type=DAY,
    default=None,
    metavar="YYYY-MM-DD",
    help="Count items published on or after this day [default: all].",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help=(
        "table: aligned columns to read, fitted to the terminal's width; "
        "csv: every quarter, for a spreadsheet or a script."
    ),
)
@db_option
def partners_command(since: date | None, format_: str, db: str | None) -> None:
    """Items per partner and per quarter: who Thailand worked with."""
    import shutil

    from digest.partners import (
        count_partners,
        load_rows,
        load_spellings,
        render_csv,
        render_table,
    )

    store = Store.open(db, create=False)
    table = count_partners(load_rows(store), load_spellings(store), since)
    if format_ == "csv":
        click.echo(render_csv(table), nl=False)
    else:
        # $COLUMNS, else the terminal's width, else 80 (output to a file or a pipe).
        width = shutil.get_terminal_size().columns
        click.echo(render_table(table, since, width), nl=False)
