"""A site that answers only soft 404s for a week: the digest warns and `status` exits 1."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from digest.select import BANGKOK, Week
from scraper.fixture_site import FixtureSite
from tests.scraper.crawling import copy_site, crawl, write_config
from thaidigest.cli import main
from thaidigest.store import utc_now


def shift(column: str, days: int) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column}, '-{days} days')"


def backdate_site(db: Path, source: str, days: int) -> None:
    """Move a site's stored articles and crawl runs ``days`` into the past, as if time passed."""
    moved = ", ".join(
        f"{c} = {shift(c, days)}" for c in ("first_seen", "last_changed", "last_seen")
    )
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE articles SET {moved} WHERE source = ?", (source,))
        conn.execute(
            f"UPDATE article_versions SET seen_at = {shift('seen_at', days)}"
            " WHERE article_id IN (SELECT id FROM articles WHERE source = ?)",
            (source,),
        )
        conn.execute(
            f"UPDATE crawl_runs SET started_at = {shift('started_at', days)}, "
            f"finished_at = {shift('finished_at', days)} WHERE source = ?",
            (source,),
        )


def backdate_run(db: Path, run_id: int, days: int) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(
            f"UPDATE crawl_runs SET started_at = {shift('started_at', days)}, "
            f"finished_at = {shift('finished_at', days)} WHERE id = ?",
            (run_id,),
        )


def run_ids(db: Path, source: str) -> list[int]:
    with sqlite3.connect(db) as conn:
        query = "SELECT id FROM crawl_runs WHERE source = ? ORDER BY id"
        return [row[0] for row in conn.execute(query, (source,))]


def test_a_site_answering_only_soft_404s_for_a_week_is_a_quiet_site(tmp_path):
    root = copy_site(tmp_path)
    out = tmp_path / "public"
    config = write_config(tmp_path, f'[digest]\nout = "{out}"\n')
    db = tmp_path / "db.sqlite"
    with FixtureSite(root) as site:
        first = crawl(site.base_url, db, config)
        assert first.returncode == 0, first.stderr[-2000:]
        backdate_site(db, "thaigov", days=10)  # thaigov's articles were found ten days ago
        # Since then every thaigov article page answers HTTP 200 with an empty page.
        shutil.rmtree(root / "news" / "contents")
        for _ in range(2):
            again = crawl(site.base_url, db, config, "--source", "thaigov")
            assert again.returncode == 0, again.stderr[-2000:]
            assert "new 0, updated 0" in again.stdout
            every_page_200 = r"requests \(200: \d+\), \d+ pages? fetched\n"
            assert re.search(every_page_200, again.stdout)  # every answer 200 ...
            assert re.search(r"soft 404 [1-9]", again.stdout)  # ... and the articles soft 404s
    soft_404_runs = run_ids(db, "thaigov")[1:]
    backdate_run(db, soft_404_runs[0], days=6)  # a week of soft-404 crawls

    runner = CliRunner()
    status = runner.invoke(main, ["status", "--db", str(db), "--config", str(config)])
    assert status.exit_code == 1, status.output
    assert "unhealthy: thaigov: nothing new for 10.0 days" in status.output
    assert "while its crawls succeed (2 ok in the last 7 days)" in status.output
    assert "mdes: nothing new" not in status.output
    assert "last successful crawl" not in status.output  # only the quiet site is wrong
    assert "  thaigov: crawls: ok 2" in status.output

    week = Week.of(utc_now().astimezone(BANGKOK).date())  # the week the digest calls this week
    digest = runner.invoke(
        main, ["digest", "--week", str(week), "--db", str(db), "--config", str(config)]
    )
    assert digest.exit_code == 0, digest.output
    markdown = (out / "digests" / f"{week}.md").read_text(encoding="utf-8")
    health = markdown.split("## Source health\n\n", 1)[1]
    assert health.startswith("- thaigov.go.th: crawls: ok ")
    assert "**Warning:** thaigov: nothing new for 10.0 days" in health
    assert "mdes: nothing new" not in health
