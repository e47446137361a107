"""Write the PyTorch autograd reference for the hand-written network gradients.

Run from the repository root (needs torch 2.13.0 CPU; the tests themselves never import torch):

    python tests/landscape/make_network_reference.py

For each case it draws fixed data and parameters with NumPy, builds the same network with
``torch.nn.Linear`` layers in float64 (weights (out, in), flattened weight-then-bias per layer, the
layout of ``landscape.network.MLP``), computes the mean cross-entropy plus
(weight_decay / 2) * sum ||W||^2 over weight matrices only, and stores the loss, the autograd
gradient of the flat vector and the softmax probabilities in ``fixtures/network_reference.json``.
JSON floats are written with ``repr`` precision, so they round-trip exactly.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent / "fixtures" / "network_reference.json"

# name, hidden widths, activation, weight decay, classes, samples
CASES = [
    ("linear_3class", (), "relu", 0.0, 3, 17),
    ("linear_l2", (), "tanh", 0.05, 2, 12),
    ("ann_tanh", (7,), "tanh", 0.0, 2, 20),
    ("ann_sigmoid_l2", (6,), "sigmoid", 0.1, 3, 15),
    ("dnn_relu", (8, 6), "relu", 0.0, 2, 25),
    ("dnn_relu_l2", (5, 4), "relu", 0.02, 4, 19),
    ("deep3_tanh_l2", (5, 4, 3), "tanh", 0.01, 3, 16),
    ("deep3_sigmoid", (4, 6, 5), "sigmoid", 0.0, 2, 14),
    ("deep3_relu_l2", (6, 5, 4), "relu", 0.3, 3, 21),
]

ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def reference(hidden, activation, weight_decay, n_classes, n_samples, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 2))
    y = np.arange(n_samples) % n_classes
    rng.shuffle(y)
    sizes = (2, *hidden, n_classes)
    layers = [torch.nn.Linear(i, o, dtype=torch.float64) for i, o in itertools.pairwise(sizes)]
    with torch.no_grad():
        for layer in layers:
            layer.weight.copy_(torch.from_numpy(rng.normal(0, 0.9, tuple(layer.weight.shape))))
            layer.bias.copy_(torch.from_numpy(rng.normal(0, 0.5, tuple(layer.bias.shape))))
    a = torch.from_numpy(X)
    for layer in layers[:-1]:
        a = ACTIVATIONS[activation](layer(a))
    logits = layers[-1](a)
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    loss = loss + 0.5 * weight_decay * sum((layer.weight**2).sum() for layer in layers)
    loss.backward()
    params, grads = [], []
    for layer in layers:
        for p in (layer.weight, layer.bias):
            params.append(p.detach().numpy().ravel())
            grads.append(p.grad.numpy().ravel())
    return {
        "hidden": list(hidden), "activation": activation, "weight_decay": weight_decay,
        "n_classes": n_classes, "X": X.tolist(), "y": y.tolist(),
        "params": np.concatenate(params).tolist(), "loss": loss.item(),
        "grad": np.concatenate(grads).tolist(),
        "probs": torch.softmax(logits, dim=1).detach().numpy().tolist(),
    }


def main() -> None:
    torch.set_default_dtype(torch.float64)
    cases = {name: reference(h, act, wd, k, n, seed)
             for seed, (name, h, act, wd, k, n) in enumerate(CASES)}
    payload = {"generator": "tests/landscape/make_network_reference.py",
               "torch": torch.__version__, "cases": cases}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
