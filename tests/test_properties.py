"""Invariants over random small worlds and random policy timelines (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.worlds import shrink

from abm.data import MINERALS, load_calibration
from abm.model import MineralsModel
from abm.outputs import largest_relative_residual, tables
from abm.policy.instruments import Policy

CALIBRATION = load_calibration()
OTHERS = ("AU", "ID", "CD", "CL", "IN", "JP", "US", "EU", "KR", "BR")
MONTHS = [f"2023-{m:02d}" for m in range(1, 13)]


@st.composite
def worlds(draw):
    """A few countries (China always, as it produces every mineral), random capacities."""
    keep = ("CN", *draw(st.lists(st.sampled_from(OTHERS), min_size=1, max_size=5, unique=True)))
    supply = shrink(CALIBRATION, keep).supply
    producing = sorted(
        set(zip(supply.mineral, supply.stage, supply.country, strict=True))
        & {(m, s, c) for m in MINERALS for s in ("raw", "refined") for c in keep}
    )  # an adjustment must find capacity to multiply
    adjustments = []
    # Each at most once: x0 then x2 would leave the second nothing to multiply.
    for mineral, stage, country in draw(
        st.lists(st.sampled_from(producing), max_size=3, unique=True)
    ):
        adjustments.append(
            {
                "mineral": mineral,
                "stage": stage,
                "country": country,
                # none, or a realistic change (no subnormal capacities)
                "capacity_multiplier": draw(st.one_of(st.just(0.0), st.floats(0.01, 4.0))),
            }
        )
    return keep, adjustments


@st.composite
def timelines(draw, keep):
    """Random policies among the kept countries, starting and ending at random months."""
    policies = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(
            st.sampled_from(
                (
                    "export_ban",
                    "export_licensing",
                    "export_tax",
                    "import_tariff",
                    "stockpile",
                    "recycling_support",
                    "investment_support",
                    "transparency",
                    "forum",
                )
            )
        )
        country = draw(st.sampled_from(keep))
        start = draw(st.sampled_from(MONTHS))
        params = {
            "export_licensing": {
                "quota_share": draw(st.floats(0.0, 1.0)),
                "delay_months": draw(st.integers(0, 3)),
            },
            "export_tax": {"rate": draw(st.floats(0.0, 2.0))},
            "import_tariff": {"rate": draw(st.floats(0.0, 2.0))},
            "forum": {"members": list(keep)},
        }.get(kind, {})
        policies.append(
            Policy(
                kind,
                country,
                draw(st.sampled_from(MINERALS)),
                draw(st.sampled_from(("raw", "refined"))),
                "all",
                start=start,
                params=params,
            )
        )
    return policies


def _run(keep, adjustments, policies, seed, mode):
    model = MineralsModel(
        rng=seed,
        calibration=shrink(CALIBRATION, keep),
        end="2023-12",
        policies=policies,
        adjustments=adjustments,
        policy_mode=mode,
    )
    return model.run()


@settings(
    max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data(), seed=st.integers(1, 10_000), mode=st.sampled_from(("scripted", "both")))
def test_random_worlds_keep_their_books_and_stay_finite(data, seed, mode):
    keep, adjustments = data.draw(worlds())
    policies = data.draw(timelines(keep))
    model = _run(keep, adjustments, policies, seed, mode)
    result = tables(model)
    assert largest_relative_residual(result["balance"]) < 1e-9
    for name, table in result.items():
        numbers = table.select_dtypes("number")
        assert np.isfinite(numbers.to_numpy()).all(), name
        columns = [c for c in numbers.columns if c != "residual"]
        assert (numbers[columns].to_numpy() >= -1e-9).all(), name
    assert (result["prices"].price > 0).all()
    assert model.recorder.solver_excess.max() < 1e-6


@settings(
    max_examples=3, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data(), seed=st.integers(1, 10_000))
def test_random_worlds_are_reproducible(data, seed):
    keep, adjustments = data.draw(worlds())
    policies = data.draw(timelines(keep))
    first = tables(_run(keep, adjustments, policies, seed, "both"))
    again = tables(_run(keep, adjustments, policies, seed, "both"))
    for name in ("prices", "flows", "balance", "policies"):
        pd.testing.assert_frame_equal(first[name], again[name], check_exact=True)
