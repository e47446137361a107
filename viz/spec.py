"""A Plotly figure that ships a prebuilt dict as is, optionally with its JSON encoded once.

``go.Figure(frames=...)`` validates every frame (~0.5 s for 150 frames) and ``Figure.to_dict`` deep
copies it (~80 ms) on every Streamlit rerun. Figures with many frames are therefore built as plain
dicts (rounded numbers, known-good keys, checked in tests/viz) and wrapped here: ``to_dict`` returns
the dict itself, so ``st.plotly_chart`` and ``plotly.io.to_json`` serialize it without copying.
Treat the result as read-only; compose figures at the dict level (``fig.to_dict()``) instead.

``frozen(fig)`` goes one step further for figures that are cached and drawn on every rerun (the
race map, ~0.4 MB): the JSON is encoded once, and ``plotly.io.to_json`` (which ``st.plotly_chart``
calls on every rerun, ~3-10 ms for the map) returns that text for it (``install_json_cache``). The
text is exactly what ``plotly.io.to_json`` produced for the same dict; every other object goes
through plotly's own encoder unchanged. A frozen figure keeps only that text and its height (the
dict of Python lists held ~2 MB per cached race): read it back with ``spec_dict``.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

_BLANK_STATE: dict[str, Any] = {}


class SpecFigure(go.Figure):
    """Read-only figure backed by a plain ``{"data", "layout", "frames"}`` dict.

    ``go.Figure()`` applies the default template to an empty layout (~0.4 ms, a deep copy, six
    times per new race): a SpecFigure instead takes the attributes of one blank figure made per
    process, shared read-only like the dict itself (``to_dict`` never looks at them).
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        if not _BLANK_STATE:
            _BLANK_STATE.update(go.Figure().__dict__)
        self.__dict__.update(_BLANK_STATE)
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec

    def to_plotly_json(self) -> dict[str, Any]:
        return self._spec


class FrozenSpec(dict):
    """A figure dict that carries its own JSON text (encoded once; never mutate it).

    Of the dict itself only ``{"layout": {"height": ...}}`` is kept: ``st.plotly_chart`` sizes
    the element from the figure's ``layout.height`` (read from ``to_dict()``) and falls back to
    450 px without it, whatever the JSON says.
    """

    json: str
    still: SpecFigure  # its copy that does not drag (``still``), once asked for


_plain_to_json = pio.to_json
_install_lock = threading.Lock()


def _to_json(fig: Any, *args: Any, **kwargs: Any) -> str:
    """``plotly.io.to_json``, answering from the stored text for a frozen figure (or its dict)."""
    spec = fig._spec if isinstance(fig, SpecFigure) else fig
    if type(spec) is FrozenSpec and not args and set(kwargs) <= {"validate"}:
        return spec.json
    return _plain_to_json(fig, *args, **kwargs)


def install_json_cache() -> None:
    """Route ``plotly.io.to_json`` through ``_to_json`` (idempotent, process-wide)."""
    with _install_lock:
        if pio.to_json is not _to_json:
            pio.to_json = _to_json


def frozen(fig: go.Figure) -> SpecFigure:
    """``fig`` as a SpecFigure whose JSON is encoded now, once, and kept instead of the dict
    (see the module docstring)."""
    spec = FrozenSpec(fig.to_dict())
    spec.json = _plain_to_json(dict(spec), validate=False)
    height = spec.get("layout", {}).get("height")
    spec.clear()
    if height is not None:
        spec["layout"] = {"height": height}
    install_json_cache()
    return SpecFigure(spec)


def spec_dict(fig: go.Figure) -> dict[str, Any]:
    """Any figure as a plain JSON-ready dict (a frozen one decoded from its stored text)."""
    install_json_cache()
    return json.loads(pio.to_json(fig, validate=False))


def still(fig: go.Figure) -> go.Figure:
    """``fig`` that does not drag (``layout.dragmode: False``), for a touch screen: Plotly keeps
    a touch that starts on a chart in any other mode, so a swipe over a chart zoomed it instead
    of scrolling the page. A new figure; ``fig`` (maybe shared read-only) is left as it is. A
    frozen figure's still copy is made once and kept on it (``FrozenSpec.still``): its JSON is
    not decoded and encoded again on every rerun."""
    if isinstance(fig, SpecFigure):
        spec = fig._spec
        if type(spec) is FrozenSpec:
            kept = getattr(spec, "still", None)
            if kept is None:
                kept = spec.still = frozen(still(SpecFigure(json.loads(spec.json))))
            return kept
        return SpecFigure({**spec, "layout": {**spec.get("layout", {}), "dragmode": False}})
    out = go.Figure(fig)
    out.update_layout(dragmode=False)
    return out
