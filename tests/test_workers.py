"""The ordered map over worker processes."""

from __future__ import annotations

import gc
import operator
import subprocess
import sys
import time
from itertools import count, islice
from pathlib import Path

import pytest

from thaidigest.workers import AHEAD, YOUNG_GC_THRESHOLD, default_workers, ordered_map


def test_results_come_in_input_order() -> None:
    assert list(ordered_map(operator.neg, range(40), workers=2)) == [-n for n in range(40)]


def test_the_input_is_read_only_a_few_tasks_ahead() -> None:
    consumed: list[int] = []

    def watched():
        for n in count():
            consumed.append(n)
            yield n

    results = ordered_map(operator.neg, watched(), workers=2)
    assert list(islice(results, 3)) == [0, -1, -2]
    results.close()  # an endless input: closing must not wait for it
    assert len(consumed) <= 3 + AHEAD * 2


def frozen_objects(_: object) -> int:
    return gc.get_freeze_count()


def test_a_worker_starts_with_what_it_loaded_frozen() -> None:
    # Full collections then skip the modules' objects, which live as long as the worker.
    assert gc.get_freeze_count() == 0  # not this process: only its workers
    (frozen,) = ordered_map(frozen_objects, [None], workers=1)
    assert frozen > 1000


def young_threshold(_: object) -> int:
    return gc.get_threshold()[0]


def test_a_worker_collects_the_young_objects_less_often() -> None:
    assert gc.get_threshold()[0] != YOUNG_GC_THRESHOLD  # not this process: only its workers
    assert list(ordered_map(young_threshold, [None], workers=1)) == [YOUNG_GC_THRESHOLD]


def test_an_error_in_a_task_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        list(ordered_map(int, ["1", "2", "x", "4"], workers=2))


@pytest.mark.parametrize(("cpus", "workers"), [(1, 1), (2, 2), (3, 3), (16, 4)])
def test_default_workers_follow_the_usable_cpus_up_to_four(monkeypatch, cpus, workers) -> None:
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert default_workers() == workers


def test_default_workers_without_cpu_affinity_count_the_cpus(monkeypatch) -> None:
    monkeypatch.delattr("os.sched_getaffinity", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert default_workers() == 1
    monkeypatch.setattr("os.cpu_count", lambda: 3)
    assert default_workers() == 3


def descendants(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [n for child in map(int, children) for n in (child, *descendants(child))]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux /proc")
def test_workers_exit_when_their_caller_is_killed() -> None:
    code = "import time; from thaidigest.workers import ordered_map; "
    code += "list(ordered_map(time.sleep, [60] * 4, workers=2))"
    caller = subprocess.Popen([sys.executable, "-c", code])
    try:
        # The fork server, the resource tracker and two workers.
        assert wait_for(lambda: len(descendants(caller.pid)) >= 4, 30)
        helpers = descendants(caller.pid)
    finally:
        caller.kill()
        caller.wait()
    assert wait_for(lambda: not any(map(running, helpers)), 15), [
        Path(f"/proc/{pid}/cmdline").read_text() for pid in helpers if running(pid)
    ]


def test_workers_start_with_the_modules_named_to_preload_imported() -> None:
    # In a fresh process: a fork server already running keeps what it preloaded.
    check = "'colorsys' in __import__('sys').modules"
    code = "from thaidigest.workers import ordered_map; "
    code += f"print(list(ordered_map(eval, [{check!r}] * 2, workers=2, preload=%s)))"
    results = [
        subprocess.run(
            [sys.executable, "-c", code % preload], capture_output=True, text=True, check=True
        ).stdout.strip()
        for preload in ("['colorsys']", "()")
    ]
    assert results == ["[True, True]", "[False, False]"]
