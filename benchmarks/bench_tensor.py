"""Tensor engine vs PyTorch (CPU, float32, 2 threads), each in fresh processes of its own.

- an MLP 784-256-128-10 training step, batch 128: forward, cross-entropy written with the same
  elementary ops in both libraries (max-shift, exp, sum, log, integer-array gather, mean), backward,
  plain SGD update (goal: <= 1.25x PyTorch's step time);
- dispatch overhead: 1000 x (y = y * 1.0001 + 0.0001) on a 10-element tensor, then
  y.sum().backward() (goal: <= 1.5x PyTorch);
- a 10^5-deep chain backpropagates (no recursion limit).

The dispatch benchmark is also run with both libraries in one process, for information: there our
~2,000 graph nodes per call make Python's cyclic garbage collector walk PyTorch's objects too.
"""

from __future__ import annotations

import time

import numpy as np

from autograd import Tensor

from .harness import compare, compare_in_fresh_processes, report

MODULE = "benchmarks.bench_tensor"
SIZES = (784, 256, 128, 10)
BATCH = 128


def _weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params += [rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32),
                   rng.uniform(-bound, bound, fan_out).astype(np.float32)]
    return params


def _batch(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], BATCH)


def mlp_step_ours(lr: float = 0.01):
    params = [Tensor(w, requires_grad=True) for w in _weights()]
    xb, yb = _batch()
    x, rows = Tensor(xb), np.arange(BATCH)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        z = h - h.amax(dim=1, keepdim=True).detach()
        logp = z - z.exp().sum(dim=1, keepdim=True).log()
        loss = -logp[rows, yb].mean()
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return loss

    return step


def mlp_step_torch(lr: float = 0.01):
    import torch

    torch.set_num_threads(2)
    params = [torch.tensor(w, requires_grad=True) for w in _weights()]
    xb, yb = _batch()
    x, rows, y = torch.tensor(xb), torch.arange(BATCH), torch.tensor(yb)

    def step():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = h.relu()
        z = h - h.max(dim=1, keepdim=True).values.detach()
        logp = z - z.exp().sum(dim=1, keepdim=True).log()
        loss = -logp[rows, y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss

    return step


def dispatch_ours():
    y0 = Tensor(np.ones(10, dtype=np.float32), requires_grad=True)

    def run():
        y = y0
        for _ in range(1000):
            y = y * 1.0001 + 0.0001
        y.sum().backward()

    return run


def dispatch_torch():
    import torch

    torch.set_num_threads(2)
    y0 = torch.ones(10, requires_grad=True)

    def run():
        y = y0
        for _ in range(1000):
            y = y * 1.0001 + 0.0001
        y.sum().backward()

    return run


def deep_chain(depth: int = 100_000) -> float:
    x = Tensor(np.ones(3, dtype=np.float64), requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(depth):
        y = y * 1.0
    y.sum().backward()
    assert np.array_equal(x.grad, np.ones(3))
    return time.perf_counter() - start


def main() -> list[str]:
    lines = []
    try:
        import torch  # noqa: F401
    except ImportError:
        print("bench_tensor: PyTorch is not installed (pip install '.[bench]'); only the deep chain runs")
    else:
        ours, peer = compare_in_fresh_processes(MODULE, "mlp_step_ours", "mlp_step_torch", repeat=9, inner=20)
        lines.append(report("tensor: MLP 784-256-128-10 step, batch 128", ours, peer, "torch", "<= 1.25x"))
        ours, peer = compare_in_fresh_processes(MODULE, "dispatch_ours", "dispatch_torch", repeat=9, inner=5)
        lines.append(report("tensor: 1000 x (y*1.0001+0.0001) + backward", ours, peer, "torch", "<= 1.5x"))
        ours, peer = compare(dispatch_ours(), dispatch_torch(), rounds=9, inner=5)
        lines.append(report("tensor: the same, both in one process", ours, peer, "torch", "information"))
    seconds = deep_chain()
    line = f"{'tensor: 10^5-deep chain forward+backward':<52} seedgrad {seconds:8.3f} s    (no RecursionError)"
    print(line)
    lines.append(line)
    return lines


if __name__ == "__main__":
    main()
