"""Command line: ``abm run`` and ``abm scenarios`` (sweep, viz, replicate and bench follow).

Bad input exits with status 2 and one line naming the field; nothing is written, and no
folder holding files abm did not write is ever replaced (``abm.folders``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

from abm.folders import check_output_folder, run_folder
from abm.scenario import builtin_scenarios, load_scenario
from abm.settings import SettingsError, parse_setting
from abm.validation import InputError

EXIT_BAD_INPUT = 2


MAX_SEED = 2**63 - 1


def _seed(text: str) -> int:
    """``--seed``: numpy's generators need a whole number that is not negative."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to {MAX_SEED}")
    return value


def _world(text: str) -> int | str:
    """``--world``: a year as a number; anything else is refused by the scenario's check,
    which names the years available."""
    return int(text) if text.strip().isdigit() else text


def _parse_sets(items: list[str]) -> dict[str, Any]:
    """``--set key=value`` pairs, each value read as its setting's type; ``world=YEAR``
    chooses the calibrated world as ``--world`` does."""
    values: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"--set '{item}': expected key=value")
        name = key.strip()
        values[name] = _world(text) if name == "world" else parse_setting(name, text)
    return values


def command_run(args: argparse.Namespace) -> int:
    """``abm run``: build one scenario, run it and write its tables, figures and manifest."""
    from abm.experiment import build
    from abm.outputs import write_run

    scenario = load_scenario(_scenario_named(args))
    overrides = _parse_sets(args.set)
    for key in ("world", "start", "end"):
        if getattr(args, key) is not None:
            overrides[key] = getattr(args, key)
    scenario.model_settings(overrides)  # bad settings are refused before anything else
    against = None
    if args.compare is not None:
        if args.no_figures:
            raise InputError("--compare draws into the figures; drop --no-figures")
        against = load_scenario(args.compare)
        against.model_settings(overrides)
    out = Path(args.out) if args.out else run_folder(scenario.name, args.seed, overrides)
    check_output_folder(out)  # before the run: refused folders cost no simulation
    began = time.perf_counter()
    model = build(scenario, seed=args.seed, overrides=overrides).run()
    simulated = time.perf_counter() - began
    compare = None
    if against is not None:
        compare = (against.name, build(against, seed=args.seed, overrides=overrides).run())
    write_run(model, out, scenario.name, figures=not args.no_figures, compare=compare)
    print(
        f"scenario {scenario.name}: {model.month} months simulated in {simulated:.2f} s "
        f"(seed {args.seed}); results in {out}/"
    )
    return 0


def _scenario_named(args: argparse.Namespace) -> str:
    """The scenario of ``abm run NAME`` or ``--scenario NAME`` (the default without
    either); naming two different ones is refused."""
    given = {name for name in (args.name, args.scenario) if name is not None}
    if len(given) > 1:
        raise InputError(f"scenario: named twice ({' and '.join(sorted(given))}); name one")
    return given.pop() if given else "default"


def command_scenarios(args: argparse.Namespace) -> int:
    """``abm scenarios``: list the built-in scenarios with their descriptions."""
    scenarios = builtin_scenarios()
    width = max(map(len, scenarios)) + 2
    for name, path in scenarios.items():
        scenario = load_scenario(str(path))
        print(f"{name:{width}s}{scenario.description}")
    return 0


def command_bench(args: argparse.Namespace) -> int:
    """``abm bench``: time the model and print the table."""
    from abm.bench import run_bench, table

    report = run_bench(quick=args.quick, out=Path(args.out) if args.out else None)
    print(table(report))
    print(f"written to {(Path(args.out) if args.out else Path('results/bench')) / 'bench.json'}")
    return 0


class OneLineParser(argparse.ArgumentParser):
    """Usage mistakes get one line on stderr and exit 2, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and exit with the bad-input code, not argparse's
        usage."""
        self.exit(EXIT_BAD_INPUT, f"abm: error: {self.prog}: {message} (see --help)\n")


