"""Scalar engine vs micrograd: one full training step of micrograd's demo, same harness, same process.

The step (micrograd's demo.ipynb): MLP(2, [16, 16, 1]) over 100 moons points, forward, SVM loss
mean(relu(1 - y * score)) + 1e-4 * sum(p^2), zero_grad, backward, SGD update; about 66,000 nodes.
Goal: at least 10x faster than micrograd (installed from PyPI). The two libraries train in
alternating blocks of consecutive steps, as in a real training loop, so that each pays for its own
garbage collection (micrograd's closures form reference cycles that only the cyclic collector
frees; seedgrad's graphs are freed by reference counting); what the other left behind is collected
before a block starts, outside the timing. The median step is reported. Measured twice: in this
clean process, and again after importing torch and matplotlib, as in a notebook, where every full
garbage collection has far more objects to walk.
"""

from __future__ import annotations

import gc
import time

import numpy as np

import autograd
import nn.scalar
from nn.data import make_moons

from .harness import report


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


def timed_blocks(contenders: dict, blocks: int, steps: int = 4) -> dict:
    """Median seconds per step of each contender, over alternating blocks of consecutive steps."""
    times = {name: [] for name in contenders}
    for _ in range(blocks):
        for name, step in contenders.items():
            gc.collect()
            for _ in range(steps):
                start = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - start)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def main(blocks: int = 5) -> list[str]:
    try:
        import micrograd.engine
        import micrograd.nn
    except ImportError:
        print("bench_scalar: micrograd is not installed (pip install '.[bench]'); skipped")
        return []
    X, y = make_moons(100, noise=0.1, random_state=1)
    X, y = X.tolist(), (2 * y - 1).tolist()
    autograd.manual_seed(1)
    ours = nn.scalar.MLP(2, [16, 16, 1])
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    contenders = {
        "seedgrad": lambda: training_step(ours, autograd.Value, X, y),
        "micrograd": lambda: training_step(theirs, micrograd.engine.Value, X, y),
    }
    nodes = len(autograd.topological_order(_loss_graph(ours, X, y)))
    lines = []
    t = timed_blocks(contenders, blocks)
    lines.append(report(f"scalar: demo step ({nodes} nodes), clean process", t["seedgrad"], t["micrograd"],
                        "micrograd", "ratio <= 0.1x"))
    try:
        import matplotlib.pyplot  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return lines
    t = timed_blocks(contenders, blocks)
    lines.append(report("scalar: demo step, torch+matplotlib imported", t["seedgrad"], t["micrograd"],
                        "micrograd", "ratio <= 0.1x"))
    return lines


def _loss_graph(model, X, y):
    scores = [model([autograd.Value(a) for a in row]) for row in X]
    return sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(X))


if __name__ == "__main__":
    main()
