"""A command imports only what it runs: the crawler and the scheduler load with their commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from thaidigest.cli import COMMANDS, load_command, main
from thaidigest.ingest import worker_modules
from thaidigest.pipeline import ArticlePreparer
from thaidigest.store import Store

HEAVY = ("scrapy", "twisted", "apscheduler")
# APScheduler's scheduler, its job stores and executors: `status` reads a schedule's crontab
# lines with APScheduler's cron trigger, as the daemon does, and loads nothing else of it.
SCHEDULER = ("apscheduler.schedulers", "apscheduler.jobstores", "apscheduler.executors")
# Runs in a fresh interpreter: prints which of the HEAVY packages the given code loaded.
PROBE = """
import json, sys
{code}
print(json.dumps(sorted(
    {{heavy for heavy in {heavy} for name in sys.modules
      if name == heavy or name.startswith(heavy + ".")}}
)))
"""


def loaded_after(code: str, cwd: Path | None = None, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    program = PROBE.format(code=code, heavy=set(heavy))
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=cwd
    )
    return json.loads(result.stdout.splitlines()[-1])


def run_quietly(*args: str) -> str:
    return (
        "import contextlib, io\n"
        "from thaidigest.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({list(args)!r})\n"
    )


def test_importing_the_command_line_loads_no_crawler_or_scheduler() -> None:
    assert loaded_after("import thaidigest.cli") == []


@pytest.mark.parametrize("command", ["export", "status", "import", "digest"])
def test_a_light_command_loads_no_crawler_or_scheduler(command: str) -> None:
    assert loaded_after(run_quietly(command, "--help")) == []


def test_the_probe_sees_what_the_crawl_command_loads() -> None:
    assert loaded_after(run_quietly("crawl", "--help")) == ["scrapy", "twisted"]


def test_the_status_command_runs_without_the_crawler_or_the_scheduler(tmp_path: Path) -> None:
    Store(f"sqlite:///{tmp_path / 'thaidigest.sqlite'}").close()  # status reads, never creates
    code = run_quietly("status", "--db", str(tmp_path / "thaidigest.sqlite"))
    heavy = ("scrapy", "twisted", *SCHEDULER)
    assert loaded_after(code, cwd=tmp_path, heavy=heavy) == []
    assert loaded_after(code, cwd=tmp_path, heavy=("apscheduler.triggers.cron",)) == [
        "apscheduler.triggers.cron"
    ]  # the probe sees what status loads of APScheduler: the crontab lines are read


@pytest.mark.parametrize("command", ["serve", "export", "status"])
def test_a_command_without_thai_text_to_cut_loads_no_pythainlp(command: str) -> None:
    assert loaded_after(run_quietly(command, "--help"), heavy=("pythainlp",)) == []


def test_serving_loads_no_import_pipeline() -> None:
    """datasketch (the import's near-duplicate search) loads SciPy: most of a second."""
    assert loaded_after(run_quietly("serve", "--help"), heavy=("datasketch", "scipy")) == []


def test_the_import_workers_prepare_articles_without_scipy() -> None:
    """What the workers' fork server imports, and preparing an article, load no datasketch:
    it loads SciPy, most of a second before the first worker starts."""
    modules = ", ".join(worker_modules(ArticlePreparer()))
    code = (
        f"import {modules}\n"
        "from thaidigest.model import RawArticle\n"
        "from thaidigest.pipeline import ArticlePreparer\n"
        "ArticlePreparer()(RawArticle('https://www.thaigov.go.th/news/contents/details/1', "
        "'thaigov', 'ความร่วมมือด้านดิจิทัล', 'ข่าว ' * 200))\n"
    )
    assert loaded_after(code, heavy=("datasketch", "scipy")) == []


def test_exporting_and_status_load_no_pythainlp(tmp_path: Path) -> None:
    Store(f"sqlite:///{tmp_path / 'thaidigest.sqlite'}").close()
    db = str(tmp_path / "thaidigest.sqlite")
    code = run_quietly("export", "--db", db) + run_quietly("status", "--db", db)
    assert loaded_after(code, cwd=tmp_path, heavy=("pythainlp",)) == []


def test_every_listed_command_loads_under_its_own_name() -> None:
    for name in COMMANDS:
        assert load_command(name).name == name
    assert set(main.list_commands(None)) == set(COMMANDS)  # type: ignore[arg-type]


def test_fingerprinting_needs_no_store() -> None:
    """The pure side of deduplication (what import workers run) loads no database code."""
    program = (
        "import sys, thaidigest.fingerprint\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'thaidigest.store'))))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_command_list_loads_no_command_module() -> None:
    """`thaidigest --help` loaded every command, Scrapy's and the scheduler's too, to list them."""
    assert loaded_after(run_quietly("--help")) == []
