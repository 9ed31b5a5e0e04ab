"""Run every scenario the claims need over the seeds, in parallel, and keep their summaries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from abm.replicate import measures as mx
from abm.replicate.claims import CLAIMS, Claim, Metric
from abm.replicate.summary import Summary, summarise
from abm.runner import run_batch

Key = tuple[str, int]  # (scenario, seed)


class Values(NamedTuple):
    """A claim's (metric, seed) values and the price / cap ratio each was taken at."""

    value: np.ndarray
    cap: np.ndarray


def run_one(key: Key) -> Summary:
    """One scenario and seed, as a scenario file defines it."""
    from abm.experiment import run

    name, seed = key
    outcome = run(name, seed=seed)
    return summarise(outcome.model, name, outcome.scenario.policies)


def run_all(
    names: Iterable[str],
    seeds: list[int],
    workers: int,
    backend: str = "processes",
    scheduler: str | None = None,
) -> dict[Key, Summary]:
    """Every (scenario, seed) with a progress bar; scenarios with export quotas first (they
    take several times longer to clear), so the pool does not end waiting on them."""
    from abm.scenario import load_scenario

    quotas = {
        name: sum(p.kind == "export_licensing" for p in load_scenario(name).policies)
        for name in names
    }
    ordered = sorted(names, key=lambda name: -quotas[name])
    keys = [(name, seed) for name in ordered for seed in seeds]
    out: dict[Key, Summary] = {}
    with tqdm(total=len(keys), desc="replicate", unit="run") as bar:
        for key, summary in run_batch(
            run_one, keys, workers, backend, scheduler, inline=workers <= 1
        ):
            out[key] = summary
            bar.update()
    return out


def cap_ratio(metric: Metric, by_role: dict[str, Summary]) -> float:
    """Highest price / cap over the runs, minerals and window a row reads (0 without caps)."""
    caps = metric.caps
    if caps is None:
        return 0.0
    runs = [by_role[role] for role in metric.roles()]
    first = runs[0]
    span = (
        slice(0, len(first.months))
        if caps.start is None
        else mx.window(first, caps.start, caps.months or len(first.months))
    )
    minerals = first.minerals if caps.minerals == ("all",) else caps.minerals
    return mx.cap_ratio(runs, tuple(minerals), span, caps.countries)


def metric_values(claim: Claim, runs: dict[Key, Summary], seeds: list[int]) -> Values:
    """(metric, seed) values of one claim, each from that seed's runs, and the highest
    price / cap ratio each value was taken at."""
    values = np.full((len(claim.metrics), len(seeds)), np.nan)
    caps = np.zeros_like(values)
    for j, seed in enumerate(seeds):
        by_role = {role: runs[(name, seed)] for role, name in claim.runs.items()}
        for i, metric in enumerate(claim.metrics):
            with np.errstate(divide="ignore", invalid="ignore"):
                values[i, j] = metric.compute(by_role)
                caps[i, j] = cap_ratio(metric, by_role)
    return Values(values, caps)


def all_values(
    runs: dict[Key, Summary], seeds: list[int], claims: tuple[Claim, ...] = CLAIMS
) -> dict[int, Values]:
    """Every claim's metric values on every seed, by claim number."""
    return {claim.number: metric_values(claim, runs, seeds) for claim in claims}
