"""A run's month t must not depend on when the run ends: nobody in the world knows when the
modeller stops. Investors look a greenfield lead time ahead (up to 17 years), so the world's
paths run that far past the run's end (``abm.world.months.path_starts``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from abm.experiment import build
from abm.model import MineralsModel
from abm.outputs import write_run
from abm.world.investment import lookahead_months


def _written_tables(scenario: str, end: str, out: Path) -> dict[str, pd.DataFrame]:
    """Every parquet table ``abm run`` writes for ``scenario`` ending in ``end``, seed 1."""
    model = build(scenario, seed=1, end=end).run()
    write_run(model, out, scenario, figures=False)
    return {path.stem: pd.read_parquet(path) for path in sorted(out.glob("*.parquet"))}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario", "short_end", "long_end"),
    [
        # Investment acts every quarter from the first; the last lead time before 2026-12
        # holds decisions whose projects (2 to 17 years out) arrive only after it.
        ("default", "2026-12", "2028-12"),
        # With the licensing policy (from 2023-12) and its world of 2022; before the fix the
        # tables of these two runs parted in 2024 (runs ending 2023-12 happened to agree).
        ("graphite-licensing-2023", "2024-12", "2026-12"),
        # Governments decide too: resource nationalism weighs a ban over an asset's life.
        ("endogenous", "2026-12", "2028-12"),
    ],
)
def test_months_of_a_run_do_not_depend_on_its_end(tmp_path, scenario, short_end, long_end):
    short = _written_tables(scenario, short_end, tmp_path / "short")
    longer = _written_tables(scenario, long_end, tmp_path / "long")
    assert short.keys() == longer.keys() and "capacity" in short
    last = pd.Timestamp(f"{short_end}-01")
    for name, table in short.items():
        cut = longer[name]
        cut = cut[cut.date <= last].reset_index(drop=True)
        assert len(table) > 0 or name in ("policies", "premiums"), name
        if name == "policies":  # an end that comes after the shorter run (a forum's ruling
            # in 2028, and the reason's note of it) is not yet known to it; the rest must agree
            table, cut = (_known_by(t, last) for t in (table, cut))
        pd.testing.assert_frame_equal(table, cut, check_exact=True, obj=name)


def test_the_world_paths_run_past_the_end_by_the_longest_lead_time():
    model = MineralsModel(rng=1, end="2030-12")
    lead = lookahead_months(model.calibration)
    assert lead >= 144 + 42 + 18  # copper mines' permits, build and ramp-up (lead_times.csv)
    world = model.world
    paths = world.capacity_path.shape[1]
    assert paths == model.running_months + lead
    assert world.growth.shape[2] == world.demand_path.shape[1] == world.host_output.shape[2]
    assert world.demand_path.shape[1] == paths and len(world.months) == model.running_months


def _known_by(policies: pd.DataFrame, last: pd.Timestamp) -> pd.DataFrame:
    """The policy log as known at ``last``: ends after it, and their notes, left out."""
    later = policies.end > last
    reason = policies.reason.where(
        ~later, policies.reason.str.replace(r"; ended by .*$", "", regex=True)
    )
    return policies.assign(end=policies.end.where(~later), reason=reason)
