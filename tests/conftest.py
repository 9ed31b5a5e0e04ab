"""Shared fixtures: runs of the calibrated model, built once per test session."""

from __future__ import annotations

import numpy as np
import pytest

from abm.data import load_calibration
from abm.model import MineralsModel
from abm.outputs import tables
from abm.policy.instruments import Policy

# One policy of every kind but the IRA rules, as the tests that turn everything on use them.
EVERY_INSTRUMENT = (
    Policy(
        "export_licensing",
        "CN",
        "graphite",
        "refined",
        "all",
        start="2023-03",
        params={"quota_share": 0.5, "delay_months": 1},
    ),
    Policy("export_ban", "ID", "nickel", "raw"),
    Policy("export_tax", "CD", "cobalt", "raw", params={"rate": 0.1}),
    Policy("import_tariff", "US", "lithium", "refined", ("CN",), params={"rate": 0.25}),
    Policy("tariff_exemption", "IN", "all", "all"),
    Policy("stockpile", "JP", "rare_earths", "refined"),
    Policy("recycling_support", "EU", "lithium", "refined"),
    Policy("investment_support", "AU", "lithium", "refined"),
    Policy("labour_mobility", "IN", "copper", "refined"),
    Policy("transparency", "US", "lithium"),
    Policy("forum", "JP", params={"members": ["IN", "AU", "US"]}),
)


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


SMALL_WORLD = ("CN", "AU", "ID", "CD", "IN", "JP", "US", "EU")


def shrink(calibration, keep=SMALL_WORLD):
    """A hand-made small world: only the ``keep`` countries mine, refine, use and own.

    Shares are renormalised over the kept countries, so every mineral still has a whole
    market; the other countries stay in the index but hold nothing.
    """
    import dataclasses

    def only(table, *columns):
        mask = np.ones(len(table), dtype=bool)
        for column in columns:
            mask &= table[column].isin(keep).to_numpy()
        return table[mask].copy()

    def renormalise(table, by):
        table["share"] = table.share / table.groupby(by).share.transform("sum")
        return table

    supply = renormalise(only(calibration.supply, "country"), ["mineral", "stage"])
    supply["tonnes"] = supply.share * supply.groupby(["mineral", "stage"]).tonnes.transform("sum")
    ownership = only(calibration.ownership, "location", "owner")
    ownership = renormalise(ownership, ["mineral", "stage", "location"])
    return dataclasses.replace(
        calibration,
        supply=supply,
        ownership=ownership,
        demand=renormalise(only(calibration.demand, "country"), ["mineral"]),
        reserves=only(calibration.reserves, "country"),
        pipeline=only(calibration.pipeline, "country"),
    )


@pytest.fixture(scope="session")
def small_calibration():
    return shrink(load_calibration())


@pytest.fixture(scope="session")
def reference_folder(tmp_path_factory):
    """The 8-run sweep of tests/test_sweep_faults.py run without faults, once per session for
    the fault and mixing tests (copy it before changing it)."""
    from test_sweep_faults import reference_sweep

    return reference_sweep(tmp_path_factory.mktemp("reference"), "[1, 2]")


@pytest.fixture(scope="session")
def reference(reference_folder):
    """That sweep's runs.parquet and prices series, in run order."""
    from test_sweep_faults import results

    return results(reference_folder)
