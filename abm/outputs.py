"""Tables, manifest and figures of a run, all written in one place.

Tables are tidy (long) pandas DataFrames built once from the recorder's arrays:
``prices``, ``flows``, ``supply``, ``demand``, ``balance``, ``capacity``.
A run directory is written atomically: into a temporary sibling, then renamed, and only where
``abm.folders`` allows (never over files abm did not write).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.data import data_checksums
from abm.data.vintage import world_checksums
from abm.folders import (
    OutputError,
    check_output_folder,
    clean_stale_staging,
    replace_folder,
    staging_prefix,
)
from abm.recorder import BOOK_STAGES, HOLDERS

if TYPE_CHECKING:
    from abm.model import MineralsModel

STAGES = ("raw", "refined")
FLOW_FLOOR_T = 1e-3  # flows below a kilogram a month are left out of the flows table


def _categorical(values, categories) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(values), categories=list(categories))


def _grid(*sizes: int) -> list[np.ndarray]:
    """Index arrays of a full grid in C order (the order of ``array.ravel()``)."""
    return [axis.ravel() for axis in np.meshgrid(*(np.arange(s) for s in sizes), indexing="ij")]


def tables(model: MineralsModel) -> dict[str, pd.DataFrame]:
    """Every output table of a run so far; ``floors`` only in a run with a price floor."""
    found = {
        "prices": prices_table(model),
        "flows": flows_table(model),
        "supply": supply_table(model),
        "demand": demand_table(model),
        "balance": balance_table(model),
        "capacity": capacity_table(model),
        "policies": model.policies.log_table(),
        "premiums": premiums_table(model),
    }
    if any(policy.kind == "price_floor" for policy in model.policies.policies):
        found["floors"] = model.floors.table()
    return found


def _months(model: MineralsModel) -> pd.DatetimeIndex:
    return model.world.months[: model.recorder.months_done]


TIERS = ("all", "noncompliant", "compliant")


def _tiered_table(
    model: MineralsModel,
    ordinary: np.ndarray,
    compliant: np.ndarray,
    axes: tuple[str, ...],
    value: str,
    floor: float | None,
) -> pd.DataFrame:
    """Rows of an ordinary (stage, month, mineral, *axes) array and the compliant tier's
    (month, mineral, *axes) array, each with its tier.

    Ordinary refined rows of a mineral are ``noncompliant`` while IRA rules tier it, ``all``
    otherwise; compliant rows are kept only while tiered. Rows are kept where the value is
    finite, and at least ``floor`` if one is given.
    """
    world, tiered = model.world, model.recorder.tiered
    months = _months(model)
    stage, month, mineral, *places = _grid(*ordinary.shape)
    c_month, c_mineral, *c_places = _grid(*compliant.shape)
    values = np.concatenate([ordinary.ravel(), compliant.ravel()])
    keep = np.isfinite(values) & np.concatenate(
        [np.ones(ordinary.size, dtype=bool), tiered[c_month, c_mineral]]
    )
    if floor is not None:
        keep &= values >= floor
    tier = np.concatenate(
        [np.where((stage == 1) & tiered[month, mineral], 1, 0), np.full(compliant.size, 2)]
    )
    frame = {
        "date": months[np.concatenate([month, c_month])[keep]],
        "mineral": _categorical(np.concatenate([mineral, c_mineral])[keep], world.minerals),
        "stage": _categorical(
            np.concatenate([stage, np.ones(compliant.size, dtype=int)])[keep], STAGES
        ),
    }
    for name, place, c_place in zip(axes, places, c_places, strict=True):
        frame[name] = _categorical(np.concatenate([place, c_place])[keep], world.countries)
    frame["tier"] = _categorical(tier[keep], TIERS)
    frame[value] = values[keep]
    return pd.DataFrame(frame)


def prices_table(model: MineralsModel) -> pd.DataFrame:
    """Delivered price per destination and tier; destinations nothing reaches are left out.

    Without IRA rules every price is tier ``all``. While the rules are in force, the refined
    prices of covered minerals are ``noncompliant`` (the ordinary market) and the compliant
    tier adds ``compliant`` rows.
    """
    rec, done = model.recorder, model.recorder.months_done
    return _tiered_table(
        model,
        rec.destination_price[:, :done],
        rec.compliant_price[:done],
        ("country",),
        "price",
        None,
    )


def flows_table(model: MineralsModel) -> pd.DataFrame:
    """Tonnes by origin and destination; ``tier`` says which market the tonnes served, and
    ``via`` the third country they went through round a ban or quota (``abm.leakage``; empty
    where they went direct). Leaked tonnes are rows of their own, after the direct ones."""
    rec, done = model.recorder, model.recorder.months_done
    direct = rec.flows[:, :done]
    leaks = [np.concatenate(column) for column in zip(*rec.leaks, strict=True)]
    if leaks:
        stage, month, mineral, origin, destination, via, tonnes = leaks
        direct = direct.copy()
        direct[stage, month, mineral, origin, destination] -= tonnes
    table = _tiered_table(
        model,
        direct,
        rec.compliant_flows[:done],
        ("origin", "destination"),
        "tonnes",
        FLOW_FLOOR_T,
    )
    table["via"] = _categorical(np.full(len(table), -1), model.world.countries)
    if not leaks:
        return table
    keep = tonnes >= FLOW_FLOOR_T
    world, tiered = model.world, rec.tiered
    tier = np.where((stage == 1) & tiered[month, mineral], 1, 0)
    leaked = pd.DataFrame(
        {
            "date": _months(model)[month[keep]],
            "mineral": _categorical(mineral[keep], world.minerals),
            "stage": _categorical(stage[keep], STAGES),
            "origin": _categorical(origin[keep], world.countries),
            "destination": _categorical(destination[keep], world.countries),
            "tier": _categorical(tier[keep], TIERS),
            "tonnes": tonnes[keep],
            "via": _categorical(via[keep], world.countries),
        }
    )
    return pd.concat([table, leaked], ignore_index=True)


def compliant_premium(model: MineralsModel) -> tuple[np.ndarray, np.ndarray]:
    """The compliant-tier premium (month, mineral) in percent, and the compliant tonnes.

    Measured seller by seller: each origin's compliant price over its ordinary price, weighted
    by the compliant tonnes it sold, so distance and the mix of origins do not pass for a
    premium. Zero where nothing was sold in the tier.
    """
    rec = model.recorder
    done = rec.months_done
    tonnes = rec.compliant_flows[:done].sum(axis=3)  # (month, mineral, origin)
    ratio = rec.compliant_origin_price[:done] / rec.origin_price[1, :done]
    weighted = np.where(tonnes > 0, tonnes * (ratio - 1.0), 0.0).sum(axis=2)
    total = tonnes.sum(axis=2)
    premium = np.divide(100.0 * weighted, total, out=np.zeros_like(total), where=total > 0)
    return premium, total


def premiums_table(model: MineralsModel) -> pd.DataFrame:
    """The compliant-tier premium per month and tiered mineral (``compliant_premium``).

    Empty when no content rule is in force.
    """
    months = _months(model)
    premium, total = compliant_premium(model)
    month, mineral = np.nonzero(model.recorder.tiered[: len(months)])
    return pd.DataFrame(
        {
            "date": months[month],
            "mineral": _categorical(mineral, model.world.minerals),
            "compliant_tonnes": total[month, mineral],
            "premium_pct": premium[month, mineral],
        }
    )


def _site_totals(output: np.ndarray, sites, months, world, stage: str, source: str):
    """Sum site-level monthly tonnes by (mineral, location, owner); sites = 3 index arrays."""
    mineral, location, owner = sites
    groups = pd.DataFrame({"mineral": mineral, "location": location, "owner": owner})
    keys, inverse = np.unique(groups.to_numpy(), axis=0, return_inverse=True)
    totals = np.zeros((len(months), len(keys)))
    np.add.at(totals.T, inverse.ravel(), output[: len(months)].T)
    month, group = _grid(len(months), len(keys))
    return pd.DataFrame(
        {
            "date": months[month],
            "mineral": _categorical(keys[group, 0], world.minerals),
            "stage": stage,
            "country": _categorical(keys[group, 1], world.countries),
            "owner": _categorical(keys[group, 2], world.countries),
            "source": source,
            "tonnes": totals.ravel(),
        }
    )


def _sites(fleet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return fleet.mineral, fleet.location, fleet.owner


def supply_table(model: MineralsModel) -> pd.DataFrame:
    """Output by location and owner: mined (raw), refined from ore, and recycled."""
    rec, world = model.recorder, model.world
    months = _months(model)
    recyclers = (model.recyclers.mineral, model.recyclers.country, model.recyclers.country)
    parts = [
        _site_totals(rec.mine_output, _sites(model.mines), months, world, "raw", "primary"),
        _site_totals(
            rec.refinery_output, _sites(model.refineries), months, world, "refined", "primary"
        ),
        _site_totals(rec.recycled, recyclers, months, world, "refined", "recycled"),
    ]
    table = pd.concat(parts, ignore_index=True)
    for column in ("stage", "source"):
        table[column] = table[column].astype("category")
    return table


def demand_table(model: MineralsModel) -> pd.DataFrame:
    """Demanded: use planned at long-run expected prices; met: consumed; unmet: the shortfall.

    Consumption above the plan (when prices come in below expectations) counts as met with
    no unmet demand.
    """
    rec, world = model.recorder, model.world
    months = _months(model)
    demanded = rec.demanded[: len(months)]
    met = rec.consumed[: len(months)]
    month, mineral, country = _grid(*demanded.shape)
    keep = demanded.ravel() > 0
    return pd.DataFrame(
        {
            "date": months[month[keep]],
            "mineral": _categorical(mineral[keep], world.minerals),
            "country": _categorical(country[keep], world.countries),
            "demanded": demanded.ravel()[keep],
            "met": met.ravel()[keep],
            "unmet": np.maximum(demanded - met, 0.0).ravel()[keep],
        }
    )


def balance_table(model: MineralsModel) -> pd.DataFrame:
    """Stock-flow books per mineral and stage; ``residual`` should be zero."""
    rec, world = model.recorder, model.world
    months = _months(model)
    books = rec.books[:, : len(months)]
    month, mineral, stage = _grid(*books.shape[1:])
    opening, inflow, outflow, closing = (books[k].ravel() for k in range(4))
    held = rec.held[:, : len(months)]
    holders = {f"held_by_{name}": held[k].ravel() for k, name in enumerate(HOLDERS)}
    return pd.DataFrame(
        {
            "date": months[month],
            "mineral": _categorical(mineral, world.minerals),
            "stage": _categorical(stage, BOOK_STAGES),
            "opening_stock": opening,
            "inflow": inflow,
            "outflow": outflow,
            "closing_stock": closing,
            "residual": opening + inflow - outflow - closing,
            **holders,
        }
    )


def largest_relative_residual(balance: pd.DataFrame) -> float:
    """The worst book residual, relative to the largest stock or flow on its row.

    A row with NaN or inf anywhere counts as infinitely unbalanced: pandas' ``max`` would skip
    NaN and report books full of NaN as balanced.
    """
    columns = ["opening_stock", "inflow", "outflow", "closing_stock", "residual"]
    values = balance[columns].to_numpy(float)
    if not np.isfinite(values).all():
        return float("inf")
    scale = np.abs(values[:, :4]).max(axis=1, initial=0.0)
    return float((np.abs(values[:, 4]) / np.maximum(scale, 1e-300)).max(initial=0.0))


def capacity_table(model: MineralsModel) -> pd.DataFrame:
    """Capacity in tonnes a year, by stage, mineral and country, month by month: what is in
    the books (``tonnes_per_year``, idled capacity included), the part of it idled, and what
    retired before the month (at its size when retired, no longer in the books)."""
    rec, world = model.recorder, model.world
    months = _months(model)
    columns = {
        "tonnes_per_year": (rec.mine_capacity, rec.refinery_capacity),
        "idled_tonnes_per_year": (rec.mine_idled, rec.refinery_idled),
        "retired_tonnes_per_year": (rec.mine_retired, rec.refinery_retired),
    }
    tables = []
    for name, (mines, refineries) in columns.items():
        parts = [
            _site_totals(mines * 12.0, _sites(model.mines), months, world, "raw", ""),
            _site_totals(refineries * 12.0, _sites(model.refineries), months, world, "refined", ""),
        ]
        tables.append(pd.concat(parts, ignore_index=True).rename(columns={"tonnes": name}))
    table = tables[0].drop(columns="source")
    for extra in tables[1:]:
        table[extra.columns[-1]] = extra[extra.columns[-1]].to_numpy()
    table["stage"] = table["stage"].astype("category")
    return table


# ----------------------------------------------------------------------------- writing
def write_text_atomic(path: Path, text: str) -> None:
    """Write a small text file all or nothing: a temporary ``.<name>.<pid>.tmp``, then a
    rename, so a killed writer never leaves half a file under the final name."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(text)
    os.replace(partial, path)


