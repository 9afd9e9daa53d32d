"""``thaidigest crawl``: crawl thaigov, mdes or both, and print the crawl report."""

from __future__ import annotations

import sys
from typing import Any

import click

from scraper.crawl import run_crawl
from scraper.report import (
    LOCKED,
    REFUSED,
    REFUSED_PAGES_STOP,
    ROBOTS_REASON,
    UNREACHABLE,
    robots_note,
    robots_rules,
    site_stops,
    unreachable_reason,
)
from thaidigest.config import merge
from thaidigest.locks import EXIT_LOCKED
from thaidigest.options import SettingsError, config_option, db_option, load_config_or_exit
from thaidigest.pipeline import check_judging_files
from thaidigest.plural import counted
from thaidigest.sites import ALL_SITES, CRAWL_SOURCES, START_ID_SOURCES, crawled_sites
from thaidigest.store import Store
from thaidigest.urls import base_url_problem

EXIT_BLOCKED_OR_FAILED = 1
VERBOSE_LEVELS = ("INFO", "DEBUG")  # Scrapy's log level for -v and -vv


def format_report(source: str, run: dict[str, Any]) -> str:
    """A crawl run as a few readable lines."""
    report = run["report"]
    forbidden = robots_rules(report["blocked"])
    responses = ", ".join(f"{status}: {count}" for status, count in report["responses"].items())
    fetched = report.get("fetched")
    lines = [
        f"{source}: {run['status']}{robots_note(forbidden)} "
        f"in {report.get('duration', 0)} s; "
        f"{counted(report['requests'], 'request')} ({responses or 'no responses'}), "
        f"{'? pages' if fetched is None else counted(fetched, 'page')} fetched",
        f"  new {report['new']}, updated {report['updated']}, unchanged {report['unchanged']}, "
        f"not modified {report['not_modified']}, soft 404 {report['soft_404']}, "
        f"not found {report.get('not_found', 0)}, "
        f"fallback {report['fallback']}, rejected {report['rejected']}, "
        f"came back empty {report.get('came_back_empty', 0)}, "
        f"offsite links ignored {report.get('offsite_links_ignored', 0)}, "
        f"empty listings {report.get('empty_listings', 0)}",
    ]
    if report.get("not_article"):
        lines.append(
            f"  not an article: {report['not_article']} page(s) answered 200 with a maintenance"
            " or error notice or without the site's article template, not stored"
        )
    if run["status"] == "failed" and report.get("fetched") == 0:
        lines.append("  nothing fetched: no listing, search or article page answered 200 or 304")
    for rule, urls in forbidden.items():
        reason = unreachable_reason(rule)
        why = f"forbids ({rule})" if reason is None else f"{UNREACHABLE} ({reason})"
        not_sent = counted(len(urls), "request")
        lines.append(f"  robots.txt {why}: {not_sent} not sent, first {urls[0]}")
    if report.get("unfinished"):
        lines.append(f"  unfinished: {report['unfinished']}")
    for blocked in report["blocked"]:
        if blocked.get("reason") == ROBOTS_REASON:
            continue
        target = f" -> {blocked['target']}" if blocked.get("target") else ""
        reason = f" ({blocked['reason']})" if blocked.get("reason") else ""
        answered = f"answered {blocked['status']}" if blocked.get("status") else "not sent"
        lines.append(f"  blocked: {blocked['url']} {answered}{target}{reason}")
    for reason, (not_sent, answered) in site_stops(report).items():
        lines.append(
            f"  site stopped ({reason}): {counted(not_sent, 'request')} not sent, "
            f"{counted(answered, 'answer')} received after the stop, not used"
        )
    if refused := report.get(REFUSED_PAGES_STOP):
        lines.append(
            f"  stopped after {refused} pages in a row refused, none served in this crawl, one"
            " of them known to exist: the site refuses this client for now, so it was asked"
            " for nothing more; the next crawl asks for what this one did not"
        )
    for error in report["errors"]:
        lines.append(f"  error: {error['url']}: {error['error']}")
    return "\n".join(lines)


def _base_url(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> str | None:
    problem = base_url_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


@click.command("crawl")
@click.option(
    "--source",
    type=click.Choice(CRAWL_SOURCES),
    default=ALL_SITES,
    show_default=True,
    help="The site to crawl; all: every site.",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    callback=_base_url,
    help="Crawl this host instead of the live site.",
)
@click.option(
    "--start-id",
    type=click.IntRange(min=1),
    default=None,
    help="First thaigov id to walk (with --source thaigov or all).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log Scrapy's INFO lines too (-vv: DEBUG), whatever crawl.log_level says.",
)
@db_option
@config_option
def crawl_command(
    source: str,
    base_url: str | None,
    start_id: int | None,
    verbose: int,
    db: str | None,
    config_file: str | None,
) -> None:
    """Crawl the sites for new and changed articles and store them."""
    if start_id is not None and source not in START_ID_SOURCES:
        raise SettingsError(f"--start-id is a thaigov id: it cannot be used with --source {source}")
    config = load_config_or_exit(config_file)
    if verbose:
        level = VERBOSE_LEVELS[min(verbose, len(VERBOSE_LEVELS)) - 1]
        config = merge(config, {"crawl": {"log_level": level}})
    # A mistake in the rules, partners or model file stops the crawl before the database
    # is made or written (a crawl run recorded).
    check_judging_files(config)
    sources = list(crawled_sites(source))
    store = Store.open(db)
    runs = run_crawl(sources, store=store, config=config, base_url=base_url, start_id=start_id)
    crawled = []
    for name, run in runs.items():
        # A site not crawled has no report: the crawl logged why, `not crawling: …`.
        if run["status"] not in (LOCKED, REFUSED):
            click.echo(format_report(name, run))
            crawled.append(run)
    refused = any(run["status"] == REFUSED for run in runs.values())
    if refused or any(run["status"] != "ok" for run in crawled):
        sys.exit(EXIT_BLOCKED_OR_FAILED)
    if not crawled:
        sys.exit(EXIT_LOCKED)
