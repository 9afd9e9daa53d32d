"""The ``thaidigest digest`` and ``thaidigest serve`` commands.

The main command group registers them with ``main.add_command(...)``.
"""

from __future__ import annotations

import signal
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from click.core import ParameterSource

from digest.feeds import atom_entries
from digest.mail import (
    Body,
    MailError,
    editions,
    mail_subject,
    mailing,
    not_over,
    oldest_mailed,
    owe,
    owed,
    refuse_unmailable,
    send_digest,
    write_off,
)
from digest.markdown import coverage_line, markdown_to_text, story_headlines
from digest.ours import (
    ForeignFileError,
    foreign_top_files,
    left_out_note,
    refusal,
    what_they_are,
)
from digest.publish import (
    DigestResult,
    build_digest,
    is_local_site,
    mail_links,
    mail_page,
    stored_digests,
    week_health,
    written_article_feeds,
)
from digest.select import (
    DIGESTS,
    Week,
    WeekError,
    bangkok_time,
    complete_weeks,
    digest_path,
    first_watched,
    not_digests,
    watched,
)
from digest.serve import STOPPED, feeds_site_url, serve
from schedules.commands import load_schedule_or_exit, schedules_option
from thaidigest.config import SERVE_HOST, SERVE_PORT, weeks_kept
from thaidigest.folders import os_reason, why_unwritable
from thaidigest.locks import LockHeld, digest_lock, turn
from thaidigest.options import (
    SettingsError,
    config_option,
    db_option,
    load_config_or_exit,
    out_option,
    output_folder,
    refuse_blank,
)
from thaidigest.plural import counted, listed
from thaidigest.sites import NO_SITES, SOURCES
from thaidigest.store import Store, sqlite_file, utc_now
from thaidigest.urls import DEFAULT_PORTS


def _week(_context: click.Context, _parameter: click.Parameter, value: str | None) -> Week | None:
    if value is None:
        return None
    try:
        return Week.parse(value)
    except WeekError as error:
        raise click.BadParameter(str(error)) from None


