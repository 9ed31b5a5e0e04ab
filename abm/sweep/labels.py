"""Words for the sweep figures: what a metric measures and in which unit, what a parameter is.

A figure labelled ``settings.investment_rate`` and ``unmet`` is unreadable in a paper; these
turn the sweep file's names into the settings' own help texts and the metric kinds' units.
"""

from __future__ import annotations

import textwrap
from dataclasses import fields

from abm.settings import ModelSettings
from abm.sweep.spec import Metric

UNITS = {
    "mean_price": "USD per t",
    "peak_price_ratio": "highest monthly price / first month's",
    "volatility": "sd of monthly log price changes",
    "cumulative_unmet": "t, summed over months",
    "hhi": "HHI of supply by location, 0-10,000",
    "premium": "% over the ordinary price",
}
WHAT = {
    "mean_price": "mean price",
    "peak_price_ratio": "peak price ratio",
    "volatility": "price volatility",
    "cumulative_unmet": "unmet demand",
    "hhi": "concentration",
    "premium": "IRA compliant premium",
}
# Where each kind's colour scale starts: no change for a ratio, nothing for the others.
REFERENCE = {"peak_price_ratio": 1.0}
SETTING_HELP = {item.name: item.metadata.get("help", "") for item in fields(ModelSettings)}


def metric_label(metric: Metric, width: int = 40) -> str:
    """``name: what (mineral, stage, region) [unit]``, wrapped to ``width``."""
    where = ", ".join(
        part for part in (metric.mineral, metric.stage, metric.region) if part not in ("all",)
    )
    text = f"{metric.name}: {WHAT[metric.kind]} ({where}) [{UNITS[metric.kind]}]"
    return textwrap.fill(text, width)


def parameter_label(path: str, width: int = 40) -> str:
    """A sweep path in words: a setting by its help text, a policy field by kind and field."""
    if path.startswith("settings."):
        name = path.removeprefix("settings.")
        help_text = SETTING_HELP.get(name, "")
        text = f"{name} ({help_text})" if help_text else name
    elif path.startswith("policy."):
        kind, name = path.removeprefix("policy.").split(".", 1)
        text = f"{name} of every {kind} policy"
    elif path.startswith("policy["):
        index, name = path.removeprefix("policy[").split("].", 1)
        text = f"{name} of the scenario's policy {index}"
    else:
        text = "world (year of the calibrated world)" if path == "world" else path
    return textwrap.fill(text, width)


def reference(metric: Metric) -> float:
    """The value a colour scale of the metric starts from (1 for ratios, else 0)."""
    return REFERENCE.get(metric.kind, 0.0)
