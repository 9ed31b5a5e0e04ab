"""``abm replicate``: rerun the chapter's claims over seeds and write the report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from abm.outputs import git_commit
from abm.replicate.claims import CLAIMS, scenarios
from abm.replicate.report import write_report
from abm.replicate.runner import all_values, run_all
from abm.scenario import load_scenario

QUICK_SEEDS = 2
COMMITTED = Path("results/replication")  # the committed report: all claims, 10 seeds
REPOSITORY = Path(__file__).resolve().parents[2]
COMMITTED_SEEDS = 10


def default_folder(seeds: int, quick: bool, numbers: list[int] | None) -> Path:
    """Where a run writes unless told: the committed folder only for the committed run."""
    if quick:
        return Path("results/replication-quick")
    name = (
        "results/replication" if seeds == COMMITTED_SEEDS else f"results/replication-{seeds}seeds"
    )
    if numbers:
        name += "-claims-" + "-".join(str(n) for n in numbers)
    return Path(name)


def _overwrites_committed(out: Path, seeds: int, quick: bool, numbers: list[int] | None) -> bool:
    committed_run = not quick and seeds == COMMITTED_SEEDS and not numbers
    committed = {COMMITTED.resolve(), (REPOSITORY / COMMITTED).resolve()}
    return not committed_run and out.resolve() in committed


def run_replicate(args: argparse.Namespace) -> int:
    """Exit 0 when every claim holds, 1 when one does not (the report says which and why)."""
    if args.seeds < 1:
        print("abm replicate: --seeds must be at least 1", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print("abm replicate: --workers must be at least 1", file=sys.stderr)
        return 2
    chosen, numbers = CLAIMS, None
    if args.claims:
        try:
            asked = {int(n) for n in args.claims.split(",")}
        except ValueError:
            asked = {0}
        known = {claim.number for claim in CLAIMS}
        if not asked <= known:
            print(
                f"abm replicate: --claims '{args.claims}': expected numbers from "
                f"{min(known)} to {max(known)}, separated by commas",
                file=sys.stderr,
            )
            return 2
        chosen = tuple(claim for claim in CLAIMS if claim.number in asked)
        numbers = sorted(asked)
    names = scenarios(chosen)
    for name in names:  # every file checked before anything runs
        load_scenario(name)
    count = QUICK_SEEDS if args.quick else args.seeds
    seeds = list(range(1, count + 1))
    workers = args.workers or os.cpu_count() or 1
    out = Path(args.out) if args.out else default_folder(count, args.quick, numbers)
    if _overwrites_committed(out, count, args.quick, numbers):
        print(
            f"abm replicate: --out {args.out} holds the committed report (all claims, "
            f"{COMMITTED_SEEDS} seeds); this run writes to its own folder (default "
            f"{default_folder(count, args.quick, numbers)})",
            file=sys.stderr,
        )
        return 2
    try:  # find out now, not after an hour of runs, that the report cannot be written
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe.{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        print(f"abm replicate: cannot write to {out}: {error.strerror}", file=sys.stderr)
        return 2
    runs = run_all(names, seeds, workers, args.backend, args.scheduler)
    values = all_values(runs, seeds, chosen)
    command = "abm replicate" + (" --quick" if args.quick else f" --seeds {args.seeds}")
    if args.claims:
        command += f" --claims {args.claims}"
    report, verdicts = write_report(values, runs, seeds, out, command, git_commit(), chosen)
    for claim in chosen:
        print(f"claim {claim.number}: {verdicts[claim.number]}")
    print(f"report: {report}")
    return 0 if all(v == "holds" for v in verdicts.values()) else 1
