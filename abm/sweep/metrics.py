"""Scalar outcomes of a run, computed from the output tables (abm.outputs.tables)."""

from __future__ import annotations

import pandas as pd

from abm.metrics import concentration_hhi, log_volatility, peak_ratio
from abm.sweep.spec import Metric


def _select(table: pd.DataFrame, metric: Metric, region_column: str = "country") -> pd.DataFrame:
    rows = table
    if metric.mineral != "all" and "mineral" in rows:
        rows = rows[rows["mineral"] == metric.mineral]
    if "stage" in rows and metric.stage != "all":
        rows = rows[rows["stage"] == metric.stage]
    if metric.region != "world" and region_column in rows:
        rows = rows[rows[region_column] == metric.region]
    return rows


def _price_series(tables: dict[str, pd.DataFrame], metric: Metric) -> pd.Series:
    """Monthly price (mean over the selected countries), ordinary tier."""
    prices = _select(tables["prices"], metric)
    prices = prices[prices["tier"].isin(["all", "noncompliant"])]
    return prices.groupby("date", observed=True)["price"].mean().sort_index()


def _hhi(tables: dict[str, pd.DataFrame], metric: Metric) -> float:
    """Concentration of supply by location over the horizon (0..10000)."""
    supply = _select(tables["supply"], metric, region_column="_none")
    by_country = supply.groupby("country", observed=True)["tonnes"].sum()
    return concentration_hhi(by_country.to_numpy())


def compute(metric: Metric, tables: dict[str, pd.DataFrame]) -> float:
    """The metric's value; NaN when the run has no rows for it."""
    if metric.kind in ("mean_price", "peak_price_ratio", "volatility"):
        series = _price_series(tables, metric)
        if series.empty:
            return float("nan")
        if metric.kind == "mean_price":
            return float(series.mean())
        prices = series.to_numpy()
        if metric.kind == "peak_price_ratio":
            return peak_ratio(prices, prices[0])
        return float(log_volatility(prices))
    if metric.kind == "hhi":
        return _hhi(tables, metric)
    if metric.kind == "cumulative_unmet":
        return float(_select(tables["demand"], metric)["unmet"].sum())
    premiums = tables.get("premiums")
    if premiums is None or premiums.empty:
        return float("nan")
    rows = premiums if metric.mineral == "all" else premiums[premiums["mineral"] == metric.mineral]
    return float(rows["premium_pct"].mean()) if len(rows) else float("nan")
