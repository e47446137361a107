"""The README's generated tables match the registries, and its two commands are the real ones."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_tables_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_readme.py"), "--check"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -r requirements-dev.txt && python -m pytest" in readme
    assert "python -m pip install -q -r requirements-dev.txt" in ci
    # exactly the README's command, on a line of its own, in a script that stops on any failure
    assert "python -m pytest" in ci.splitlines()
    assert "set -euo pipefail" in ci.splitlines()
