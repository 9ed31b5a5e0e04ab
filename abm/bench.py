"""``abm bench``: how fast the model is, measured, printed and written to results/bench/.

Figures (medians where repeated), each run in a fresh Python process so imports and caches
of one do not flatter the next:
* the default full run (all minerals, monthly 2023-2040): build and step wall time, and
  the import time before it;
* agent-steps per second of that run, and of Mesa's Boltzmann wealth model as Mesa's own
  benchmarks run it (``mesa.examples.BoltzmannWealth`` from the installed Mesa: 100
  agents on a 10 x 10 grid with its data collection, 100 steps), and their ratio. The
  same figure for the bare exchange rule (no grid, no data collection) is reported as a
  stricter second reference;
* scaling: 1x, 4x and 16x the agents (more cost tranches per mine and refinery group), and
  1x and 4x the months;
* sweep throughput: the same short runs on 1 and 2 worker processes, and the parallel
  efficiency (time on 1 / (2 x time on 2)). Workers are started and have imported the
  model before the clock starts, as in a sweep of thousands where start-up is paid once;
  the start-up itself is reported apart;
* peak resident memory of one default run.
Nothing here asserts a time: the benchmark reports, tests check only its structure.
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import mesa

CHILD = """
import time
started = time.perf_counter()
import json, resource, sys
settings = json.loads(sys.argv[1])
import abm.model  # imports are timed as imports, not as the build
from abm.experiment import build
began = time.perf_counter()
model = build("default", seed=1, overrides=settings)
built = time.perf_counter()
model.run()
done = time.perf_counter()
print(json.dumps({
    "import_s": began - started,
    "build_s": built - began,
    "step_s": done - built,
    "agents": len(model.agents),
    "months": model.month,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    # Of the resident memory at the end, the part that is the process's own: the rest is
    # shared libraries' pages, which count more when their files were just written (a
    # fresh install) than when they were read back from disk.
    "private_mb": next(
        int(line.split()[1]) / 1024 for line in open("/proc/self/status")
        if line.startswith("RssAnon:")
    ),
}))
"""


def timed_run(settings: dict, repeats: int) -> dict:
    """Run the model in fresh processes; medians of the timings, the largest memory."""
    results = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(settings)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    step = statistics.median(r["step_s"] for r in results)
    build = statistics.median(r["build_s"] for r in results)
    return {
        "import_s": statistics.median(r["import_s"] for r in results),
        "build_s": build,
        "step_s": step,
        "total_s": statistics.median(r["build_s"] + r["step_s"] for r in results),
        "agents": results[0]["agents"],
        "months": results[0]["months"],
        "agent_steps_per_s": results[0]["agents"] * results[0]["months"] / step,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
        "private_mb": max(r["private_mb"] for r in results),
        "repeats": repeats,
    }


class WealthAgent(mesa.Agent):
    """The bare exchange rule: gives a unit to a random agent if it has any."""

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        """Give one unit of wealth to a random agent, if there is any to give."""
        if self.wealth > 0:
            other = self.model.random.choice(self.model.agent_list)
            other.wealth += 1
            self.wealth -= 1


class BoltzmannWealth(mesa.Model):
    """The stricter reference: Boltzmann's exchange rule without Mesa's grid or data
    collection, so almost all of its time is Mesa's agent activation."""

    def __init__(self, agents: int = 100, rng: int = 1):
        super().__init__(rng=rng)
        for _ in range(agents):
            WealthAgent(self)
        self.agent_list = self.agents.to_list()

    def step(self) -> None:
        """Step every agent once, in random order."""
        self.agents.shuffle_do("step")


def mesa_boltzmann(seed: int, agents: int = 100) -> mesa.Model:
    """Mesa's own example model, configured as Mesa's benchmarks configure it (their
    ``benchmarks/configurations.py``: n=100, width=10, height=10)."""
    from mesa.examples import BoltzmannWealth as MesaBoltzmann
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

    return MesaBoltzmann(BoltzmannScenario(rng=seed, n=agents, width=10, height=10))


def boltzmann(model_of, agents: int = 100, steps: int = 100, repeats: int = 5) -> dict:
    """Median wall time of ``steps`` steps of a Boltzmann model, over seeds 1..repeats."""
    times = []
    for seed in range(repeats):
        model = model_of(seed + 1, agents)
        began = time.perf_counter()
        for _ in range(steps):
            model.step()
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    return {
        "agents": agents,
        "steps": steps,
        "step_s": median,
        "agent_steps_per_s": agents * steps / median,
    }


def _short_run(seed: int, end: str = "2024-12") -> float:
    from abm.experiment import run

    began = time.perf_counter()
    run("default", seed=seed, end=end)
    return time.perf_counter() - began


def _warm_worker() -> None:
    """What every sweep worker does once: import the model and read the calibration."""
    _short_run(0, end="2023-01")


