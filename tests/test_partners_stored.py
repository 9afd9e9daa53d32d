"""Stored partners follow what finds them: the user's partners file and the packaged table
and rules. Each command that opens the store to import, crawl or build the digest finds
every stored article's partners again when one of them changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, SEEDS, seed_path
from thaidigest import pipeline
from thaidigest.cli import main
from thaidigest.config import DEFAULTS
from thaidigest.ingest import Ingestor
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import (
    PARTNERS_KEY,
    Reread,
    build_ingestor,
    partners_fingerprint,
    refind_partners_stored,
)
from thaidigest.readers import read_paths
from thaidigest.store import Store
from thaidigest.urls import canonical_url

# A forum seed 000 names in its opening ("APEC Telecommunications and Information Working
# Group (TELWG)") that no packaged entry names.
TELWG = '[[partner]]\nid = "org:TELWG"\nen = ["TELWG"]\n'
TELWG_SEED = seed_path("000")
PACKAGED_PARTNERS = {
    "000": ["org:APEC"],
    "001": ["org:APEC"],
    "002": ["org:ASEAN"],
    "003": ["country:JP"],
    "004": ["org:ASEAN"],
}


def seeded(url: str) -> None:
    """The seeds imported into the store at ``url`` with the packaged table."""
    store = Store(url)
    try:
        assert build_ingestor(store, config=DEFAULTS).ingest(read_paths([SEEDS])).new == 5
    finally:
        store.close()


def stored_partners(store: Store) -> dict[str, list[str]]:
    """Each stored seed's partners, by the seed file's number (``"000"``)."""
    numbers = {
        canonical_url(normalise_article(raw).url): number
        for number in PACKAGED_PARTNERS
        for raw in read_paths([seed_path(number)])
    }
    return {numbers[row["url"]]: json.loads(row["partners"]) for row in store.iter_articles()}


def with_telwg() -> dict[str, list[str]]:
    return {**PACKAGED_PARTNERS, "000": ["org:APEC", "org:TELWG"]}


def differing(before: dict[str, list[str]], after: dict[str, list[str]]) -> int:
    """How many seeds' partners differ between ``before`` and ``after``."""
    return sum(before[number] != after[number] for number in before)


# The seeds read again when the TELWG entry comes or goes: all, of which some change.
TELWG_REREAD = Reread(
    read=len(PACKAGED_PARTNERS), changed=differing(PACKAGED_PARTNERS, with_telwg())
)


def users_config(folder: Path) -> dict:
    table = folder / "my_partners.toml"
    table.write_text(TELWG, encoding="utf-8")
    return {**DEFAULTS, "partners": {"file": str(table)}}


def imported_with_telwg(folder: Path) -> tuple[dict, list[str]]:
    """Seed 000 imported with a partners file ``my_partners.toml`` naming TELWG in
    ``folder``: its stored row, and the options that name the database and settings."""
    (folder / "my_partners.toml").write_text(TELWG, encoding="utf-8")
    config = folder / "thaidigest.toml"
    config.write_text('[partners]\nfile = "my_partners.toml"\n', encoding="utf-8")
    options = ["--db", str(folder / "db.sqlite"), "--config", str(config)]
    imported = CliRunner().invoke(main, ["import", str(TELWG_SEED), *options])
    assert imported.exit_code == 0, imported.output
    store = Store(f"sqlite:///{folder / 'db.sqlite'}")
    try:
        (row,) = store.iter_articles()
    finally:
        store.close()
    return row, options


def test_explain_names_the_partners_the_users_file_adds_as_the_import_stores_them(
    tmp_path: Path,
) -> None:
    row, options = imported_with_telwg(tmp_path)
    assert json.loads(row["partners"]) == ["org:APEC", "org:TELWG"]

    explained = CliRunner().invoke(main, ["explain", row["url"], *options])
    assert explained.exit_code == 0, explained.output
    assert (
        "partners named: APEC (org:APEC), TELWG (org:TELWG) "
        "(the model reads the packaged names only: it saw APEC (org:APEC))"
    ) in explained.output.splitlines()


@pytest.mark.parametrize(
    ("entries", "refusal"),
    [
        (
            '[[partner]]\nid = "org:Foo"\nen = ["Foo"]\n[[partner]]\nid = "org:foo"\nen = ["Fo"]\n',
            "partners 'org:Foo' and 'org:foo' would share the feed org-foo.atom",
        ),
        ('[[partner]]\nen = ["Foo"]\n', 'partners file: an entry without an id: { en = ["Foo"] }'),
    ],
)
def test_explain_with_a_partners_file_the_table_refuses_says_only_why(
    tmp_path: Path, entries: str, refusal: str
) -> None:
    row, options = imported_with_telwg(tmp_path)
    (tmp_path / "my_partners.toml").write_text(entries, encoding="utf-8")
    explained = CliRunner().invoke(main, ["explain", row["url"], *options])
    assert explained.exit_code == 2
    # The refusal alone: no headline or URL before it.
    partners = tmp_path / "my_partners.toml"
    assert explained.output.splitlines() == [f"Error: partners.file: {partners}: {refusal}"]


