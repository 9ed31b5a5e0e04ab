"""The baseline page: what the no-policy run projects against the IEA outlook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.experiment import run
from abm.replicate.baseline import annual_view, findings, markdown


def _row(**change) -> dict:
    row = {
        "mineral": "lithium",
        "year": 2035,
        "mine_capacity": 100.0,
        "mined": 90.0,
        "refining_capacity": 100.0,
        "refined": 90.0,
        "price_ratio": 1.1,
        "iea_demand": 95.0,
        "used": 90.0,
        "unmet_share": 0.01,
        "price_low": 1.0,
        "price_high": 1.2,
        "iea_mining": 100.0,
        "iea_refining": 100.0,
    }
    return row | change


def test_findings_flag_a_spike_a_shortfall_and_capacity_off_the_iea_case():
    calm = pd.DataFrame([_row()])
    assert findings(calm) == ["Nothing: every row is within the thresholds."]
    stressed = pd.DataFrame(
        [_row(price_ratio=2.0, used=70.0, iea_mining=45.0, iea_refining=np.nan)]
    )
    said = findings(stressed)
    assert len(said) == 3
    assert "2.00x its 2023 level" in said[0]
    assert "26% less than the demand path" in said[1]
    assert "mine output is 2.00x the IEA base case" in said[2]
    page = markdown(stressed, seeds=3)
    assert "seeds 1-3" in page and "| lithium | 2035 |" in page


@pytest.mark.slow
def test_a_run_to_2030_gives_one_row_per_mineral_within_its_capacities():
    model = run("default", seed=1, end="2030-12").model
    view = annual_view(model)
    assert list(view.year.unique()) == [2030]
    assert len(view) == len(model.world.minerals)
    assert (view.mined <= view.mine_capacity * (1 + 1e-9)).all()
    assert view.unmet_share.between(0.0, 1.0).all()
    buyers = model.buyers
    lithium = buyers.columns == model.world.minerals.index("lithium")
    use_2023 = 12.0 * buyers.need_2023[buyers.rows[lithium], buyers.columns[lithium]].sum()
    # The IEA's lithium demand in 2030 is several times 2023's (batteries x4.1, sheet 1).
    assert 2.5 < view.set_index("mineral").iea_demand["lithium"] / use_2023 < 5.0
