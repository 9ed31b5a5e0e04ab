"""The world is built from the calibration it is given, and its table look-ups are exact."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from abm.data import load_calibration
from abm.settings import ModelSettings
from abm.world import build_world
from abm.world.lookup import RowGroups


def test_row_groups_give_the_matching_rows_in_table_order_and_none_for_other_values():
    table = pd.DataFrame(
        {"mineral": ["a", "b", "a", "a"], "stage": ["raw", "raw", "refined", "raw"]}
    ).assign(tonnes=[1.0, 2.0, 3.0, 4.0])
    groups = RowGroups(table, "mineral", "stage")
    assert groups("a", "raw").tonnes.tolist() == [1.0, 4.0]
    assert groups("b", "raw").index.tolist() == [1]
    missing = groups("b", "refined")
    assert missing.empty and list(missing.columns) == ["mineral", "stage", "tonnes"]


def _world(calibration):
    settings = ModelSettings(end="2023-06")
    return build_world(calibration, settings, np.random.default_rng(1))


def test_worlds_from_different_calibrations_each_read_their_own_tables():
    shipped = load_calibration()
    supply = shipped.supply.copy()
    supply.loc[supply.mineral.eq("lithium") & supply.stage.eq("raw"), "tonnes"] *= 2.0
    doubled = dataclasses.replace(shipped, supply=supply)
    first, other, again = _world(shipped), _world(doubled), _world(shipped)
    lithium_mines = (first.sites.mineral == "lithium").to_numpy() & (
        first.sites.stage == "raw"
    ).to_numpy()
    assert other.capacity_path[lithium_mines].sum() == pytest.approx(
        2.0 * first.capacity_path[lithium_mines].sum()
    )
    np.testing.assert_array_equal(again.capacity_path, first.capacity_path)
    assert again.sites.equals(first.sites)
