"""Compact JSON numbers: figures ship rounded plain lists, not 17-digit floats."""

from __future__ import annotations

import numpy as np


def round_sig(a: np.ndarray | list[float] | float, digits: int = 5) -> list[float | None]:
    """Flatten ``a`` and round each value to ``digits`` significant digits; NaN/inf -> None.

    Vectorized: ``round(v * 10^k) / 10^k`` with ``k = digits - 1 - floor(log10|v|)`` (multiplying
    by 10^-k when k < 0), which gives the float nearest the short decimal, so JSON prints it short.
    ``None`` is a gap in Plotly.
    """
    v = np.asarray(a, dtype=float).ravel()
    finite = np.isfinite(v)
    with np.errstate(all="ignore"):
        mag = np.floor(np.log10(np.abs(np.where(finite & (v != 0), v, 1.0))))
        k = np.clip(digits - 1 - mag, -300, 300)
        up, down = 10.0 ** np.maximum(k, 0), 10.0 ** np.maximum(-k, 0)
        r = np.round(v * up / down) * down / up
    r = np.where(np.isfinite(r), r, v)
    out = r.tolist()
    if finite.all():
        return out
    return [x if f else None for x, f in zip(out, finite.tolist(), strict=True)]


#: Below this a probability is written as e^(−loss): softmax underflows to 0 for a loss above
#: ~745, and "−log 0 = 6722.150" would teach that −log 0 is a number.
TINY_P = 1e-300

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_text(k: int, mantissa: str = "1") -> str:
    """``10³``, ``2.5×10⁵``, ``10⁻⁴``: a power of ten as a tick reads it."""
    power = "10" + str(k).translate(_SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa}×{power}"
