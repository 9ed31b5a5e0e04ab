"""The set-up `make test` does by itself: chromium for the browser test, or one line saying how."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ENSURE = Path(__file__).resolve().parents[1] / "tools" / "ensure-chromium"


def _path_with(tmp_path: Path, *tools: str) -> str:
    """A PATH holding only ``tools`` (links to the real ones): no chromium, no apt-get."""
    for tool in tools:
        found = shutil.which(tool)
        assert found, tool
        (tmp_path / tool).symlink_to(found)
    return str(tmp_path)


def _ensure(path: str) -> subprocess.CompletedProcess:
    """tools/ensure-chromium run with only ``path`` to find programs on."""
    return subprocess.run(
        ["bash", str(ENSURE)],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        executable=shutil.which("bash"),
    )


def test_without_chromium_or_a_package_manager_make_test_stops_saying_how(tmp_path):
    done = _ensure(_path_with(tmp_path, "bash", "id"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "chromium" in done.stderr and "install" in done.stderr


def test_with_chromium_on_the_path_nothing_is_installed(tmp_path):
    (tmp_path / "chromium").write_text("#!/bin/sh\n")
    (tmp_path / "chromium").chmod(0o755)
    done = _ensure(_path_with(tmp_path, "bash", "id"))
    assert done.returncode == 0 and done.stderr == ""


def test_make_test_checks_for_chromium_before_the_tests():
    makefile = (ENSURE.parents[1] / "Makefile").read_text()
    recipe = makefile[makefile.index("\ntest:") :].split("\n\n")[0]
    assert recipe.index("tools/ensure-chromium") < recipe.index("pytest")
