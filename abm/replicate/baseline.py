"""What the no-policy baseline projects, against the IEA's 2024 outlook for the same years.

The IEA outlook (Global Critical Minerals Outlook 2024, data explorer May 2024) gives demand
in its Stated Policies scenario and the supply that announced projects would bring (its
"base case", ``pipeline.csv``); it projects no prices. The model's buyers plan their use on
the same demand path, so a gap between the IEA's demand and what the model's buyers use is
rationing (at the prices the run makes) or thrifting after a spike (putty-clay); a gap
between the IEA's base-case supply (production) and the model's output is investment the
model's investors add to, or do not make on, the announced projects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.data import load_calibration
from abm.replicate.summary import summarise
from abm.runner import run_batch

if TYPE_CHECKING:
    from abm.model import MineralsModel

YEARS = (2030, 2035, 2040)
REFINED = 1


def _run(seed: int) -> pd.DataFrame:
    from abm.experiment import run

    return annual_view(run("default", seed=seed).model).assign(seed=seed)


def annual_view(model: MineralsModel) -> pd.DataFrame:
    """One row per (mineral, year) of ``YEARS`` in the run: capacities and outputs (t a year),
    the refined price over its 2023 level, use, unmet demand and the IEA's demand (t a year)."""
    run = summarise(model, "default", ())
    world, buyers = model.world, model.buyers
    months = world.months[: len(run.months)]
    base_use = np.bincount(
        buyers.columns, buyers.need_2023[buyers.rows, buyers.columns], len(run.minerals)
    )
    rows = []
    for year in YEARS:
        span = np.flatnonzero(months.year == year)
        if len(span) < 12:
            continue
        used = run.consumed[span].sum(axis=(0, 2))
        unmet = run.unmet[span].sum(axis=0)
        price = run.world_price[REFINED, span].mean(axis=0) / run.reference_price[:, REFINED]
        columns = {
            "mine_capacity": run.mining_capacity[span].sum(axis=(0, 2)),
            "mined": run.mined[span].sum(axis=(0, 2)),
            "refining_capacity": run.refining_capacity[span].sum(axis=(0, 2)),
            "refined": run.refined[span].sum(axis=(0, 2)),  # primary, as the IEA's
            "price_ratio": price,
            "iea_demand": base_use * world.demand_path[:, span].sum(axis=1),
            "used": used,
            "unmet_share": unmet / np.maximum(used + unmet, 1e-300),
        }
        for m, mineral in enumerate(run.minerals):
            rows.append({"mineral": mineral, "year": year} | {k: v[m] for k, v in columns.items()})
    return pd.DataFrame(rows)


def iea_supply() -> pd.DataFrame:
    """The IEA base case's world mining and refining supply by (mineral, year), t a year."""
    pipeline = load_calibration().pipeline
    table = pipeline.groupby(["mineral", "year", "stage"]).tonnes.sum().unstack("stage")
    return table.rename(columns={"raw": "iea_mining", "refined": "iea_refining"}).reset_index()


def baseline(seeds: int = 10, workers: int = 2) -> pd.DataFrame:
    """Means over seeds 1..``seeds`` of ``annual_view``, with each seed's lowest and highest
    price ratio, joined to the IEA's base-case supply."""
    runs = [table for _, table in run_batch(_run, list(range(1, seeds + 1)), workers)]
    table = pd.concat(runs)
    keys = ["mineral", "year"]
    means = table.groupby(keys, sort=False).mean(numeric_only=True).drop(columns="seed")
    spread = table.groupby(keys, sort=False).agg(
        price_low=("price_ratio", "min"),
        price_high=("price_ratio", "max"),
    )
    joined = means.join(spread).reset_index()
    return joined.merge(iea_supply(), on=keys, how="left")


def _kt(value: float) -> str:
    return "" if not np.isfinite(value) else f"{value / 1000:,.1f}"


def markdown(table: pd.DataFrame, seeds: int) -> str:
    """docs/BASELINE.md: the table by mineral and year, and what stands out in it."""
    lines = [
        "# The no-policy baseline against the IEA's 2024 outlook",
        "",
        f"Written by `tools/baseline` (scenario `default`, seeds 1-{seeds}, means over seeds;",
        "the price's range is the lowest and highest seed). Do not edit by hand. "
        + " ".join(__doc__.split("\n\n")[1].split()),
        "",
        "Tonnes are thousands a year (kt; gallium and germanium too, so 1.0 kt = 1,000 t). "
        "*Demand path*: what buyers plan on before prices (IEA Stated Policies where the IEA "
        "covers the mineral, sheet 1; gallium and germanium from the estimates in "
        "`demand_growth.csv`). *Used*: what the run's buyers used. *Unmet*: the share of "
        "use planned at long-run prices that was not used (thrifting after a spike lowers "
        "the plan, so it is not unmet). *Refined*: primary refined output (recycled "
        "supply apart). *IEA mining / refining*: the IEA base case, production from "
        "existing and announced projects (`pipeline.csv`; none for gallium and germanium), "
        "to be read against the model's output, not its capacity.",
        "",
        "| mineral | year | mine capacity | mined | IEA mining | refining capacity | refined "
        "| IEA refining | demand path | used | unmet | price / 2023 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.mineral} | {row.year} | {_kt(row.mine_capacity)} | {_kt(row.mined)} "
            f"| {_kt(row.iea_mining)} | {_kt(row.refining_capacity)} | {_kt(row.refined)} "
            f"| {_kt(row.iea_refining)} | {_kt(row.iea_demand)} | {_kt(row.used)} "
            f"| {row.unmet_share:.1%} | {row.price_ratio:.2f} "
            f"({row.price_low:.2f}-{row.price_high:.2f}) |"
        )
    lines += ["", "## What stands out", ""] + [f"- {line}" for line in findings(table)] + [""]
    return "\n".join(lines)


def findings(table: pd.DataFrame) -> list[str]:
    """Sentences for the rows that stand out: prices 50% above 2023, use 10% short of the
    demand path, output 20% off the IEA base case (which is production, not capacity)."""
    out = []
    for row in table.itertuples():
        where = f"{row.mineral} {row.year}"
        if row.price_ratio > 1.5:
            out.append(f"{where}: the refined price is {row.price_ratio:.2f}x its 2023 level.")
        short = 1.0 - row.used / row.iea_demand
        if short > 0.1:
            out.append(
                f"{where}: buyers use {short:.0%} less than the demand path "
                f"({row.unmet_share:.0%} of their plan unmet, the rest thrifted)."
            )
        for stage, model, iea in (
            ("mine output", row.mined, row.iea_mining),
            ("primary refined output", row.refined, row.iea_refining),
        ):
            if np.isfinite(iea) and iea > 0 and abs(model / iea - 1.0) > 0.2:
                out.append(
                    f"{where}: {stage} is {model / iea:.2f}x the IEA base case "
                    f"({_kt(model)} against {_kt(iea)} kt)."
                )
    return out or ["Nothing: every row is within the thresholds."]
