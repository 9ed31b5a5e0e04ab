"""A sweep's results folder: what it may hold, the fingerprint that says which sweep it holds,
the lock that keeps it to one sweep at a time, and which of its runs can be trusted.

A sweep writes only these names into its folder (``.NAME.PID.tmp`` files are its half-written
ones): ``manifest.json``, ``sweep.toml``, ``lock``, ``runs.parquet``, ``runs/``, ``series/``,
``analysis/`` and ``rejected/``. A folder holding anything else is not a sweep's and is never
written or removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from abm.sweep.spec import SERIES_TABLES, Sweep

FINGERPRINT_PARTS = ("sweep_file", "scenario_file", "data", "code")
REPLACED_BY_FORCE = ("runs", "series", "analysis", "runs.parquet", "manifest.json", "sweep.toml")
STALE_TOP = re.compile(r"\.(manifest\.json|sweep\.toml|runs\.parquet)\.\d+\.tmp")
SHOWN = 3  # foreign entries named in an error


class FolderError(Exception):
    """The folder cannot take this sweep; the message is one line saying why and what to do."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_digest() -> str:
    """The package version and SHA-256 of every .py file of the abm package (path and bytes).

    Not the git commit: a commit that changes only docs or tests does not change results,
    while an uncommitted edit to the model does, and installed copies have no git at all."""
    from abm.outputs import package_version

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(package_version().encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(sweep: Sweep) -> dict[str, str]:
    """SHA-256 of everything a sweep's results depend on, part by part, and of them all."""
    from abm.data import data_checksums

    scenario = sweep.scenario.path.read_bytes() if sweep.scenario.path else b""
    parts = {
        "sweep_file": _sha256(sweep.text.encode()),
        "scenario_file": _sha256(scenario),
        "data": _sha256(json.dumps(data_checksums(), sort_keys=True).encode()),
        "code": code_digest(),
    }
    return parts | {"sha256": _sha256(json.dumps(parts, sort_keys=True).encode())}


def changed_parts(recorded: Any, current: dict[str, str]) -> list[str]:
    """Which parts of the fingerprint differ (all of them for a folder without one)."""
    if not isinstance(recorded, dict):
        return list(FINGERPRINT_PARTS)
    return [part for part in FINGERPRINT_PARTS if recorded.get(part) != current[part]]


@dataclass(frozen=True)
class Folder:
    """What a results folder holds: ``new`` (nothing of a sweep), ``same`` (this sweep, by its
    fingerprint) or ``other`` (another sweep, or one whose manifest is missing or unreadable)."""

    kind: str
    manifest: dict[str, Any]


def _foreign_in(folder: Path, allowed: dict[str, Any], prefix: str) -> list[str]:
    """Entries not matching the sweep's own names, depth first. ``allowed`` maps a pattern to
    None (a regular file) or to the allowed names inside (a folder); symlinks never match."""
    found: list[str] = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            inside = next((v for k, v in allowed.items() if re.fullmatch(k, entry.name)), False)
            is_dir = entry.is_dir(follow_symlinks=False)
            if inside is None and entry.is_file(follow_symlinks=False):
                continue
            if isinstance(inside, dict) and is_dir:
                found += _foreign_in(Path(entry.path), inside, f"{prefix}{entry.name}/")
            elif inside != "any" or not is_dir:
                found.append(f"{prefix}{entry.name}")
            if len(found) > SHOWN:
                return found
    return found


# Regular expressions of the names a sweep writes (fullmatch; None: a file, a dict: a folder
# and what it may hold). The temporary names are those of write_atomic and write_text_atomic.
_SWEEP_LAYOUT: dict[str, Any] = {
    r"manifest\.json|sweep\.toml|runs\.parquet|lock": None,
    STALE_TOP.pattern: None,
    "runs": {r"r\d{6,}\.parquet": None, r"\.r\d{6,}\.\d+\.tmp": None},
    "series": {
        "|".join(SERIES_TABLES): {
            r"run_id=r\d{6,}": {r"part\.parquet": None, r"\.part\.\d+\.tmp": None}
        }
    },
    "analysis": {r"[\w.-]+\.(png|csv)": None},
    "rejected": "any",  # files abm moved aside: kept, never read
}


def inspect(out: Path, current: dict[str, str]) -> Folder:
    """Classify the folder without writing anything; FolderError when it is not a sweep's."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise FolderError(f"{out} is not a folder; give --out a new or empty folder")
    if not out.exists():
        return Folder("new", {})
    foreign = _foreign_in(out, _SWEEP_LAYOUT, "")
    if foreign:
        shown = ", ".join(foreign[:SHOWN]) + (", ..." if len(foreign) > SHOWN else "")
        raise FolderError(
            f"{out} holds files that are not an abm sweep's ({shown}); nothing was written: "
            "give --out a new or empty folder"
        )
    names = {p.name for p in out.iterdir()} - {"lock", "rejected"}
    if all(STALE_TOP.fullmatch(name) for name in names):
        return Folder("new", {})
    try:
        manifest = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return Folder("other", {})
    if not isinstance(manifest, dict):
        return Folder("other", {})
    same = changed_parts(manifest.get("fingerprint"), current) == []
    return Folder("same" if same else "other", manifest)


def clear(out: Path) -> None:
    """What ``--force`` removes: the sweep's own results (the lock, held now, and rejected/,
    files abm did not write, stay)."""
    for name in REPLACED_BY_FORCE:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for stale in out.glob(".*.tmp"):
        stale.unlink()


class SweepLock:
    """An exclusive ``flock`` on ``<out>/lock`` for the sweep's life; the kernel releases it
    when the process ends, however it ends, so a killed sweep never leaves the folder locked.
    The file stays (removing it would let a second sweep lock a new file beside the first)."""

    def __init__(self, out: Path) -> None:
        self.path = out / "lock"
        self.descriptor: int | None = None

    def acquire(self) -> None:
        """Take the lock, or FolderError naming the process that holds it."""
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode(errors="replace").strip() or "unknown"
            os.close(descriptor)
            raise FolderError(
                f"another sweep (pid {holder}) is running in {self.path.parent}; wait for it "
                "to end, or give --out another folder"
            ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        self.descriptor = descriptor

    def release(self) -> None:
        """Release the folder's lock, once."""
        if self.descriptor is not None:
            os.close(self.descriptor)  # releases the lock
            self.descriptor = None


