"""Regenerate the README's registry tables (optimizers, surfaces, limits) from the code.

Run ``python scripts/update_readme.py`` after changing a registry; ``--check`` exits 1 when the
README is out of date (the test suite runs the same check).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

README = ROOT / "README.md"


def _optimizers() -> str:
    from optimizers import markdown_table

    return markdown_table()


def _surfaces() -> str:
    from landscape import markdown_table

    return markdown_table()


def _datasets() -> str:
    from landscape.datasets import markdown_table

    return markdown_table()


def _limits() -> str:
    from app_pages.common.limits import LIMITS

    rows = ["| limit | value | what |", "| --- | ---: | --- |"]
    rows += [f"| `{lim.name}` | {lim.value:,} | {lim.what} |" for lim in LIMITS.values()]
    return "\n".join(rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "optimizers": _optimizers,
    "surfaces": _surfaces,
    "datasets": _datasets,
    "limits": _limits,
}


def render(text: str) -> str:
    """Replace each ``<!-- BEGIN name -->...<!-- END name -->`` block with its generated table."""
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.DOTALL)
        if pattern.search(text):
            table = make().strip()
            text = pattern.sub(lambda m, t=table: f"{m.group(1)}{t}\n{m.group(2)}", text)
    return text


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in argv:
        if fresh != current:
            print("README.md tables are out of date: run python scripts/update_readme.py")
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
