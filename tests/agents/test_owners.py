"""Owners as investors (issue 21): budgets by owner, placed across locations, in modules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.agents.owners import Owners, ProjectTerms, module_table, stranded_ore
from abm.agents.sites import SiteFleet
from abm.data import MINERALS
from abm.experiment import build
from abm.settings import ModelSettings
from abm.validation import InputError

COUNTRIES = ["CN", "ID", "PH"]
NICKEL, REFINED = MINERALS.index("nickel"), 1
MONTHS = 80


def _fleet(capacity_t_per_year: list[float], locations, owners) -> SiteFleet:
    """Nickel refineries with flat capacity paths; a row with none is an entrant."""
    table = pd.DataFrame(
        {
            "mineral": "nickel",
            "location": locations,
            "owner": owners,
            "tranche": [0 if c > 0 else -1 for c in capacity_t_per_year],
            "unit_cost_usd_per_t": 1000.0,
            "new_capacity_cost_usd_per_t": 1000.0,
        }
    )
    path = np.repeat(np.array(capacity_t_per_year)[:, None] / 12.0, MONTHS, axis=1)
    fleet = SiteFleet(table, path, COUNTRIES, list(MINERALS))
    fleet.output = fleet.capacity_in(0) * 0.8
    return fleet


def _commission(fleet: SiteFleet, price: list[float], settings=None, month: int = 0):
    """One investment decision at ``price`` per site (full cost about 4,000 USD/t)."""
    settings = settings or ModelSettings()
    fleet.investment_price = np.array(price, dtype=float)
    build_months = np.full(len(fleet), 30.0)
    terms = ProjectTerms.of(REFINED, fleet, build_months, china=COUNTRIES.index("CN"))
    return fleet.commission(
        month,
        np.full(len(fleet), 3000.0),
        np.full(len(fleet), 5000.0),
        np.full(len(fleet), 6.0),
        build_months,
        np.full(len(fleet), 12.0),
        settings,
        projects=terms,
    )


def test_a_module_arrives_whole_after_its_build_time():
    """Nothing of a project before decision and build are over; then whole modules."""
    fleet = _fleet([3_000_000.0, 0.0], ["CN", "ID"], ["CN", "CN"])
    _commission(fleet, [6000.0, 12000.0])
    module = module_table()["module_t_per_year"][REFINED, NICKEL] / 12.0
    china_build = module_table()["china_build_months"][REFINED, NICKEL]
    start = 1 + 6 + int(china_build)  # decision, then the Chinese EPC build
    indonesia = fleet.capacity[1]
    assert indonesia[start - 1] == 0.0 and indonesia[start] > 0.0
    built = indonesia[start + 12]  # after the ramp
    assert built >= module
    assert built / module == pytest.approx(round(built / module), abs=1e-9)


def test_brownfield_arrives_before_greenfield():
    """At the owner's existing site the brownfield part comes after its own build time,
    the greenfield part after exploration, permits and the build."""
    fleet = _fleet([3_000_000.0], ["ID"], ["ID"])
    _commission(fleet, [12000.0])
    table = module_table()
    brownfield = 1 + int(table["brownfield_build_months"][REFINED, NICKEL])
    greenfield = 1 + 6 + 30  # not a Chinese owner: the stage's own build time
    path = fleet.capacity[0]
    first_rise = int(np.argmax(path > path[0]))
    assert first_rise == brownfield < greenfield
    assert path[greenfield] > path[greenfield - 1] > path[0]


def test_an_owner_places_more_where_expected_npv_is_higher():
    """Of two locations open to one owner, the one with the higher expected price over
    full cost gets more; the other way round when prices swap."""
    for prices, richer in (([7000.0, 9000.0], 1), ([9000.0, 7000.0], 0)):
        fleet = _fleet([3_000_000.0, 0.0], ["CN", "ID"], ["CN", "CN"])
        added = _commission(fleet, prices)
        assert added[richer] > added[1 - richer]


def test_a_budget_grows_with_the_owners_capacity_elsewhere():
    """An owner's projects at a new location scale with its capacity worldwide."""
    owners = Owners(np.array([0, 0]), np.array([NICKEL, NICKEL]), np.array([0, 1]))
    drive, ratio, seed = np.array([0.5, 0.5]), np.array([1.6, 1.8]), np.zeros(2)
    small = owners.placed(np.array([100.0, 0.0]), drive, ratio, seed, 10.0)
    large = owners.placed(np.array([200.0, 0.0]), drive, ratio, seed, 10.0)
    abroad = owners.cell[1]
    assert small[abroad] > 0
    assert large[abroad] == pytest.approx(2 * small[abroad])


def test_an_ore_export_ban_strands_the_ore_at_home():
    """Ore that may go to no other country can only be refined where it is mined."""
    allowed = np.ones((1, 3, 3), dtype=bool)
    allowed[0, 1, [0, 2]] = False  # country 1 bans its ore's export
    assert stranded_ore(allowed).tolist() == [[False, True, False]]


def test_the_ore_ban_pulls_chinese_refining_capital_into_indonesia():
    """Claim 2's mechanism: with the 2014 ban, Chinese owners build refining in Indonesia
    by 2018; without it, less."""
    built = {}
    for scenario in ("nickel-ban-2014", "nickel-ban-2014-counterfactual"):
        model = build(scenario, seed=1, end="2018-12").run()
        fleet, countries = model.refineries, model.world.countries
        rows = (
            (fleet.mineral == model.world.minerals.index("nickel"))
            & (fleet.location == countries.index("ID"))
            & (fleet.owner == countries.index("CN"))
        )
        built[scenario] = fleet.capacity_in(model.running_months - 1)[rows].sum()
    assert built["nickel-ban-2014"] > 1.5 * built["nickel-ban-2014-counterfactual"]
    assert built["nickel-ban-2014"] > 0


def test_a_modules_table_without_a_column_is_refused(tmp_path):
    """A malformed modules table names what is missing."""
    path = tmp_path / "modules.csv"
    path.write_text("mineral,stage,module_t_per_year\nnickel,refined,1\n")
    with pytest.raises(InputError, match="china_build_months"):
        module_table(path)


def test_a_budget_spread_over_locations_still_buys_whole_modules():
    """Four locations each short of a module, together more than one: the owner builds
    one module, where the most budget waits, and carries the rest."""
    owners = Owners(np.zeros(4, dtype=int), np.full(4, NICKEL), np.arange(4))
    budget = np.array([0.3, 0.2, 0.35, 0.25])
    brown, green = owners.commit(budget, np.zeros(4, dtype=bool), 0.5, np.ones(4))
    assert brown.sum() == 0.0
    assert green.tolist() == [0.0, 0.0, 1.0, 0.0]
    assert owners.pending_greenfield.sum() == pytest.approx(0.1)
