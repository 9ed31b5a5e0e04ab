"""Shared fixtures: runs of the calibrated model, built once per test session."""

from __future__ import annotations

import pytest
from support.worlds import shrink

from abm.data import load_calibration
from abm.model import MineralsModel
from abm.outputs import tables


@pytest.fixture(scope="session")
def calibration():
    return load_calibration()


@pytest.fixture(scope="session")
def first_year(calibration):
    """The calibrated world run through 2023 with seed 1."""
    return MineralsModel(rng=1, calibration=calibration, end="2023-12").run()


@pytest.fixture(scope="session")
def first_year_tables(first_year):
    return tables(first_year)


@pytest.fixture(scope="session")
def five_years_tables(calibration):
    """2023-2027, long enough for pipeline projects, investment and recycling to move."""
    return tables(MineralsModel(rng=3, calibration=calibration, end="2027-12").run())


@pytest.fixture(scope="session")
def small_calibration():
    return shrink(load_calibration())