def run_problem(path: Path, sha256: str) -> str | None:
    """Why a run file cannot count as a run of this sweep, or None when it can."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        return f"not a readable Parquet file ({' '.join(str(error).split())[:120]})"
    if table.num_rows != 1:
        return f"{table.num_rows} rows, not one"
    row = {
        name: table[name][0].as_py()
        for name in ("run_id", "fingerprint")
        if name in table.column_names
    }
    if row.get("run_id") != path.stem:
        return f"its run_id is {row.get('run_id')!r}, not {path.stem!r}"
    if row.get("fingerprint") != sha256:
        return f"its fingerprint {row.get('fingerprint')!r} is not this sweep's {sha256[:12]}..."
    return None


def reject(out: Path, path: Path, reason: str) -> Path:
    """Move a run file that cannot count into ``rejected/`` (never delete it: abm may not have
    written it) and say why in ``rejected/reasons.txt``."""
    folder = out / "rejected"
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    number = 0
    while target.exists():
        number += 1
        target = folder / f"{path.name}.{number}"
    os.replace(path, target)
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(folder / "reasons.txt", "a") as notes:
        notes.write(f"{when} runs/{path.name} -> {target.name}: {reason}; the run is redone\n")
    return target


def _series_complete(out: Path, run_id: str, series: tuple[str, ...]) -> bool:
    """Every requested series partition of the run is there with a readable Parquet footer."""
    for name in series:
        try:
            pq.read_metadata(out / "series" / name / f"run_id={run_id}" / "part.parquet")
        except (pa.ArrowException, OSError):
            return False
    return True


def verified_runs(out: Path, planned: set[str], sha256: str, series: tuple[str, ...]) -> set[str]:
    """The runs whose files can be trusted: readable, one row, their own run id, this sweep's
    fingerprint, and every requested series partition there. Other run files are moved to
    ``rejected/``; a run with a missing series partition is simply redone."""
    done = set()
    for path in sorted((out / "runs").glob("r*.parquet")):
        problem = run_problem(path, sha256)
        if problem is None and path.stem not in planned:
            problem = "not a run of this sweep"
        if problem:
            reject(out, path, problem)
        elif _series_complete(out, path.stem, series):
            done.add(path.stem)
    return done
