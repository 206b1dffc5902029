"""Scalar engine vs micrograd: one full training step of micrograd's demo, same harness, fresh processes.

The step (micrograd's demo.ipynb): MLP(2, [16, 16, 1]) over 100 moons points, forward, SVM loss
mean(relu(1 - y * score)) + 1e-4 * sum(p^2), zero_grad, backward, SGD update; about 66,000 nodes.
Goal: at least 10x faster than micrograd (installed from PyPI). Each library trains in fresh
processes of its own, consecutive steps as in a real training loop, so that each pays for its own
garbage collection (micrograd's closures form reference cycles that only the cyclic collector
frees; seedgrad's graphs are freed by reference counting). The median step is reported. Measured
twice: in clean processes, and again after importing torch and matplotlib, as in a notebook, where
every full garbage collection has far more objects to walk.
"""

from __future__ import annotations

import autograd
import nn.scalar
from nn.data import make_moons

from .harness import compare_in_fresh_processes, report

MODULE = "benchmarks.bench_scalar"


def training_step(model, value_type, X: list, y: list, lr: float = 0.1):
    """micrograd's demo loop body, written once for both libraries."""
    inputs = [[value_type(a) for a in row] for row in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def _data() -> tuple[list, list]:
    X, y = make_moons(100, noise=0.1, random_state=1)
    return X.tolist(), (2 * y - 1).tolist()


def step_ours():
    X, y = _data()
    autograd.manual_seed(1)
    model = nn.scalar.MLP(2, [16, 16, 1])
    return lambda: training_step(model, autograd.Value, X, y)


def step_micrograd():
    import micrograd.engine
    import micrograd.nn

    X, y = _data()
    model = micrograd.nn.MLP(2, [16, 16, 1])
    return lambda: training_step(model, micrograd.engine.Value, X, y)


def _with_big_imports(factory):
    """The same step in a process that has also imported torch and matplotlib, as a notebook has."""
    def make():
        import matplotlib.pyplot  # noqa: F401
        import torch  # noqa: F401

        return factory()
    return make


step_ours_heavy, step_micrograd_heavy = _with_big_imports(step_ours), _with_big_imports(step_micrograd)


def main() -> list[str]:
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("bench_scalar: micrograd is not installed (pip install '.[bench]'); skipped")
        return []
    X, y = _data()
    autograd.manual_seed(1)
    model = nn.scalar.MLP(2, [16, 16, 1])
    scores = [model([autograd.Value(a) for a in row]) for row in X]
    nodes = len(autograd.topological_order(sum((1 + -yi * si).relu() for yi, si in zip(y, scores))))
    lines = []
    ours, peer = compare_in_fresh_processes(MODULE, "step_ours", "step_micrograd", processes=3, repeat=5)
    lines.append(report(f"scalar: demo step ({nodes} nodes), clean processes", ours, peer, "micrograd",
                        "ratio <= 0.1x"))
    try:
        import matplotlib  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return lines
    ours, peer = compare_in_fresh_processes(MODULE, "step_ours_heavy", "step_micrograd_heavy", processes=2,
                                            repeat=5)
    lines.append(report("scalar: the same, torch+matplotlib imported", ours, peer, "micrograd", "information"))
    return lines


if __name__ == "__main__":
    main()
