"""Every setting changes something: a setting whose value the model never reads is a bug.

Each setting is changed from its default in a run where it should matter (governments'
settings where governments decide, forum settings where a forum is in force), and some
recorded output must move.
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest

from abm.experiment import build
from abm.settings import ModelSettings

# setting -> (changed value, scenario, end month[, settings both runs share])
CHANGES = {
    "start": ("2023-02", "default", "2024-06"),
    "end": ("2024-05", "default", None),
    "demand_scenario": ("NZE", "default", "2026-12"),
    "tranches": (4, "default", "2023-06"),
    "cost_jitter": (0.2, "default", "2023-06"),
    "demand_noise": (0.1, "default", "2023-06"),
    "demand_noise_persistence": (0.2, "default", "2023-06"),
    "substitution_elasticity": (4.0, "default", "2023-06"),
    "ramp_width": (0.2, "default", "2023-06"),
    "product_demand_elasticity": (2.0, "gallium-germanium-2023", "2023-10"),
    "long_run_demand_elasticity": (0.8, "default", "2023-06"),
    "purchase_elasticity": (1.5, "default", "2023-06"),
    "inventory_months": (3.0, "default", "2023-06"),
    "inventory_adjustment_months": (8.0, "default", "2023-06"),
    "willingness_to_pay_scale": (0.3, "gallium-germanium-2023", "2023-10"),
    "willingness_to_pay_spread": (0.1, "gallium-germanium-2023", "2023-10"),
    "release_elasticity": (3.0, "gallium-germanium-2023", "2023-12"),
    "cover_price_spread": (1.0, "gallium-germanium-2023", "2023-12"),
    "risk_cover_months": (0.0, "graphite-licensing-2023", "2023-11"),
    "risk_memory_months": (2.0, "graphite-licensing-2023", "2024-06"),
    "sourcing_memory": (False, "graphite-licensing-2023", "2024-06"),
    "sourcing_memory_months": (6.0, "graphite-licensing-2023", "2024-06"),
    "redesign_years": (0.2, "nickel-ban-2014", "2015-06"),
    "mine_stock_months": (0.0, "nickel-ban-2014", "2014-03"),
    "mine_adjustment_months": (1.0, "nickel-ban-2014", "2014-03"),
    "stockholder_financing_multiple": (20.0, "default", "2023-06"),
    "storage_cost_monthly": (0.2, "default", "2023-06"),
    "raw_bid_elasticity": (1.0, "default", "2023-06"),
    "expectation_months": (8.0, "default", "2023-06"),
    "investment_expectation_months": (6.0, "default", "2026-12"),
    "investment_interval_months": (1, "default", "2026-12"),
    "investment_rate": (0.8, "default", "2026-12"),
    "brownfield_share": (0.0, "default", "2030-12"),
    "entry_share": (0.1, "nickel-ban-2014", "2020-12"),
    "hurdle_rate": (0.0, "default", "2026-12"),
    "asset_life_years": (5.0, "default", "2026-12"),
    "location_sensitivity": (1.0, "nickel-ban-2014", "2017-12"),
    "site_idling": (False, "default", "2025-06"),
    "idle_after_loss_months": (3, "default", "2025-06"),
    "retire_after_idle_months": (2, "default", "2025-06", {"idle_after_loss_months": 2}),
    "restart_months": (0, "default", "2025-06", {"idle_after_loss_months": 2}),
    "restart_capex_share": (2.0, "default", "2025-06", {"idle_after_loss_months": 2}),
    "byproducts": (False, "default", "2023-06"),
    "recovery_investment_share": (0.0, "gallium-germanium-2023", "2025-12"),
    "use_pipeline": (False, "default", "2026-12"),
    "recycling": (False, "default", "2023-06"),
    "recycling_cost_share": (3.0, "default", "2023-06"),
    "recycling_capacity_growth": (0.0, "default", "2032-12"),
    "product_life_order": (1, "default", "2024-12"),
    "leak_limit_share": (0.0, "retaliation-spiral", "2025-06"),
    "leak_relabel_cost_share": (2.0, "retaliation-spiral", "2025-06"),
    "leak_enforcement_cost_share": (2.0, "retaliation-spiral", "2025-06"),
    "leak_enforcement_rise": (5.0, "retaliation-spiral", "2025-06"),
    "evasion_limit_share": (0.0, "rare-earth-2010", "2011-06"),
    "evasion_mislabel_cost_share": (2.0, "rare-earth-2010", "2011-06"),
    "policy_mode": ("endogenous", "retaliation-spiral", "2026-12"),
    "retaliation": (False, "retaliation-spiral", "2026-12"),
    "retaliation_probability": (1.0, "unilateral", "2026-12"),
    "retaliation_min_exposure": (1.0, "retaliation-spiral", "2026-12"),
    "retaliation_tariff": (2.0, "unilateral", "2030-12"),
    "forum_damping": (0.0, "cooperation", "2030-12"),
    # The DRC's scripted cobalt licensing (2025-03 to 2027-12) is a case in the multilateral
    # forum: ruled within the run only when cases are short, and then kept only in the void.
    "forum_case_months": (3, "cooperation", "2027-12"),
    "forum_appeal_void_share": (1.0, "cooperation", "2027-12", {"forum_case_months": 3}),
    "decision_interval_months": (1, "retaliation-spiral", "2026-12"),
    "nationalism_reserve_share": (0.01, "retaliation-spiral", "2026-12"),
    "industrial_support_threshold": (0.3, "retaliation-spiral", "2026-12"),
    "industrial_subsidy": (0.9, "retaliation-spiral", "2030-12"),
    "investor_noise": (1.5, "default", "2026-12"),
    "price_report_lag_months": (0, "default", "2026-12"),
    "investor_noise_persistence": (0.1, "default", "2026-12"),
}
# Known bugs, each with the issue that fixes it (strict: the test fails once it is fixed).
UNUSED: dict[str, str] = {}


def fingerprint(setting: str, value, scenario: str, end: str | None, base=None) -> str:
    overrides = dict(base or {}) | ({} if value is None else {setting: value})
    model = build(scenario, seed=1, overrides=overrides, end=end).run()
    rec = model.recorder
    digest = hashlib.sha256()
    for array in (rec.destination_price, rec.flows, rec.consumed, rec.mine_capacity):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(model.policies.log_table().to_csv().encode())
    return digest.hexdigest()


def test_every_setting_has_a_change_to_try():
    names = {item.name for item in dataclasses.fields(ModelSettings)}
    assert names == set(CHANGES)


@pytest.mark.slow
@pytest.mark.parametrize("setting", sorted(CHANGES))
def test_changing_a_setting_changes_the_run(setting):
    value, scenario, end, *base = CHANGES[setting]
    changed = fingerprint(setting, value, scenario, end, *base)
    default = fingerprint(setting, None, scenario, end or "2024-06", *base)
    if setting in UNUSED:
        assert changed == default, f"{setting} now changes the run: take it off UNUSED"
        pytest.xfail(UNUSED[setting])
    assert changed != default