def _judged_sites(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--judged-sites``: comma-separated site slugs, or ``none``; in crawl order."""
    if value is None:
        return None
    names = [name.strip() for name in value.split(",")]
    if names == [NO_SITES]:
        return ()
    if NO_SITES in names:
        raise click.BadParameter(f"{NO_SITES} stands alone: give sites, or {NO_SITES}")
    unknown = [name for name in names if name not in SOURCES]
    if unknown:
        raise click.BadParameter(
            f"unknown site {unknown[0]!r}: give sites of {', '.join(SOURCES)}, "
            f"comma-separated, or {NO_SITES}"
        )
    return tuple(site for site in SOURCES if site in names)


# How long a digest run keeps its folder's turn unless renewed, which it is while the run
# works (thaidigest.locks.kept), as the daemon's lock: a run killed in another container (a
# one-off `docker run --rm`) holds the next digest of its folder up no longer.
DIGEST_LOCK_TTL = timedelta(minutes=5)


def read_only_refusal(store: Store, config: dict[str, Any], mails: str | None) -> str | None:
    """Why a digest cannot be built from ``store``, a database on a file system mounted
    read-only (:attr:`thaidigest.store.Store.read_only`), or None when it can: its weeks
    are then built from what is stored, which is what the settings would store.

    It cannot when something would have to be written to it first: the stored verdicts or
    partners out of date for the settings (``rescore_stored``, ``refind_partners_stored``),
    or, ``mails`` naming what asks for mailing (``--email``, ``email.enabled``), who was
    mailed which week, without which every run would mail the same weeks again.
    """
    # Here, not at the top: the pipeline loads datasketch and SciPy, which serve never needs.
    from thaidigest.pipeline import (
        partners_current,
        scores_current,
        user_partners_text,
        user_rules_text,
    )

    file = sqlite_file(store.url)
    medium = f"{file.parent if file else store.name} is on a read-only file system"
    if mails is not None:
        instead = ", or build it with email.enabled = false" if mails == "email.enabled" else ""
        return (
            f"{mails}: database {store.name} cannot record who was mailed which week "
            f"({medium}): mail from a writable copy of it{instead}"
        )
    stale = []
    if not scores_current(store, config, user_rules_text(config)):
        stale.append("verdicts (the model, rules or threshold changed since they were scored)")
    if not partners_current(store, user_partners_text(config)):
        stale.append(
            "partners (the partner names, their rules or the partners file changed since "
            "they were found)"
        )
    if not stale:
        return None
    return (
        f"database {store.name}: its stored articles' {' and '.join(stale)} cannot be "
        f"brought up to date ({medium}): build the digest from a writable copy of it"
    )


def weeks_to_build(
    written: Iterable[Week], now: datetime, kept_weeks: int, watched_since: datetime | None
) -> list[Week]:
    """The weeks a scheduled digest (no ``--week``) builds, oldest first: every complete
    week watched (:func:`watched`) after the newest of ``written`` (the digests in the
    output folder written once their week was over, :func:`digest.select.complete_weeks`:
    a preview of a week in progress is no digest of it), back to the last ``kept_weeks``
    (:func:`thaidigest.config.weeks_kept`) at most, so a run that failed, was killed or did
    not happen is made up by the next; the last complete week alone when none is missed or
    none written; none when the last complete week was not watched (a database first
    crawled or imported into this week, or not yet): a week over before anything was
    crawled or imported is owed nothing. ``kept_weeks`` is one at least: the last complete
    week is built when watched.
    """
    if kept_weeks < 1:
        raise ValueError(f"kept_weeks must be at least 1, not {kept_weeks}")
    last = Week.last_complete(now)
    if watched_since is None or not watched(last, watched_since):
        return []
    newest = max((week for week in written if week <= last), default=None)
    if newest is None or newest >= last:
        return [last]
    first = max(newest.shift(1), last.shift(1 - kept_weeks), first_watched(watched_since))
    weeks = [first]
    while weeks[-1] < last:
        weeks.append(weeks[-1].shift(1))
    return weeks


def weeks_left_out(
    written: Iterable[Week], built: Sequence[Week], watched_since: datetime | None
) -> tuple[Week, Week] | None:
    """The first and last of the watched weeks missed (:func:`watched`) that a scheduled
    digest does not build: those after the newest of ``written`` and before the first of
    ``built``, when more weeks were missed than :func:`weeks_to_build` reaches back; None
    when it built them all or built none."""
    if not built or watched_since is None:
        return None
    newest = max((week for week in written if week < built[0]), default=None)
    if newest is None:
        return None
    first = max(newest.shift(1), first_watched(watched_since))
    return None if first >= built[0] else (first, built[0].shift(-1))


def nothing_to_build(out_dir: Path, watched_since: datetime | None) -> str:
    """Why a scheduled digest builds no week (:func:`weeks_to_build`), and what builds one:
    when watching began in Bangkok time, the zone the weeks are Bangkok's in."""
    if watched_since is None:
        why = "nothing has been crawled or imported yet"
    else:
        began = bangkok_time(watched_since)
        why = f"no week has ended since watching began ({began}, the first crawl or import)"
    return f"no digest to build in {out_dir / DIGESTS}: {why}; --week YYYY-Www builds any week"


def publishes_articles(out_dir: Path) -> bool:
    """Whether a feed of articles in ``out_dir`` (of every article, a topic's, a partner's)
    holds an entry: a digest built from a database holding no article would write it
    again empty."""
    return any(atom_entries(feed) for feed in written_article_feeds(out_dir).values())


def mail_digests(
    store: Store,
    config: Mapping[str, Any],
    out_dir: Path,
    results: Sequence[DigestResult],
    now: datetime,
    judged: Collection[str] = SOURCES,
) -> None:
    """Mail the digests of ``results`` (the weeks this run built) and, oldest first, every
    week still owed (a run could not mail it) within the last ``digest.weeks`` weeks, each
    to whom it is owed, from its Markdown file in ``out_dir``: as plain text
    (:func:`digest.markdown.markdown_to_text`) and as a page, with its Source health to
    the operators only when ``email.operators`` names them, the readers told instead which
    of the sites of ``judged`` could not be read in the week
    (:func:`digest.markdown.coverage_line`; :func:`digest.mail.editions`):
    one SMTP session a week, every recipient of it owed the week before the first is sent.
    Each mail ends with the week's page and the feeds under ``digest.site_url``
    (:func:`digest.publish.mail_links`) and the recipient's own unsubscribe address.

    A week owed whose file is gone stays owed (``thaidigest digest --week`` builds it
    again). A week owed from before those weeks is written off, file or not, with a
    warning on stderr: a late copy is no news, and a recipient who refuses for good is
    owed no more than ``digest.weeks`` weeks, so a run opens no more SMTP sessions. The
    week's age decides, never ``out_dir``, which may be a preview folder. Every week is
    tried, and those it was mailed to are said, also when others of the week were not;
    then a :class:`MailError` names each week not mailed to everyone, and each written off.

    Every week of ``results`` is owed to every recipient not yet sent it from before it
    was built (:func:`owe_weeks`), so a run killed while it mails an older week leaves the
    new one owed, which a later run mails from its file, as no later run builds it again.
    """
    settings, title = config["email"], config["digest"]["title"]
    built = {result.week: result.markdown for result in results}
    owing = owed(store, settings["recipients"], oldest_mailed(now, config))
    # The run's own weeks are mailed whatever their age: --week asked for it.
    overdue = {week: names for week, names in owing.overdue.items() if week not in built}
    late = {week: names for week, names in owing.due.items() if week not in built}
    failures = []
    for week, recipients in overdue.items():
        written_off = (
            f"digest {week} was owed to {', '.join(recipients)} and cannot be mailed: "
            f"{week} is older than the {counted(weeks_kept(config), 'week')} digest.weeks keeps; "
            "no longer owed"
        )
        click.echo(f"WARNING: {written_off}", err=True)
        write_off(store, week, recipients)
        failures.append(written_off)
    texts = {**(stored_digests(out_dir) if late else {}), **built}
    newest = max(built, default=None)
    unwatched = set(unwatched_weeks(store, [*late, *built]))
    not_ours = set(not_digests(out_dir)) if late else set()  # none of them is mailed
    for week in sorted([*late, *built]):
        if week not in texts:
            path = digest_path(out_dir, week)
            gone = f"is gone (build it again with --week {week})"
            if path in not_ours:
                gone = (
                    f"is {what_they_are(out_dir, [path])} (move it out of {path.parent} "
                    f"and build it again with --week {week})"
                )
            failures.append(
                f"digest {week} is owed to {', '.join(late[week])} and cannot be mailed: "
                f"{path} {gone}"
            )
            continue
        if week in unwatched and not story_headlines(texts[week]):  # would read as quiet
            write_off(store, week, late.get(week, settings["recipients"]))
            click.echo(
                f"digest {week}: not mailed: it lists no story, and nothing was crawled or "
                "imported by its end"
            )
            continue
        subject = mail_subject(title, week, texts[week])
        which = "" if week == newest else f" the digest of {week}"
        to_whom = late.get(week, settings["recipients"])
        coverage = None
        # The readers' copy says what sites could not be read, unless the week lists no
        # item: its opening says so already (digest.markdown.empty_week_line).
        if settings["operators"] and story_headlines(texts[week]):
            coverage = coverage_line(week_health(store, week, judged, config, now))
        bodies = [
            Body(
                edition.recipients,
                text=markdown_to_text(edition.markdown),
                html=mail_page(title, week, edition.markdown),
            )
            for edition in editions(to_whom, settings["operators"], texts[week], coverage)
        ]
        try:
            report = send_digest(
                store,
                settings,
                week,
                subject=subject,
                list_name=title,
                bodies=bodies,
                links=mail_links(config["digest"]["site_url"], week),
                clock=utc_now,  # the command's clock, which decides whether the week is over
            )
        except MailError as error:  # after mailing some, maybe: said first
            report = error.report
            failures.append(str(error))
        for recipient in report.sent:
            click.echo(f"mailed {recipient}{which}")
        for recipient in report.skipped:
            click.echo(f"already mailed {recipient}{which}")
    if failures:
        raise MailError("; ".join(failures))


def files_written(out_dir: Path, written: int, unchanged: int) -> str:
    """The one line a build ends with: how many files it wrote in ``out_dir`` and how many it
    left as they were (a file is written only when its content changed), so a run's output,
    and the daemon's log of a digest job, says what it did without a line per file."""
    if not written:
        return f"{counted(unchanged, 'file')} unchanged in {out_dir}"
    kept = f" ({unchanged} unchanged)" if unchanged else ""
    return f"wrote {counted(written, 'file')} in {out_dir}{kept}"


def unwatched_weeks(store: Store, weeks: Sequence[Week]) -> list[Week]:
    """The weeks of ``weeks`` by whose end nothing was watched: no crawl ran and no article
    was stored before it ended, a text file imported too
    (:meth:`thaidigest.store.Store.watched_since`). Such a week's digest, when it lists no
    story, is not mailed, and no longer owed (:func:`mail_digests`, whether the run built
    it or an earlier run left it owed): the first mailing run of a database whose articles
    were imported would otherwise mail its readers the weeks before the first crawl or
    import, which read as quiet weeks. One that lists stories (found later, dated in it) is
    mailed."""
    since = store.watched_since()
    return [week for week in weeks if not watched(week, since)]


def owe_weeks(store: Store, config: Mapping[str, Any], weeks: Sequence[Week]) -> None:
    """Record each of ``weeks`` as owed to every recipient not yet sent it, before any of
    them is built: a run that fails to build a later week (a full disk) or is killed
    after writing an earlier one leaves that one owed, which a later run mails from its
    file, as no later run builds it again (:func:`weeks_to_build` starts after the newest)."""
    for week in weeks:
        owe(store, week, config["email"]["recipients"])


@click.command("digest")
@click.option(
    "--week",
    callback=_week,
    metavar="YYYY-Www",
    help="ISO week, Bangkok time [default: the last complete week since watching began (the"
    " first crawl or import), if any, with the weeks missed since the newest digest, up to"
    " digest.weeks].",
)
@out_option
@click.option(
    "--email",
    "mail",
    is_flag=True,
    help="Mail the digest to email.recipients (also when email.enabled is true); "
    "a week not over is never mailed.",
)
@click.option(
    "--served-locally",
    is_flag=True,
    help="The output is browsed on this machine only (as thaidigest demo's): no warning "
    "for a loopback digest.site_url.",
)
@schedules_option
@click.option(
    "--judged-sites",
    callback=_judged_sites,
    metavar="SITES",
    help=f"The sites whose source health is judged, comma-separated ({','.join(SOURCES)}), "
    f"or {NO_SITES}; given, the schedule is not read (the daemon gives its digest jobs the "
    "sites of the schedule it loaded) [default: the sites the schedule's crawl jobs crawl].",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="List every file written, one line each, before the line that counts them.",
)
@click.option(
    "--out-setting",
    metavar="SETTING",
    hidden=True,  # the daemon's, for a digest job whose schedule sets out
    help="How the caller was given --out, which its refusals name instead "
    "(schedule.toml: job 'digest': option out).",
)
@db_option
@config_option
def digest_command(
    week: Week | None,
    out: Path | None,
    mail: bool,
    served_locally: bool,
    schedules_file: str | None,
    judged_sites: tuple[str, ...] | None,
    verbose: bool,
    out_setting: str | None,
    db: str | None,
    config_file: str | None,
) -> None:
    """Write the weekly digest, the feeds and the archive page; optionally mail the digest.
    Its source health judges the sites the schedule's crawl jobs crawl, as status does, or
    those of --judged-sites."""
    config = load_config_or_exit(config_file)
    judged = judged_sites
    if judged is None:
        judged = load_schedule_or_exit(schedules_file).crawled_sites()
    elif click.get_current_context().get_parameter_source("schedules_file") is (
        ParameterSource.COMMANDLINE
    ):  # $THAIDIGEST_SCHEDULES, the daemon's own, is only a default
        raise SettingsError(
            "--judged-sites and --schedules both say which sites are judged: give one"
        )
    mails = mail or config["email"]["enabled"]
    if mails:
        refuse_unmailable(config, config_file)
    now = utc_now()
    if week is not None and week.start() > now:  # an empty digest would stay in digests.atom
        raise SettingsError(f"--week {week} has not started yet")
    if mail and week is not None and not week.is_over(now):
        raise SettingsError(f"--email: {not_over(week)}; mail it once it is over")
    out_dir = output_folder(out, config)
    option = (out_setting or "--out") if out is not None else "digest.out"
    if foreign := foreign_top_files(out_dir):  # before the database: nothing written
        raise SettingsError(refusal(out_dir, foreign, option))
    # Here, not at the top: the pipeline loads datasketch and SciPy, which serve never needs.
    from thaidigest.pipeline import check_judging_files, refind_partners_stored, rescore_stored

    check_judging_files(config)  # a mistake in one: before a stored article is scored again
    # Not created: a mistyped --db, or the default path from the wrong folder, would build
    # the weeks from an empty database and empty the published feeds (`no such file`, exit 2).
    store = Store.open(db, existing=True)
    # Nor is one holding no article (a first crawl that stored none, the wrong volume
    # mounted) given a folder whose feeds hold articles: --week is refused, a scheduled run
    # builds no week. A new folder is built from it: its digest's Source health says why.
    emptying = not store.count_articles() and publishes_articles(out_dir)
    no_article = (
        f"database {store.name} holds no article: a digest of it would write every feed in "
        f"{out_dir} empty; crawl or import first"
    )
    if emptying and week is not None:  # before anything is read again or written
        store.close()
        raise SettingsError(no_article)
    if store.read_only:  # nothing can be written: built only if nothing needs to be
        asking = None if not mails else "--email" if mail else "email.enabled"
        if refused := read_only_refusal(store, config, asking):
            store.close()
            raise click.ClickException(refused)
    held = ExitStack()  # the mailing lock, from the weeks owed to the last one mailed
    writing = ExitStack()  # this run's turn to write out_dir, until its weeks are built
    results_so_far: list[DigestResult] = []  # the weeks built, when a later one is refused
    try:
        # Stored verdicts and partners brought up to date before the folder's turn is taken,
        # as a crawl does before its locks: a stop signal during that pass (tens of seconds
        # after an upgrade) then ends the run holding nothing (see reread_once).
        rescored = rescore_stored(store, config)
        if rescored.read:
            click.echo(
                f"scored {counted(rescored.read, 'stored article')} again (the model, rules or "
                f"threshold changed): {rescored.changed} changed"
            )
        refound = refind_partners_stored(store, config)
        if refound.read:
            click.echo(
                f"read the partners of {counted(refound.read, 'stored article')} again "
                "(the partner names, their rules or the partners file changed): "
                f"{refound.changed} changed"
            )

        # One run at a time reads and writes a folder: the weeks it holds, the archive and
        # the feeds another run writes meanwhile would be written over, or read half-done.
        def waiting(held_by: LockHeld) -> None:
            click.echo(f"waiting for the digest run writing {out_dir} to end: {held_by}", err=True)

        # A database on read-only media cannot hold the turn: two runs building from the
        # same one into one folder at once are not kept apart.
        if not store.read_only:
            turn_taken = turn(store, digest_lock(out_dir), DIGEST_LOCK_TTL, waiting=waiting)
            writing.enter_context(turn_taken)
        now = utc_now()  # after the wait: the weeks over, and the weeks owed, are those of now
        left_out = None
        if week is not None:
            weeks = [week]
        elif emptying:
            weeks = []
            click.echo(f"no digest to build in {out_dir / DIGESTS}: {no_article}")
        else:
            written, watched_since = complete_weeks(out_dir), store.watched_since()
            weeks = weeks_to_build(written, now, weeks_kept(config), watched_since)
            left_out = weeks_left_out(written, weeks, watched_since)
            if not weeks:
                click.echo(nothing_to_build(out_dir, watched_since))
        unfinished = [built for built in weeks if not built.is_over(now)]
        if mails and not unfinished:  # status: the weeks owed are being mailed, not failed
            held.enter_context(mailing(store))
            owe_weeks(store, config, weeks)
        results = results_so_far
        for built in weeks:
            results.append(build_digest(store, out_dir, built, config, judged=judged))
        writing.close()  # mailing reads the files moved into place: another run may write
        site_url = config["digest"]["site_url"]
        if results and is_local_site(site_url) and not served_locally:  # once feeds are out
            click.echo(
                f"WARNING: digest.site_url is {site_url} (this machine), so the feeds' links "
                "work nowhere else: set [digest] site_url to the public address the output is "
                "served from",
                err=True,
            )
        if results and (unread := not_digests(out_dir)):  # a user's 2024-W33.md, say
            click.echo(f"WARNING: {left_out_note(out_dir, unread)}", err=True)
        if left_out is not None:  # stories of those weeks are in no digest: say so
            first, last = left_out
            span = str(first) if first == last else f"{first} to {last}"
            click.echo(
                f"WARNING: no digest of {span} in {out_dir / DIGESTS}: a run without --week "
                f"builds at most the last {counted(len(weeks), 'week')} missed "
                f"(digest.weeks); build one with --week {first}",
                err=True,
            )
        changed = list(dict.fromkeys(path for result in results for path in result.changed))
        files = {path for result in results for path in result.files}
        for result in results:
            click.echo(f"digest {result.week}: {counted(result.items, 'item')}")
        if verbose:
            for path in changed:
                click.echo(f"wrote {path}")
        if files:
            click.echo(files_written(out_dir, len(changed), len(files) - len(changed)))
        if mails:
            if unfinished:  # a preview, built again once over
                click.echo(f"{not_over(unfinished[0])}: not mailed")
            else:
                mail_digests(store, config, out_dir, results, now, judged)
    except ForeignFileError as error:  # a week's page or a feed the early check could not know
        unwritten = f"no file of {error.week}"
        if built := [str(done.week) for done in results_so_far]:  # the refused one not among them
            unwritten += f" ({listed(built)} written before it)"
        raise SettingsError(refusal(error.out_dir, error.foreign, option, unwritten)) from None
    except MailError as error:
        raise click.ClickException(f"the digest files are written, but {error}") from None
    except OSError as error:  # the output folder cannot be made or written
        reason = why_unwritable(out_dir, error)
        raise click.ClickException(f"cannot write the digest in {out_dir}: {reason}") from None
    finally:
        writing.close()
        held.close()
        store.close()


def other_port_note(site_url: str, port: int) -> str | None:
    """What ``serve`` says when ``site_url``, the ``digest.site_url`` the feeds it serves
    were written with (:func:`digest.serve.feeds_site_url`), names this machine
    (:func:`digest.publish.is_local_site`) on another port than ``port``, the one it serves
    on, or on https, which it does not speak: the links the feeds, the archive page and the
    OPML list were written with lead to nothing it serves. ``--port N`` is advised only for
    an http ``site_url`` naming a port serve can take (not 0, which picks a free one). None
    when an http ``site_url``'s port agrees, and for a public address, which a web server in
    front of this one serves on a port of its own."""
    if not is_local_site(site_url):
        return None
    parts = urlsplit(site_url)
    scheme = parts.scheme.lower()
    named = parts.port if parts.port is not None else DEFAULT_PORTS.get(scheme)
    other_site_url = (
        "set [digest] site_url to this server's address and run `thaidigest digest` again"
    )
    if scheme != "http":  # serve speaks plain HTTP only: no port of its makes https work
        return (
            f"Note: the feeds' links name {site_url} (digest.site_url when they were "
            f"written), but this server speaks plain HTTP only, on port {port}, so they lead "
            f"nowhere here: {other_site_url}"
        )
    if named == port:
        return None
    remedies = f"serve with --port {named}, or {other_site_url}" if named else other_site_url
    return (
        f"Note: the feeds' links name {site_url} (digest.site_url when they were written), "
        f"but this server is on port {port}, so they lead nowhere here: {remedies}"
    )


@click.command("serve")
@out_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=SERVE_PORT,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default=SERVE_HOST,
    show_default=True,
    help="Address to listen on: 127.0.0.1 for this machine only, ::1 for its IPv6 loopback.",
)
@config_option
def serve_command(out: Path | None, port: int, host: str, config_file: str | None) -> None:
    """Serve the digest folder over HTTP (port 0 picks a free port).

    Ctrl-C is how it stops, or SIGTERM (docker stop, systemd), taken as Ctrl-C:
    exit status 0, whenever it comes (serving, or just before).
    """
    # Blank, the server would listen on every address (a script's unset "$HOST"): refused.
    refuse_blank("--host", host, "an address to listen on (127.0.0.1: this machine only)")
    # Without a handler, SIGTERM would end serve as a signal does, and as a container's
    # pid 1 it would be ignored.
    config = load_config_or_exit(config_file)
    out_dir = output_folder(out, config)
    if not out_dir.is_dir():
        raise SettingsError(f"{out_dir}: no such folder; run `thaidigest digest` first")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # raises KeyboardInterrupt
    # What the feeds served link to, whatever the settings where serve runs name.
    site_url = feeds_site_url(out_dir)

    def note_other_port(served: int) -> None:
        note = None if site_url is None else other_port_note(site_url, served)
        if note:
            click.echo(note, err=True)

    try:
        serve(out_dir, host, port, echo=click.echo, bound=note_other_port)
    except KeyboardInterrupt:  # before serve() could catch it: stopped all the same
        click.echo(STOPPED)
    except OSError as error:  # the port is taken, the host is no address of ours
        raise click.ClickException(f"cannot listen on {host}:{port}: {os_reason(error)}") from None
