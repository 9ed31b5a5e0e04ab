"""Run every scenario the claims need over the seeds, in parallel, and keep their summaries."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import NamedTuple

import numpy as np
from tqdm import tqdm

from abm.replicate import measures as mx
from abm.replicate.claims import CLAIMS, Claim, Metric
from abm.replicate.summary import Summary, summarise
from abm.sweep.execute import one_thread_per_worker

Key = tuple[str, int]  # (scenario, seed)


class Values(NamedTuple):
    """A claim's (metric, seed) values and the price / cap ratio each was taken at."""

    value: np.ndarray
    cap: np.ndarray


def run_one(key: Key) -> Summary:
    """One scenario and seed, as a scenario file defines it."""
    from abm.model import MineralsModel
    from abm.scenario import load_scenario

    name, seed = key
    scenario = load_scenario(name)
    model = MineralsModel(
        rng=seed,
        settings=scenario.model_settings(),
        policies=list(scenario.policies),
        adjustments=list(scenario.adjustments),
    ).run()
    return summarise(model, name, scenario.policies)


def run_all(names: Iterable[str], seeds: list[int], workers: int) -> dict[Key, Summary]:
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
    bar = tqdm(total=len(keys), desc="replicate", unit="run")
    if workers <= 1:
        for key in keys:
            out[key] = run_one(key)
            bar.update()
    else:
        one_thread_per_worker()
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(run_one, key): key for key in keys}
            for future in as_completed(futures):
                out[futures[future]] = future.result()
                bar.update()
    bar.close()
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
    return {claim.number: metric_values(claim, runs, seeds) for claim in claims}
