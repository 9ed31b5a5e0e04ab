"""Hand-made inputs shared across folders: every instrument at once and a small world."""

from __future__ import annotations

import dataclasses

import numpy as np

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
    Policy(
        "price_floor",
        "US",
        "rare_earths",
        "refined",
        params={"floor_usd_per_t": 2e5, "offtake_share": 0.5},
    ),
)


SMALL_WORLD = ("CN", "AU", "ID", "CD", "IN", "JP", "US", "EU")


def shrink(calibration, keep=SMALL_WORLD):
    """A hand-made small world: only the ``keep`` countries mine, refine, use and own.

    Shares are renormalised over the kept countries, so every mineral still has a whole
    market; the other countries stay in the index but hold nothing.
    """

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
