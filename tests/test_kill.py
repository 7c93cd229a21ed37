"""Kill tests (issue #15's acceptance): ``svcplan plan``, ``export``, ``forecast`` and
``dispatch`` run as processes and get SIGKILLed at random moments, several times each: a random
delay after start, or a random few milliseconds after their staging folder appears beside the
outputs (the product has no test hooks; the test polls the output folder's parent). After every
kill the outputs are the previous ones or the complete new ones (a kill after the swap), every
manifest agrees with its files, and the next normal run succeeds and leaves nothing hidden
beside or inside the output folder.

``SVCPLAN_KILL_CASES`` (default 2; 10 for a thorough run) sets the kills per command; the
counts are printed (run with ``-s`` to see them).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from optimizer import api
from optimizer.export.sinks import layer_artifacts
from optimizer.export.staging import publish

from .conftest import REPO_ROOT
from .export_sample import porto_alegre_layers
from .outputs_check import assert_consistent, hidden, tree

CASES = int(os.environ.get("SVCPLAN_KILL_CASES", "2"))
SURGE = REPO_ROOT / "scenarios" / "surge.yaml"
TOURIST_PEAK = REPO_ROOT / "scenarios" / "tourist-peak.yaml"
runner = CliRunner()


def _visible(folder: Path) -> dict[str, bytes]:
    """``tree(folder)`` without hidden entries."""
    return {
        name: content
        for name, content in tree(folder).items()
        if not any(part.startswith(".") for part in name.split("/"))
    }


def _staging_appeared(parent: Path) -> bool:
    try:
        return any(name.startswith(".") for name in os.listdir(parent))
    except FileNotFoundError:
        return False


def _write_window(run: Callable[[], object], parent: Path) -> float:
    """Seconds for which ``run()`` (an in-process run) keeps hidden entries in ``parent``: how
    long a run of the same command stays in its writing stage."""
    seen: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if _staging_appeared(parent):
                seen.append(time.monotonic())
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run()
    finally:
        done.set()
        watcher.join()
    return seen[-1] - seen[0] if seen else 0.0


def _kill_at_random(arguments: list[str], parent: Path, rng: random.Random, window: float) -> str:
    """Run ``svcplan ARGUMENTS`` and SIGKILL it: after a random delay from the start (one case
    in three), or at a random moment of its writing stage (from when a hidden entry appears in
    ``parent`` to 1.5 × ``window`` after).

    Returns:
        'killed early', 'killed writing', or 'finished' (it ended before the kill).
    """
    early = rng.random() < 1 / 3
    delay = rng.uniform(0.3, 2.0) if early else rng.uniform(0.0, 1.5 * window)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *arguments],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        if not early:
            while process.poll() is None and not _staging_appeared(parent):
                assert time.monotonic() < deadline, "no staging folder ever appeared"
                time.sleep(0.001)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode == -signal.SIGKILL:
        return "killed early" if early else "killed writing"
    assert process.returncode == 0, process.returncode
    return "finished"


def _survive_kills(
    command: str, arguments: list[str], root: Path, parent: Path, seed: int, window: float
) -> Counter[str]:
    """Kill ``svcplan ARGUMENTS`` ``CASES`` times, checking ``root`` after each kill; then run
    it normally and check that nothing is left behind. Returns the outcome counts."""
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    for _ in range(CASES):
        before = _visible(root)
        outcome = _kill_at_random(arguments, parent, rng, window)
        after = _visible(root)
        assert_consistent(root)
        if after == before:
            outcomes[f"{outcome}, previous outputs intact"] += 1
        else:  # the kill came after the swap: the new outputs are complete
            assert set(after) == set(before), sorted(set(after) ^ set(before))
            outcomes[f"{outcome}, new outputs complete"] += 1
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert_consistent(root)
    assert hidden(parent) == [], hidden(parent)
    print(f"\n{command} (writing stage ~{window * 1000:.0f} ms): {CASES} kills survived:")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count} {outcome}")
    return outcomes


@pytest.fixture(scope="module")
def surge_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, float]:
    """The surge scenario planned, then dispatched, in process, once for both surge tests:
    (the output folder, the plan's writing stage in seconds, the dispatch's)."""
    out = tmp_path_factory.mktemp("surge") / "out"
    plan_window = _write_window(lambda: api.plan(SURGE, out_dir=out), out)
    dispatch_window = _write_window(lambda: api.dispatch(SURGE, out_dir=out), out)
    return out, plan_window, dispatch_window


def test_plan_survives_kills(tmp_path: Path, surge_outputs: tuple[Path, float, float]) -> None:
    out = tmp_path / "out"
    shutil.copytree(surge_outputs[0], out)
    arguments = ["plan", str(SURGE), "--out", str(out), "--quiet"]
    _survive_kills("plan", arguments, out / "surge", out, seed=1, window=surge_outputs[1])
    assert (out / "surge" / "dispatch" / "moves.csv").is_file()  # carried over every time


def test_dispatch_survives_kills(tmp_path: Path, surge_outputs: tuple[Path, float, float]) -> None:
    out = tmp_path / "out"
    shutil.copytree(surge_outputs[0], out)
    arguments = ["dispatch", str(SURGE), "--out", str(out), "--quiet"]
    _survive_kills("dispatch", arguments, out / "surge", out, seed=2, window=surge_outputs[2])


@pytest.fixture
def staffing_only(tmp_path: Path) -> Path:
    """The tourist-peak scenario without its roster, on the history of three of its counters
    since 2023: ``plan`` only forecasts (a plan folder in a second), and the forecast runs
    rewrite a subfolder of that plan folder."""
    history = pd.read_csv(REPO_ROOT / "geodata" / "auckland" / "pedestrians_daily.csv")
    sites = [
        "107 Quay Street",
        "188 Quay Street Lower Albert (EW)",
        "188 Quay Street Lower Albert (NS)",
    ]
    history = history[history["site"].isin(sites) & (history["date"] >= "2023-01-01")]
    history.to_csv(tmp_path / "history.csv", index=False)
    text = TOURIST_PEAK.read_text()
    text = text.replace("../geodata/auckland/pedestrians_daily.csv", str(tmp_path / "history.csv"))
    head, _, tail = text.partition("  roster:\n")
    path = tmp_path / "tourist-peak.yaml"
    path.write_text(head + "solver:" + tail.split("\nsolver:", 1)[1])
    return path


def test_forecast_survives_kills(tmp_path: Path, staffing_only: Path) -> None:
    out = tmp_path / "out"
    api.plan(staffing_only, out_dir=out)
    window = _write_window(lambda: api.forecast(staffing_only, out_dir=out), out)
    arguments = ["forecast", str(staffing_only), "--out", str(out), "--quiet"]
    _survive_kills("forecast", arguments, out / "tourist-peak", out, seed=3, window=window)


def test_export_survives_kills(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "plan"
    publish(folder, layer_artifacts(porto_alegre_layers(), formats=["gpkg", "geojson"]))
    formats = ["geojson", "html", "png"]
    window = _write_window(lambda: api.export(folder, formats=formats, png_dpi=40), folder.parent)
    options = [option for name in formats for option in ("-f", name)]
    arguments = ["export", str(folder), *options, "--dpi", "40", "--quiet"]
    _survive_kills("export", arguments, folder, folder.parent, seed=4, window=window)
