"""``abm bench``: what users wait for, measured, printed and written to results/bench/.

* the whole ``abm run`` of the default scenario and of a quota scenario
  (``gallium-germanium-2023``), fresh processes, tables and figures included, as medians with
  their range, and the phases of each (imports, build, steps, tables, figures), months per
  second, milliseconds per clearing (one stage's book, every mineral) and peak memory;
* full runs per core-hour through the real ``abm sweep`` (cold workers, everything it
  writes), on one and on two workers, and the parallel efficiency;
* the machine: cores and load averages before and after, and the commit measured, so a later
  run can be compared;
* as context only, agent-steps per second against Mesa's Boltzmann wealth model.
Nothing here asserts a time: the benchmark reports, tests check only its structure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from abm.bench.boltzmann import BoltzmannWealth, boltzmann, mesa_boltzmann
from abm.bench.sweeps import throughput
from abm.bench.whole import scenario_report

__all__ = ["BoltzmannWealth", "mesa_boltzmann", "run_bench", "table"]

QUOTA_SCENARIO = "gallium-germanium-2023"


def machine() -> dict:
    """Cores and the load averages (1, 5, 15 minutes) now."""
    return {"cores": os.cpu_count(), "load_average": list(os.getloadavg())}


def run_bench(quick: bool = False, out: Path | None = None) -> dict:
    """Measure everything above and write ``bench.json``; ``quick`` runs each once, short."""
    from abm.outputs import git_commit, write_text_atomic

    repeats, end = (1, "2024-12") if quick else (5, None)
    before = machine()
    default = scenario_report("default", repeats, end)
    quota = scenario_report(QUOTA_SCENARIO, repeats, end)
    sweep = throughput("default", 2 if quick else 8, "2023-06" if quick else None)
    phases = default["phases"]
    reference = boltzmann(mesa_boltzmann, repeats=1 if quick else 5)
    report = {
        "commit": git_commit(),
        "quick": quick,
        "machine_before": before,
        "machine_after": machine(),
        "default": default,
        "quota": quota,
        "quota_cost_per_month_over_default": quota["phases"]["step_ms_per_month"]
        / phases["step_ms_per_month"],
        "sweep": sweep,
        "context_boltzmann": {
            **reference,
            "model_agent_steps_per_s": phases["agents"]
            * phases["months"]
            / phases["step_s"]["median"],
        },
    }
    out = out or Path("results") / "bench"
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "bench.json", json.dumps(report, indent=2) + "\n")
    return report


def _seconds(spread: dict) -> str:
    return f"{spread['median']:.2f} s ({spread['min']:.2f}-{spread['max']:.2f})"


def _scenario_lines(report: dict) -> list[str]:
    phases = report["phases"]
    return [
        f"abm run {report['scenario']}: {_seconds(report['whole_run_s'])} of waiting, the whole"
        " command (median and range over fresh processes)",
        "  phases: "
        + ", ".join(
            f"{name} {phases[key]['median']:.2f} s"
            for name, key in (
                ("imports", "import_s"),
                ("build", "build_s"),
                ("steps", "step_s"),
                ("tables", "tables_s"),
                ("figures", "figures_s"),
            )
        ),
        f"  {phases['months']} months at {phases['months_per_s']:.0f} months/s "
        f"({phases['step_ms_per_month']:.1f} ms a month); {phases['clearings_per_month']:.1f} "
        f"clearings a month at {phases['ms_per_clearing']:.2f} ms each; "
        f"peak memory {phases['peak_rss_mb']:.0f} MB",
    ]


def table(report: dict) -> str:
    """The report as the lines ``abm bench`` prints."""
    sweep, before = report["sweep"], report["machine_before"]
    context = report["context_boltzmann"]
    lines = [
        f"commit {report['commit'] or 'unknown'}; {before['cores']} cores, load "
        + "/".join(f"{x:.2f}" for x in before["load_average"])
        + " before, "
        + "/".join(f"{x:.2f}" for x in report["machine_after"]["load_average"])
        + " after (1/5/15 min)",
        *_scenario_lines(report["default"]),
        *_scenario_lines(report["quota"]),
        f"a month of {report['quota']['scenario']} costs "
        f"{report['quota_cost_per_month_over_default']:.2f}x the default's",
        f"abm sweep of {sweep['runs']} runs of {sweep['scenario']} "
        f"({'to ' + sweep['end'] if sweep['end'] else 'full horizon'}): "
        f"{sweep['runs_per_core_hour_1']:,.0f} runs per "
        f"core-hour on 1 worker ({sweep['wall_s_1_worker']:.1f} s), "
        f"{sweep['runs_per_core_hour_2']:,.0f} on 2 ({sweep['wall_s_2_workers']:.1f} s); "
        f"parallel efficiency {sweep['parallel_efficiency']:.2f}",
        f"context only: {context['model_agent_steps_per_s']:,.0f} agent-steps/s against "
        f"{context['agent_steps_per_s']:,.0f} for Mesa's Boltzmann wealth model "
        "(the agents here are array rows: this ratio is not the model's speed)",
    ]
    return "\n".join(lines)
