"""Checks over a policy log: what governments chose, and whether their own numbers back it."""

from __future__ import annotations

import pandas as pd

from abm.policy.decisions import weighed
from abm.policy.effects import RESTRICTIONS


def endogenous_restrictions(log: pd.DataFrame) -> pd.DataFrame:
    """The restrictions (bans, licensing, taxes, tariffs) governments chose themselves."""
    return log[(log.cause == "endogenous") & log.kind.isin(RESTRICTIONS)]


def costly_restrictions(log: pd.DataFrame) -> pd.DataFrame:
    """Endogenous restrictions whose logged numbers show a cost above the gain (or that log
    no numbers at all)."""
    chosen = endogenous_restrictions(log)
    numbers = chosen.reason.map(weighed)
    backed = numbers.map(lambda n: "gain_usd" in n and n["cost_usd"] <= n["gain_usd"])
    return chosen[~backed.astype(bool)]


def restriction_counts(log: pd.DataFrame) -> pd.Series:
    """How many restrictions of each kind governments chose."""
    return endogenous_restrictions(log).kind.value_counts().sort_index()