def parser() -> argparse.ArgumentParser:
    """The ``abm`` command line: one subcommand per front end of the model."""
    top = OneLineParser(prog="abm", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one scenario; tables and figures in results/")
    run.add_argument(
        "name", nargs="?", help="scenario: built-in name or TOML file (default: default)"
    )
    run.add_argument("--scenario", help="the same as NAME")
    run.add_argument("--seed", type=_seed, default=1, help="seed of all randomness (default 1)")
    run.add_argument(
        "--world", type=_world, help="base year of the calibrated world (default the scenario's)"
    )
    run.add_argument("--start", help="first month, YYYY-MM")
    run.add_argument("--end", help="last month, YYYY-MM")
    run.add_argument(
        "--out",
        help="output folder: new, empty or an earlier run (default results/<scenario>, "
        "with -seed<N> and a hash of --set/--world/--start/--end when given)",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change a model setting, or world=YEAR (repeatable)",
    )
    run.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    run.add_argument(
        "--compare",
        metavar="SCENARIO",
        help="also run SCENARIO (same seed and settings) and draw its world price in "
        "prices.png, e.g. the scenario's counterfactual",
    )
    run.set_defaults(handler=command_run)
    listing = commands.add_parser("scenarios", help="list the built-in scenarios")
    listing.set_defaults(handler=command_scenarios)
    sweep = commands.add_parser("sweep", help="run a policy sweep file over seeds")
    sweep.add_argument("file", help="sweep file (TOML), e.g. experiments/sweeps/x.toml")
    sweep.add_argument(
        "--workers", type=int, default=None, help="parallel workers (default: every core)"
    )
    sweep.add_argument("--backend", choices=("processes", "dask"), default="processes")
    sweep.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://HOST:PORT)")
    sweep.add_argument("--resume", action="store_true", help="run only the missing runs")
    sweep.add_argument(
        "--force", action="store_true", help="replace another sweep's results in --out"
    )
    sweep.add_argument("--out", help="output folder (default results/<sweep>)")
    sweep.set_defaults(handler=_lazy("abm.sweep.command", "run_sweep"))
    analyze = commands.add_parser("analyze", help="figures and sensitivity indices of a sweep")
    analyze.add_argument("directory", help="a sweep's results folder")
    analyze.set_defaults(handler=_lazy("abm.sweep.command", "run_analyze"))
    bench = commands.add_parser("bench", help="measure speed and memory; results/bench/")
    bench.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    bench.add_argument("--out", help="output folder (default results/bench)")
    bench.set_defaults(handler=command_bench)
    replicate = commands.add_parser(
        "replicate", help="rerun the chapter's claims over seeds; results/replication/REPORT.md"
    )
    replicate.add_argument("--seeds", type=int, default=10, help="seeds 1..N (default 10)")
    replicate.add_argument(
        "--out",
        default=None,
        help="report folder (default: results/replication for all claims on 10 seeds, the "
        "committed report; results/replication-quick, -<n>seeds or -claims-<list> otherwise)",
    )
    replicate.add_argument(
        "--quick", action="store_true", help="two seeds, for tests (results/replication-quick)"
    )
    replicate.add_argument("--claims", help="only these claims, e.g. 7,9 (default: all nine)")
    replicate.add_argument("--workers", type=int, default=None, help="parallel workers")
    replicate.add_argument("--backend", choices=("processes", "dask"), default="processes")
    replicate.add_argument(
        "--scheduler", help="address of a running Dask scheduler (tcp://HOST:PORT)"
    )
    replicate.set_defaults(handler=_lazy("abm.replicate.command", "run_replicate"))
    viz = commands.add_parser("viz", help="serve the interactive page")
    viz.add_argument("--port", type=int, default=8765)
    viz.add_argument("--host", default="localhost")
    viz.set_defaults(handler=_lazy("abm.viz.command", "run_viz"))
    return top


def _lazy(module: str, function: str):
    """A handler imported only when its command runs (keeps ``abm run`` start-up light)."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), function)(args)

    return handler


# Libraries of the optional extras (pyproject.toml), by the top-level module they import as.
EXTRAS = {"dask": "sweep", "distributed": "sweep", "SALib": "sweep", "solara": "viz"}


def main(argv: list[str] | None = None) -> int:
    """Run the command in ``argv``; bad input, or an extra the command needs and lacks, gets
    one line on stderr and exit code 2."""
    args = parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # here, where a closed pipe can be caught, not at exit
        return code
    except BrokenPipeError:
        # The reader went away (``abm scenarios | head``): stop quietly, as the Python
        # documentation advises, with stdout pointed at devnull so the exit flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except InputError as error:
        print(f"abm: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ModuleNotFoundError as error:
        extra = EXTRAS.get((error.name or "").split(".")[0])
        if extra is None:
            raise
        print(
            f"abm: error: abm {args.command} needs {error.name}, in the '{extra}' extra: "
            f"pip install 'abm-critical-minerals[{extra}]' (make demo installs it)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
