"""Conv2d forward + backward vs PyTorch (CPU, float32, 2 threads), each library in fresh processes of its own.

Input (64, 16, 28, 28), weight (32, 16, 3, 3), bias, padding 1; the step computes the output and every
gradient (input, weight, bias) from a fixed upstream gradient (goal: <= 4x PyTorch's time).

seedgrad's convolution is one im2col product (a strided view copied once into the product's layout), its
backward two more products and a col2im loop over the 9 kernel offsets; PyTorch runs its own native
kernels. Also checked: both give the same output and gradients.
"""

from __future__ import annotations

import numpy as np

from .harness import compare_in_fresh_processes, report

MODULE = "benchmarks.bench_conv"
INPUT, WEIGHT, PADDING = (64, 16, 28, 28), (32, 16, 3, 3), 1


def _arrays(seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(np.prod(WEIGHT[1:]))
    x = rng.standard_normal(INPUT, dtype=np.float32)
    w = rng.uniform(-bound, bound, WEIGHT).astype(np.float32)
    b = rng.uniform(-bound, bound, WEIGHT[0]).astype(np.float32)
    g = rng.standard_normal((INPUT[0], WEIGHT[0]) + INPUT[2:], dtype=np.float32)
    return x, w, b, g


def conv_ours():
    import nn.functional as F
    from autograd import Tensor

    x, w, b, g = _arrays()
    params = [Tensor(a, requires_grad=True) for a in (x, w, b)]

    def step():
        for p in params:
            p.grad = None
        y = F.conv2d(*params, padding=PADDING)
        y.backward(g)
        return params

    return step


def conv_torch():
    import torch

    torch.set_num_threads(2)
    x, w, b, g = _arrays()
    params = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    upstream = torch.from_numpy(g)

    def step():
        for p in params:
            p.grad = None
        y = torch.nn.functional.conv2d(*params, padding=PADDING)
        y.backward(upstream)
        return params

    return step


def same_results() -> None:
    """Both libraries compute the same output gradients (float32 rounding apart)."""
    ours, theirs = conv_ours()(), conv_torch()()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=1e-3, atol=1e-3)


def main() -> list[str]:
    try:
        import torch  # noqa: F401
    except ImportError:
        print("bench_conv: PyTorch is not installed (pip install '.[bench]'); skipped")
        return []
    same_results()
    ours, peer = compare_in_fresh_processes(MODULE, "conv_ours", "conv_torch", processes=3, repeat=7, inner=3)
    return [report("conv2d fwd+bwd (64,16,28,28)*(32,16,3,3), pad 1", ours, peer, "torch", "<= 4x")]


if __name__ == "__main__":
    main()
