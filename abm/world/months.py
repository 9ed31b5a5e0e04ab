"""The simulated calendar: months as dates, step numbers and fractional years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.settings import ModelSettings, month_index

BASE_YEAR = 2023


def month_starts(settings: ModelSettings) -> pd.DatetimeIndex:
    """The first day of every simulated month."""
    return pd.date_range(start=f"{settings.start}-01", periods=settings.months, freq="MS")


def month_number(settings: ModelSettings, date: str) -> int:
    """Step index of a YYYY-MM month in a run."""
    return month_index(date) - month_index(settings.start)


def fractional_years(months: pd.DatetimeIndex) -> np.ndarray:
    """Each month as a fractional year (January 2023 is 2023.0), to interpolate annual
    figures in."""
    return months.year + (months.month - 1) / 12.0
