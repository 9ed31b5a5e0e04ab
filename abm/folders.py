"""Where ``abm run`` may write: rules that never destroy a file abm did not write.

A run folder is replaced only when it does not exist, is empty, or holds an earlier abm run
(its ``manifest.json`` with the keys abm writes, and nothing but the files that manifest
lists). Anything else in the way (other files, a file, a device, a symbolic link, ``.``) is
refused before the model runs. Runs are staged in ``.<folder>.abm-<pid>-*`` beside the folder;
the next run into the same place removes those its dead predecessors left.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

from abm.validation import InputError

RESULTS = Path("results")
DEFAULT_SEED = 1
# The keys of a run's manifest.json (abm.outputs.manifest): how an earlier run is recognised.
RUN_KEYS = (
    "scenario",
    "seed",
    "settings",
    "package_version",
    "git_commit",
    "data_checksums",
    "outputs",
)
MAX_MANIFEST_BYTES = 10_000_000


class OutputError(InputError):
    """The output folder cannot be written: names the folder and what is in the way."""


def run_folder(name: str, seed: int, overrides: dict[str, Any]) -> Path:
    """``results/<name>``, with ``-seed<N>`` and a hash of the overrides when they differ.

    A run with another seed or with ``--set``, ``--start`` or ``--end`` gets its own folder,
    so it never replaces the scenario's own results; the same inputs give the same folder.
    """
    parts = [name]
    if seed != DEFAULT_SEED:
        parts.append(f"seed{seed}")
    if overrides:
        canonical = json.dumps(overrides, sort_keys=True).encode()
        parts.append(hashlib.sha256(canonical).hexdigest()[:8])
    return RESULTS / "-".join(parts)


def _listing(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def earlier_run_files(folder: Path) -> set[str] | None:
    """The names an earlier abm run wrote into ``folder``, read from its manifest; else None."""
    manifest = folder / "manifest.json"
    try:
        info = os.lstat(manifest)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(key in data for key in RUN_KEYS):
        return None
    if not isinstance(data["outputs"], dict):
        return None
    return {"manifest.json", *map(str, data["outputs"])}


def _foreign(folder: Path) -> list[str]:
    """Entries of ``folder`` that are not the regular files of an earlier abm run."""
    entries = os.listdir(folder)
    ours = earlier_run_files(folder) or set()
    return [
        name
        for name in entries
        if name not in ours or not stat.S_ISREG(os.lstat(folder / name).st_mode)
    ]


def _refuse_special(folder: Path) -> None:
    """Refuse '.', '..', the root, and any folder that holds the current directory."""
    absolute = Path(os.path.abspath(folder))
    holds_cwd = Path.cwd().resolve().is_relative_to(absolute.resolve())
    if folder.name in ("", ".", "..") or absolute == absolute.parent or holds_cwd:
        raise OutputError(
            f"{folder}: abm will not replace '.', '..', '/' or a folder holding the current "
            "one; name a new folder"
        )


def _check_ancestors(folder: Path) -> None:
    """The nearest existing ancestor of a missing folder must be a folder."""
    for ancestor in folder.absolute().parents:
        if os.path.lexists(ancestor):
            if not ancestor.is_dir():
                raise OutputError(f"{folder}: {ancestor} is in the way and is not a folder")
            return


def check_output_folder(folder: Path) -> None:
    """Refuse, with one line, a folder abm may not write into (nothing is touched)."""
    folder = Path(folder)
    _refuse_special(folder)
    try:
        info = os.lstat(folder)
    except (FileNotFoundError, NotADirectoryError):
        _check_ancestors(folder)
        return
    except OSError as problem:
        raise OutputError(f"{folder}: cannot be inspected ({problem.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(f"{folder}: is a symbolic link; abm writes only into a real folder")
    if not stat.S_ISDIR(info.st_mode):
        what = "a file" if stat.S_ISREG(info.st_mode) else "a device, pipe or socket"
        raise OutputError(f"{folder}: is {what}, not a folder; abm will not replace it")
    try:
        foreign = _foreign(folder)
    except OSError as problem:
        raise OutputError(f"{folder}: cannot be listed ({problem.strerror})") from None
    if foreign:
        raise OutputError(
            f"{folder}: holds {_listing(foreign)}, which abm did not write; name a new or "
            "empty folder, or one holding an earlier abm run"
        )


def staging_prefix(folder: Path) -> str:
    """The name start of this process's staging folders for ``folder``."""
    return f".{folder.name}.abm-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_staging(folder: Path) -> list[Path]:
    """Remove the staging folders that killed runs into ``folder`` left (abm's names only)."""
    pattern = re.compile(rf"^\.{re.escape(folder.name)}\.abm-(\d+)-([a-z0-9_]{{8}}|old)$")
    removed = []
    with os.scandir(folder.parent) as entries:
        for entry in entries:
            match = pattern.match(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and not _alive(int(match[1])):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    return removed


def replace_folder(staging: Path, folder: Path) -> None:
    """Put a finished staging folder in place of ``folder``, all or nothing."""
    if not os.path.lexists(folder):
        os.replace(staging, folder)
        return
    old = folder.with_name(staging_prefix(folder) + "old")
    os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except OSError:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
