"""The public package surface: exports, and an import that stays light."""

from __future__ import annotations

import subprocess
import sys

import landscape


def test_public_names_are_exported() -> None:
    for name in landscape.__all__:
        assert getattr(landscape, name) is not None


def test_import_does_not_load_sympy() -> None:
    """SymPy (typed formulas only) is loaded on first use, so every page imports landscape fast."""
    code = "import sys, landscape; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        _ = landscape.no_such_thing  # type: ignore[attr-defined]
    except AttributeError as err:
        assert "no_such_thing" in str(err)
    else:
        raise AssertionError("expected AttributeError")
