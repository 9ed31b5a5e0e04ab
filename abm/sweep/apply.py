"""Check every sample of a sweep before its first run (``abm.experiment.apply`` puts a
sample's values into the scenario)."""

from __future__ import annotations

from typing import Any

from abm.experiment import apply
from abm.sweep.spec import Sweep, SweepError


def check_samples(sweep: Sweep, samples: list[dict[str, Any]], where: str) -> None:
    """Apply every sample and build its settings and policies as a run will, so a value the
    model refuses (out of range, wrong type, an unknown policy field, an end before the
    start) stops the sweep before its first run instead of failing every run."""
    for number, values in enumerate(samples):
        try:
            overrides, _ = apply(sweep.scenario.settings, sweep.scenario.policies, values)
            if sweep.end:
                overrides["end"] = sweep.end
            sweep.scenario.model_settings(overrides)
        except (ValueError, TypeError) as error:  # the model's errors name the field
            shown = ", ".join(f"{path} = {value!r}" for path, value in values.items())
            raise SweepError(f"{where}: sample {number} ({shown}): {error}") from None
