"""Helpers the tests share: plain functions and constants, imported as ``from support.x import y``.

Fixtures stay in the conftest.py files (pytest finds them there); anything else two test files
need lives here, so no test file imports another test file or a conftest.
"""

import pytest

# Rewrite the asserts of the helper modules (assert_every_run_once, ...) as pytest does those of
# test files, so a failing check shows its values; it must run before the submodules load.
pytest.register_assert_rewrite("support.markets", "support.sweeps", "support.worlds")
