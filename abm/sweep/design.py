"""Samples of the parameters (grid or SALib designs) and the runs they make with the seeds."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from abm.sweep.spec import Sweep


@dataclass(frozen=True)
class Run:
    """One sample under one seed; run_id is its zero-padded index in design order."""

    run_id: str
    sample: int
    seed: int
    parameters: dict[str, Any]


def _problem(sweep: Sweep) -> dict[str, Any]:
    names = list(sweep.parameters)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(sweep.parameters[n]) for n in names],
    }


def samples(sweep: Sweep) -> list[dict[str, Any]]:
    """Parameter values per sample, in design order (reproducible: seeded by the first seed)."""
    names = list(sweep.parameters)
    if sweep.design == "grid":
        combos = itertools.product(*(sweep.parameters[n] for n in names))
        return [dict(zip(names, combo, strict=True)) for combo in combos]
    seed = sweep.seeds[0]
    problem = _problem(sweep)
    if sweep.design == "lhs":
        from SALib.sample import latin

        matrix = latin.sample(problem, sweep.samples, seed=seed)
    elif sweep.design == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(problem, sweep.samples, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        matrix = morris.sample(problem, sweep.samples, seed=seed)
    return [dict(zip(names, map(float, row), strict=True)) for row in np.asarray(matrix)]


def sample_matrix(sweep: Sweep) -> np.ndarray:
    """The design as a matrix (rows = samples), as SALib's analysers expect it."""
    return np.array([[row[n] for n in sweep.parameters] for row in samples(sweep)], dtype=float)


def runs(sweep: Sweep) -> list[Run]:
    """Every sample crossed with every seed."""
    out = []
    for index, (sample, seed) in enumerate(
        itertools.product(enumerate(samples(sweep)), sweep.seeds)
    ):
        number, values = sample
        out.append(Run(f"r{index:06d}", number, seed, values))
    return out
