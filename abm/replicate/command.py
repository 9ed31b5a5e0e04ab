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


def run_replicate(args: argparse.Namespace) -> int:
    """Exit 0 when every claim holds, 1 when one does not (the report says which and why)."""
    if args.seeds < 1:
        print("abm replicate: --seeds must be at least 1", file=sys.stderr)
        return 2
    chosen = CLAIMS
    if args.claims:
        try:
            numbers = {int(n) for n in args.claims.split(",")}
        except ValueError:
            numbers = {0}
        known = {claim.number for claim in CLAIMS}
        if not numbers <= known:
            print(
                f"abm replicate: --claims '{args.claims}': expected numbers from "
                f"{min(known)} to {max(known)}, separated by commas",
                file=sys.stderr,
            )
            return 2
        chosen = tuple(claim for claim in CLAIMS if claim.number in numbers)
    names = scenarios(chosen)
    for name in names:  # every file checked before anything runs
        load_scenario(name)
    seeds = list(range(1, (QUICK_SEEDS if args.quick else args.seeds) + 1))
    workers = args.workers or os.cpu_count() or 1
    out = Path(args.out)
    try:  # find out now, not after an hour of runs, that the report cannot be written
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe.{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        print(f"abm replicate: cannot write to {out}: {error.strerror}", file=sys.stderr)
        return 2
    runs = run_all(names, seeds, workers)
    values = all_values(runs, seeds, chosen)
    command = "abm replicate" + (" --quick" if args.quick else f" --seeds {args.seeds}")
    if args.claims:
        command += f" --claims {args.claims}"
    report, verdicts = write_report(values, runs, seeds, out, command, git_commit(), chosen)
    for claim in chosen:
        print(f"claim {claim.number}: {verdicts[claim.number]}")
    print(f"report: {report}")
    return 0 if all(v == "holds" for v in verdicts.values()) else 1
