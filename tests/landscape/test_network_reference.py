"""Hand-written back-propagation vs PyTorch autograd (stored fixture; torch is not imported)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from landscape.network import MLP

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "network_reference.json"
DATA = json.loads(FIXTURE.read_text())
CASES = DATA["cases"]


def test_fixture_covers_every_depth_activation_and_l2():
    assert DATA["torch"].startswith("2.13.0")
    assert {len(c["hidden"]) for c in CASES.values()} == {0, 1, 2, 3}
    assert {c["activation"] for c in CASES.values() if c["hidden"]} == {"relu", "tanh", "sigmoid"}
    assert any(c["weight_decay"] > 0 for c in CASES.values())
    assert any(len(c["hidden"]) == 3 and c["weight_decay"] > 0 for c in CASES.values())


@pytest.mark.parametrize("name", list(CASES))
def test_loss_gradient_and_probabilities_match_pytorch(name):
    case = CASES[name]
    net = MLP(np.array(case["X"]), np.array(case["y"]), tuple(case["hidden"]),
              case["activation"], case["weight_decay"], case["n_classes"])
    theta = np.array(case["params"])
    ref_grad = np.array(case["grad"])
    loss, grad = net.value_and_grad(theta)
    assert loss == pytest.approx(case["loss"], rel=1e-10)
    assert np.linalg.norm(grad - ref_grad) <= 1e-10 * np.linalg.norm(ref_grad)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-12 * np.abs(ref_grad).max())
    np.testing.assert_allclose(net.forward(theta), np.array(case["probs"]), rtol=1e-10,
                               atol=1e-15)
