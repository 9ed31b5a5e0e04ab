"""How a run's first year is compared with its base year's data: shares and average prices."""

from __future__ import annotations

import pandas as pd


def primary_shares(supply: pd.DataFrame, stage: str) -> pd.Series:
    """Each country's share of a stage's primary output, by (mineral, country)."""
    rows = supply[(supply.stage == stage) & (supply.source == "primary")]
    by_country = rows.groupby(["mineral", "country"], observed=True).tonnes.sum()
    return by_country / by_country.groupby(level="mineral").transform("sum")


def average_price(run_tables: dict[str, pd.DataFrame], stage: str) -> pd.Series:
    """Tonne-weighted average of destination prices over the run, by mineral."""
    flows, prices = run_tables["flows"], run_tables["prices"]
    prices = prices[prices.stage == stage]
    arrivals = (
        flows[flows.stage == stage]
        .groupby(["date", "mineral", "destination"], observed=True)
        .tonnes.sum()
    )
    arrivals.index = arrivals.index.set_names(["date", "mineral", "country"])
    joined = prices.set_index(["date", "mineral", "country"]).join(arrivals.rename("tonnes"))
    joined = joined.dropna()
    weighted = (joined.price * joined.tonnes).groupby(level="mineral", observed=True).sum()
    return weighted / joined.tonnes.groupby(level="mineral", observed=True).sum()
