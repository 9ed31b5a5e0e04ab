"""Full runs per core-hour through the real ``abm sweep``: cold workers, every table and file
it writes, the whole command timed from outside, on one worker and on two."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

SWEEP = """name = "bench"
scenario = "{scenario}"
seeds = {seeds}
{end}
[parameters]
"settings.investment_rate" = [0.25]
"""


def sweep_command(scenario: str, runs: int, workers: int, end: str | None) -> float:
    """Wall time of ``abm sweep`` over ``runs`` seeds of ``scenario`` on ``workers``."""
    with tempfile.TemporaryDirectory(prefix="abm-bench-sweep-") as scratch:
        path = Path(scratch) / "bench.toml"
        path.write_text(
            SWEEP.format(
                scenario=scenario,
                seeds=list(range(1, runs + 1)),
                end=f'end = "{end}"' if end else "",
            )
        )
        command = [sys.executable, "-m", "abm", "sweep", str(path), "--workers", str(workers)]
        began = time.perf_counter()
        subprocess.run([*command, "--out", f"{scratch}/out"], check=True, capture_output=True)
        return time.perf_counter() - began


def throughput(scenario: str, runs: int, end: str | None = None) -> dict:
    """Runs per core-hour on 1 and 2 workers, and the parallel efficiency of 2 against 1."""
    one = sweep_command(scenario, runs, 1, end)
    two = sweep_command(scenario, runs, 2, end)
    return {
        "scenario": scenario,
        "end": end,
        "runs": runs,
        "wall_s_1_worker": one,
        "wall_s_2_workers": two,
        "runs_per_core_hour_1": 3600 * runs / one,
        "runs_per_core_hour_2": 3600 * runs / (2 * two),
        "parallel_efficiency": one / (2 * two),
    }
