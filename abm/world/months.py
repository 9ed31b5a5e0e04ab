"""The simulated calendar: months as dates, step numbers and fractional years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.settings import ModelSettings, month_index

BASE_YEAR = 2023


def month_starts(settings: ModelSettings) -> pd.DatetimeIndex:
    """The first day of every simulated month."""
    return pd.date_range(start=f"{settings.start}-01", periods=settings.months, freq="MS")


def path_starts(
    settings: ModelSettings, lookahead_months: int, last_data_year: int
) -> pd.DatetimeIndex:
    """The months the world's paths (capacity, demand, hosts) cover: the run's and
    ``lookahead_months`` more, so what agents see ahead in a month of the run does not depend
    on when the run ends; and at least to mid-``last_data_year``, the data's last knot,
    after which every path is flat (a look-ahead clipped at the end then reads what it would
    read further on)."""
    flat_from = month_index(f"{last_data_year}-07") - month_index(settings.start) + 1
    months = max(settings.months + lookahead_months, flat_from)
    return pd.date_range(start=f"{settings.start}-01", periods=months, freq="MS")


def month_number(settings: ModelSettings, date: str) -> int:
    """Step index of a YYYY-MM month in a run."""
    return month_index(date) - month_index(settings.start)


def fractional_years(months: pd.DatetimeIndex) -> np.ndarray:
    """Each month as a fractional year (January 2023 is 2023.0), to interpolate annual
    figures in."""
    return months.year + (months.month - 1) / 12.0
