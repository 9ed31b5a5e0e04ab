"""What a user waits for in one ``abm run``: the whole command, and where its time goes.

Each repeat is a fresh Python process, so imports and caches of one do not flatter the next.
The whole run is ``python -m abm run SCENARIO`` timed from outside (tables, figures and
manifest written, exactly as a user runs it); its phases are timed inside a second fresh
process that does what ``abm run`` does, step by step: imports, world build, the monthly
steps (and within them the market clearings), the tables written as Parquet, the figures.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time

PHASES = """
import time
started = time.perf_counter()
import json, resource, sys, tempfile
from pathlib import Path
import abm.cli, abm.experiment, abm.outputs  # what `abm run` imports before it starts
from abm.model import MineralsModel
imported = time.perf_counter()
scenario, end = sys.argv[1], sys.argv[2] or None
clearing = {"count": 0, "seconds": 0.0}
plain = MineralsModel._clear
def counted(self, market, book):
    began = time.perf_counter()
    try:
        return plain(self, market, book)
    finally:
        clearing["count"] += 1
        clearing["seconds"] += time.perf_counter() - began
MineralsModel._clear = counted
overrides = {"end": end} if end else {}
model = abm.experiment.build(scenario, seed=1, overrides=overrides)
built = time.perf_counter()
model.run()
stepped = time.perf_counter()
out = Path(tempfile.mkdtemp())
for name, table in abm.outputs.tables(model).items():
    table.to_parquet(out / f"{name}.parquet", index=False)
tabled = time.perf_counter()
from abm.figures import write_figures
write_figures(model, out, scenario)
drawn = time.perf_counter()
print(json.dumps({
    "import_s": imported - started,
    "build_s": built - imported,
    "step_s": stepped - built,
    "tables_s": tabled - stepped,
    "figures_s": drawn - tabled,
    "months": model.month,
    "agents": len(model.agents),
    "clearings": clearing["count"],
    "clearing_s": clearing["seconds"],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def spread(values: list[float]) -> dict[str, float]:
    """Median, least and greatest of repeated timings."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def whole_command(scenario: str, repeats: int, end: str | None = None) -> dict:
    """Wall time of ``python -m abm run SCENARIO`` in fresh processes, outputs written to a
    scratch folder (removed by the operating system's temporary-file cleaning, not here:
    nothing the user owns is touched)."""
    walls = []
    with tempfile.TemporaryDirectory(prefix="abm-bench-") as scratch:
        for i in range(repeats):
            command = [sys.executable, "-m", "abm", "run", scenario, "--out", f"{scratch}/{i}"]
            if end:
                command += ["--end", end]
            began = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            walls.append(time.perf_counter() - began)
    return spread(walls)


def phases(scenario: str, repeats: int, end: str | None = None) -> dict:
    """The phases of a run (medians over fresh processes), months per second, milliseconds
    per clearing of one stage's book, and the largest peak resident memory."""
    results = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", PHASES, scenario, end or ""],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report = {
        key: spread([r[key] for r in results])
        for key in ("import_s", "build_s", "step_s", "tables_s", "figures_s")
    }
    first = results[0]
    step = report["step_s"]["median"]
    report.update(
        months=first["months"],
        agents=first["agents"],
        months_per_s=first["months"] / step,
        step_ms_per_month=1000 * step / first["months"],
        clearings_per_month=first["clearings"] / first["months"],
        ms_per_clearing=statistics.median(
            1000 * r["clearing_s"] / max(r["clearings"], 1) for r in results
        ),
        peak_rss_mb=max(r["peak_rss_mb"] for r in results),
    )
    return report


def scenario_report(scenario: str, repeats: int, end: str | None = None) -> dict:
    """The whole command and its phases for one scenario."""
    return {
        "scenario": scenario,
        "end": end,
        "whole_run_s": whole_command(scenario, repeats, end),
        "phases": phases(scenario, repeats, end),
    }
