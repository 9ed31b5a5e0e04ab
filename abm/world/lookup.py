"""Rows of a calibration table by the values of some of its columns, grouped once."""

from __future__ import annotations

import pandas as pd


class RowGroups:
    """The rows of ``table`` for each combination of values of ``columns`` (in table order).

    The world is built from a few hundred such look-ups; grouping each table once, where the
    world is built, is faster than comparing row by row each time.
    """

    def __init__(self, table: pd.DataFrame, *columns: str) -> None:
        self._groups = {
            key if isinstance(key, tuple) else (key,): frame
            for key, frame in table.groupby(list(columns), sort=False, observed=True)
        }
        self._none = table.iloc[0:0]  # the answer for values no row has

    def __call__(self, *values: str) -> pd.DataFrame:
        """The rows whose columns equal ``values`` (empty if none)."""
        return self._groups.get(values, self._none)