def test_stored_articles_gain_a_partner_the_users_file_adds_at_the_next_digest(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.sqlite"
    seeded(f"sqlite:///{db}")
    (tmp_path / "my_partners.toml").write_text(TELWG, encoding="utf-8")
    config = tmp_path / "thaidigest.toml"
    config.write_text('[partners]\nfile = "my_partners.toml"\n', encoding="utf-8")
    digest = ["digest", "--db", str(db), "--config", str(config), "--out", str(tmp_path / "out")]

    first = CliRunner().invoke(main, digest)
    assert first.exit_code == 0, first.output
    assert 0 < TELWG_REREAD.changed < TELWG_REREAD.read  # some of the articles read change
    assert (
        f"read the partners of {TELWG_REREAD.read} stored articles again (the partner names, "
        f"their rules or the partners file changed): {TELWG_REREAD.changed} changed"
    ) in first.output.splitlines()
    counted = CliRunner().invoke(main, ["partners", "--db", str(db)])
    assert [line.split()[:3] for line in counted.output.splitlines() if "TELWG" in line] == [
        ["org:TELWG", "TELWG", "1"]
    ]
    again = CliRunner().invoke(main, digest)
    assert again.exit_code == 0, again.output
    assert "read the partners" not in again.output  # nothing changed: nothing read again
    store = Store(f"sqlite:///{db}")
    try:
        assert stored_partners(store) == with_telwg()
    finally:
        store.close()


def test_an_import_finds_the_stored_partners_again_before_it_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    seeded(url)
    store = Store(url)
    try:
        config = users_config(tmp_path)
        assert build_ingestor(store, config=config).ingest([]).new == 0
        assert stored_partners(store) == with_telwg()
        assert refind_partners_stored(store, config) == Reread()  # recorded as found with it
        # The file taken out: the articles lose the partner it added.
        assert refind_partners_stored(store, DEFAULTS) == TELWG_REREAD
        assert stored_partners(store) == PACKAGED_PARTNERS
    finally:
        store.close()


# Finds the partners of the store at argv[1] again with the defaults and prints how many
# articles it read and how many of them changed.
REFIND = """
import sys
from thaidigest.config import DEFAULTS
from thaidigest.normalise import normalise_article
from thaidigest.pipeline import refind_partners_stored
from thaidigest.store import Store
from thaidigest.urls import canonical_url
store = Store(sys.argv[1])
reread = refind_partners_stored(store, DEFAULTS)
print(reread.read, reread.changed)
store.close()
"""


def refound_by(package_root: Path, url: str) -> Reread:
    """How many stored articles the ``thaidigest`` package under ``package_root`` reads the
    partners of again, and how many of them change."""
    env = {**os.environ, "PYTHONPATH": str(package_root)}
    finished = subprocess.run(
        [sys.executable, "-c", REFIND, url],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=package_root,
    )
    read, changed = map(int, finished.stdout.split())
    return Reread(read, changed)


def test_an_upgrade_that_adds_a_packaged_partner_finds_the_stored_partners_again(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    seeded(url)
    upgraded = tmp_path / "upgraded"
    ignored = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "thaidigest", upgraded / "thaidigest", ignore=ignored)
    assert refound_by(upgraded, url) == Reread()  # the same package: nothing to find again
    table = upgraded / "thaidigest" / "partners.toml"
    table.write_text(table.read_text(encoding="utf-8") + "\n" + TELWG, encoding="utf-8")
    assert refound_by(upgraded, url) == TELWG_REREAD
    assert refound_by(upgraded, url) == Reread()  # found with the new table and recorded so
    store = Store(url)
    try:
        assert stored_partners(store) == with_telwg()
    finally:
        store.close()


class Crash(Exception):
    """Raised by the partner finder part-way through the stored articles."""


def test_a_crash_part_way_leaves_the_old_partners_and_the_next_run_tries_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    seeded(url)
    store = Store(url)
    try:
        recorded = store.meta_value(PARTNERS_KEY)
        assert recorded is not None
        config = users_config(tmp_path)
        real = pipeline.partners
        calls = []

        def crashing(title: str, body: str, table: object) -> tuple[str, ...]:
            calls.append(title)
            if len(calls) == 4:  # seed 000's partners, the first found, have changed
                raise Crash
            return real(title, body, table)

        monkeypatch.setattr(pipeline, "partners", crashing)
        with pytest.raises(Crash):
            refind_partners_stored(store, config)
        assert stored_partners(store) == PACKAGED_PARTNERS  # seed 000 came first: not kept
        # The pass was recorded as begun, never as done: the next one finds them all again.
        assert store.meta_value(PARTNERS_KEY) not in (recorded, partners_fingerprint(TELWG))
        monkeypatch.setattr(pipeline, "partners", real)
        assert refind_partners_stored(store, config) == TELWG_REREAD
        assert stored_partners(store) == with_telwg()
    finally:
        store.close()


def test_an_article_edited_while_its_partners_were_found_again_keeps_the_edits_partners(
    store: Store,
) -> None:
    # Another process stores a new version between the read and the write: the partners
    # it found with the new text stay, not those of the text read before.
    build_ingestor(store, config=DEFAULTS).ingest(read_paths([TELWG_SEED]))
    (row,) = store.iter_articles()
    stale = [(row["id"], "an older text's hash", '["org:TELWG"]')]
    assert store.update_partners(stale, PARTNERS_KEY, "x") == 0  # none written
    assert json.loads(next(store.iter_articles())["partners"]) == ["org:APEC"]
    assert store.meta_value(PARTNERS_KEY) == "x"
    fresh = [(row["id"], row["content_hash"], '["org:TELWG"]')]
    assert store.update_partners(fresh, PARTNERS_KEY, "y") == 1
    assert json.loads(next(store.iter_articles())["partners"]) == ["org:TELWG"]


def built_before_the_edit(store: Store, folder: Path) -> tuple[Ingestor, dict]:
    """An ingestor built while the user's partners file named no partner, which has
    stored every seed but 000; the file then edited to name TELWG, and the configuration."""
    table = folder / "my_partners.toml"
    table.write_text("# none yet\n", encoding="utf-8")
    config = {**DEFAULTS, "partners": {"file": str(table)}}
    old = build_ingestor(store, config=config)
    others = [seed_path(number) for number in PACKAGED_PARTNERS if number != "000"]
    assert old.ingest(read_paths(others)).new == 4
    table.write_text(TELWG, encoding="utf-8")
    return old, config


def test_articles_an_ingestor_stores_with_the_table_it_was_built_with_are_found_again(
    store: Store, tmp_path: Path
) -> None:
    # An import built before the user added TELWG to their file stores seed 000 after
    # another process found every stored partner again with the new file: the next
    # re-find finds seed 000's too.
    old, config = built_before_the_edit(store, tmp_path)
    # None of the four stored holds TELWG: read, none changed.
    assert refind_partners_stored(store, config) == Reread(read=4, changed=0)
    assert store.meta_value(PARTNERS_KEY) == partners_fingerprint(TELWG)

    assert old.ingest(read_paths([TELWG_SEED])).new == 1
    assert stored_partners(store)["000"] == ["org:APEC"]  # the old table's
    assert refind_partners_stored(store, config) == TELWG_REREAD
    assert stored_partners(store) == with_telwg()
    assert refind_partners_stored(store, config) == Reread()


def test_articles_stored_with_another_table_while_partners_are_found_again_are_found_again(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import built before the edit stores seed 000 while the re-find with the new file
    # reads the stored articles: it never read seed 000.
    old, config = built_before_the_edit(store, tmp_path)
    real = pipeline.partners

    importing = []

    def importing_meanwhile(title: str, body: str, table: object) -> tuple[str, ...]:
        if not importing:  # the re-find's first article (the import finds partners too)
            importing.append(title)
            assert old.ingest(read_paths([TELWG_SEED])).new == 1
        return real(title, body, table)

    monkeypatch.setattr(pipeline, "partners", importing_meanwhile)
    # It found the partners of the four it read, but records no fingerprint: next call.
    assert refind_partners_stored(store, config) == Reread(read=4, changed=0)
    monkeypatch.setattr(pipeline, "partners", real)
    assert stored_partners(store)["000"] == ["org:APEC"]  # the old table's
    assert store.meta_value(PARTNERS_KEY) != partners_fingerprint(TELWG)
    assert refind_partners_stored(store, config) == TELWG_REREAD
    assert stored_partners(store) == with_telwg()


def test_a_pass_begun_meanwhile_does_not_hide_a_write_with_another_table(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The import built before the edit stores seed 000 during a re-find, and another
    # process begins its own re-find with the same new file: the first pass must not take
    # the second's record for its own and record the new file over seed 000's old partners.
    old, config = built_before_the_edit(store, tmp_path)
    real = pipeline.partners
    meanwhile: list[str] = []

    def importing_and_another_pass(title: str, body: str, table: object) -> tuple[str, ...]:
        if not meanwhile:
            meanwhile.append(title)
            assert old.ingest(read_paths([TELWG_SEED])).new == 1
            store.begin_finding(PARTNERS_KEY, partners_fingerprint(TELWG))
        return real(title, body, table)

    monkeypatch.setattr(pipeline, "partners", importing_and_another_pass)
    refind_partners_stored(store, config)
    monkeypatch.setattr(pipeline, "partners", real)
    assert store.meta_value(PARTNERS_KEY) != partners_fingerprint(TELWG)
    assert refind_partners_stored(store, config) == TELWG_REREAD
    assert stored_partners(store) == with_telwg()
