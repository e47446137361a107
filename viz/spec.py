"""A Plotly figure that ships a prebuilt dict as is.

``go.Figure(frames=...)`` validates every frame (~0.5 s for 150 frames) and ``Figure.to_dict`` deep
copies it (~80 ms) on every Streamlit rerun. Figures with many frames are therefore built as plain
dicts (rounded numbers, known-good keys, checked in tests/viz) and wrapped here: ``to_dict`` returns
the dict itself, so ``st.plotly_chart`` and ``plotly.io.to_html`` serialize it without copying.
Treat the result as read-only; compose figures at the dict level (``fig.to_dict()``) instead.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go


class SpecFigure(go.Figure):
    """Read-only figure backed by a plain ``{"data", "layout", "frames"}`` dict."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec

    def to_plotly_json(self) -> dict[str, Any]:
        return self._spec
