"""Is the committed replication the code's? Compare its values.csv with a fresh run's.

``python -m abm.replicate.check COMMITTED FRESH`` exits 0 when both hold the same rows and
every value and cap ratio agrees within 1e-9 relative (NaN matching NaN), and 1 with one line
per difference otherwise; ``make check-replication`` (part of ``make test``) runs it after a
fresh 10-seed replication.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = ["claim", "metric", "seed"]
NUMBERS = ["value", "cap_ratio"]
RELATIVE = 1e-9


def differences(committed: Path, fresh: Path, relative: float = RELATIVE) -> list[str]:
    """Every way the fresh values differ from the committed ones (empty: none)."""
    old, new = (pd.read_csv(path).set_index(KEYS) for path in (committed, fresh))
    found = []
    for label, rows in (
        ("only in the committed report", old.index.difference(new.index)),
        ("only in the fresh run", new.index.difference(old.index)),
    ):
        found += [f"{label}: claim {c}, '{m}', seed {s}" for c, m, s in rows]
    common = old.index.intersection(new.index)
    for column in NUMBERS:
        if column not in old or column not in new:
            found.append(f"column '{column}' missing from one of the files")
            continue
        a, b = old.loc[common, column].to_numpy(float), new.loc[common, column].to_numpy(float)
        same = np.isclose(a, b, rtol=relative, atol=0.0) | (np.isnan(a) & np.isnan(b))
        for (c, m, s), x, y in zip(common[~same], a[~same], b[~same], strict=True):
            found.append(f"claim {c}, '{m}', seed {s}: {column} {x!r} committed, {y!r} now")
    return found


def main(argv: list[str] | None = None) -> int:
    """Compare a committed values table with a fresh one: exit 0 if they match, 1 with the
    differences on stderr."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m abm.replicate.check COMMITTED.csv FRESH.csv", file=sys.stderr)
        return 2
    found = differences(Path(args[0]), Path(args[1]))
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(
            f"the committed replication is stale: {len(found)} differences; regenerate it with "
            "`abm replicate --seeds 10 --workers 2` and commit results/replication/",
            file=sys.stderr,
        )
        return 1
    print("the committed replication matches the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