def git_commit() -> str | None:
    """The commit of the source tree, when it is a git checkout."""
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def package_version() -> str:
    """The installed version of abm, or ``unknown`` when run from a source tree."""
    try:
        return metadata.version("abm-critical-minerals")
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest(model: MineralsModel, scenario: str, outputs: dict[str, Path]) -> dict:
    """What reproduces and checks the run: scenario, seed, settings, the world's year, code
    version, data checksums (with the vintage files of an earlier world) and output hashes."""
    return {
        "scenario": scenario,
        "seed": model.seed_value,
        "settings": model.settings.as_dict(),
        "world": model.calibration.year,
        "package_version": package_version(),
        "git_commit": git_commit(),
        "data_checksums": data_checksums(),
        "world_checksums": world_checksums(model.calibration.year),
        "outputs": {
            name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in outputs.items()
        },
    }


def write_run(
    model: MineralsModel,
    out_dir: Path,
    scenario: str,
    figures: bool = True,
    compare: tuple[str, MineralsModel] | None = None,
) -> Path:
    """Write tables, manifest and figures to ``out_dir`` atomically (all or nothing).

    ``out_dir`` must be new, empty or an earlier run (``abm.folders``); a disk that is full or
    read-only raises OutputError and leaves no staging folder behind.
    """
    out_dir = Path(out_dir)
    check_output_folder(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_staging(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=staging_prefix(out_dir), dir=out_dir.parent))
    except OSError as problem:
        raise OutputError(f"{out_dir}: cannot write ({problem.strerror or problem})") from None
    try:
        _write_files(model, staging, scenario, figures, compare)
        check_output_folder(out_dir)  # again: something may have appeared during the run
        replace_folder(staging, out_dir)
    except OSError as problem:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{out_dir}: cannot write ({problem.strerror or problem})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _write_files(
    model: MineralsModel,
    staging: Path,
    scenario: str,
    figures: bool,
    compare: tuple[str, MineralsModel] | None = None,
) -> None:
    written: dict[str, Path] = {}
    for name, table in tables(model).items():
        path = staging / f"{name}.parquet"
        table.to_parquet(path, index=False)
        written[f"{name}.parquet"] = path
    if figures:
        from abm.figures import write_figures

        for path in write_figures(model, staging, scenario, compare):
            written[path.name] = path
    record = manifest(model, scenario, written)
    if compare is not None:
        record["compared_with"] = compare[0]  # prices.png draws its world price
    (staging / "manifest.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