def sweep_throughput(runs: int, repeats: int = 3) -> dict:
    """The same short runs on one and on two worker processes, set up as ``abm sweep`` sets
    its workers (one BLAS thread each), timed once every worker is up: the median of
    ``repeats`` passes over the runs on the same pool (one pass of 20 short runs takes a few
    seconds, and single passes varied by a fifth on this machine)."""
    from abm.runner import one_thread_per_worker

    one_thread_per_worker()
    timings, startup = {}, {}
    for workers in (1, 2):
        began = time.perf_counter()
        context = multiprocessing.get_context("forkserver")  # no fork of a threaded parent
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_warm_worker
        ) as pool:
            # One held task per worker makes the pool start them all before the clock.
            list(pool.map(time.sleep, [0.2] * workers))
            startup[workers] = time.perf_counter() - began
            passes = []
            for _ in range(repeats):
                began = time.perf_counter()
                list(pool.map(_short_run, range(1, runs + 1)))
                passes.append(time.perf_counter() - began)
            timings[workers] = statistics.median(passes)
    return {
        "runs": runs,
        "repeats": repeats,
        "startup_s_1_worker": startup[1],
        "startup_s_2_workers": startup[2],
        "wall_s_1_worker": timings[1],
        "wall_s_2_workers": timings[2],
        "runs_per_s_1": runs / timings[1],
        "runs_per_s_2": runs / timings[2],
        "parallel_efficiency": timings[1] / (2 * timings[2]),
        "parallel_efficiency_with_startup": (timings[1] + startup[1])
        / (2 * (timings[2] + startup[2])),
    }


def run_bench(quick: bool = False, out: Path | None = None) -> dict:
    """Time a full run against Mesa's Boltzmann model and its bare rule, and how runs scale;
    write ``bench.json``; ``quick`` times each once."""
    from abm.outputs import write_text_atomic

    repeats = 1 if quick else 5
    full = timed_run({}, repeats)
    reference = boltzmann(mesa_boltzmann, repeats=1 if quick else 5)
    bare = boltzmann(
        lambda seed, agents: BoltzmannWealth(agents, rng=seed), repeats=1 if quick else 5
    )
    scaling: dict[str, dict[str, dict]] = {"agents": {}, "months": {}}
    for factor in (1, 4) if quick else (1, 4, 16):
        scaling["agents"][f"{factor}x"] = timed_run({"tranches": 8 * factor}, 1)
    scaling["months"]["1x"] = scaling["agents"]["1x"]
    longer = ("2x", "2058-12") if quick else ("4x", "2094-12")
    scaling["months"][longer[0]] = timed_run({"end": longer[1]}, 1)
    report = {
        "full_run": full,
        "boltzmann": reference,
        "agent_steps_ratio": full["agent_steps_per_s"] / reference["agent_steps_per_s"],
        "boltzmann_bare": bare,
        "agent_steps_ratio_bare": full["agent_steps_per_s"] / bare["agent_steps_per_s"],
        "scaling": scaling,
        "sweep": sweep_throughput(4, 1) if quick else sweep_throughput(20),
        "quick": quick,
    }
    out = out or Path("results") / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / "bench.json"
    write_text_atomic(path, json.dumps(report, indent=2) + "\n")
    return report


def table(report: dict) -> str:
    """The report as the lines ``abm bench`` prints."""
    full, reference, bare = report["full_run"], report["boltzmann"], report["boltzmann_bare"]
    lines = [
        f"default full run: {full['total_s']:.2f} s median of {full['repeats']} "
        f"(build {full['build_s']:.2f} s, {full['months']} months {full['step_s']:.2f} s; "
        f"imports before it {full['import_s']:.2f} s), "
        f"{full['agents']} agents, peak memory {full['peak_rss_mb']:.0f} MB "
        f"({full['private_mb']:.0f} MB of it the process's own at the end)",
        f"agent-steps/s: model {full['agent_steps_per_s']:,.0f}, Boltzmann wealth as in "
        f"Mesa's benchmarks {reference['agent_steps_per_s']:,.0f}, ratio "
        f"{report['agent_steps_ratio']:.2f}; bare exchange rule "
        f"{bare['agent_steps_per_s']:,.0f}, ratio {report['agent_steps_ratio_bare']:.2f}",
    ]
    base = report["scaling"]["agents"]["1x"]["step_s"]
    for name, result in report["scaling"]["agents"].items():
        lines.append(
            f"agents {name}: {result['agents']} agents, steps {result['step_s']:.2f} s "
            f"({result['step_s'] / base:.1f}x the time)"
        )
    for name, result in report["scaling"]["months"].items():
        lines.append(
            f"months {name}: {result['months']} months, steps {result['step_s']:.2f} s "
            f"({result['step_s'] / base:.1f}x the time)"
        )
    sweep = report["sweep"]
    lines.append(
        f"sweep of {sweep['runs']} short runs (median of {sweep['repeats']} passes): "
        f"1 worker {sweep['wall_s_1_worker']:.1f} s, "
        f"2 workers {sweep['wall_s_2_workers']:.1f} s, parallel efficiency "
        f"{sweep['parallel_efficiency']:.2f} (worker start-up {sweep['startup_s_1_worker']:.1f}"
        f" s and {sweep['startup_s_2_workers']:.1f} s apart; with it "
        f"{sweep['parallel_efficiency_with_startup']:.2f})"
    )
    return "\n".join(lines)
