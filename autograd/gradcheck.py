"""Check backpropagation against the definition of the derivative.

The central difference (f(x + eps) - f(x - eps)) / (2 eps) approximates df/dx with an error of
order eps^2 (truncation) plus machine-epsilon / eps (round-off), which is why the check needs
float64 and eps near 1e-6 (PyTorch's defaults, torch.autograd.gradcheck).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .engine import no_grad
from .tensor import Tensor
from .value import Value


class GradcheckError(RuntimeError):
    """Backpropagation and finite differences disagree."""


def _check_input(x, i: int) -> None:
    if isinstance(x, Value):
        return
    if not isinstance(x, Tensor):
        raise TypeError(f"gradcheck: input {i} must be a Value or a Tensor, got {type(x).__name__}")
    if x.dtype != np.float64:
        raise TypeError(f"gradcheck: input {i} is {x.dtype}; finite differences need float64 tensors")
    if not x.requires_grad:
        raise ValueError(f"gradcheck: input {i} has requires_grad=False, so it has no gradient to check")


def _scalar(out, weights: np.ndarray | None):
    """f's output reduced to one number: itself if it is one, else sum(w * f) for fixed random
    weights w. That checks the whole Jacobian at once: a wrong entry goes unnoticed only if the
    random weights happen to cancel it exactly, which has probability 0."""
    if isinstance(out, Value):
        return out
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Value or a Tensor, got {type(out).__name__}")
    return (out * weights).sum() if weights is not None else out.sum()


def gradcheck(fn: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True if the gradients backpropagation gives for ``fn(*inputs)`` match central differences,
    |analytic - numeric| <= atol + rtol * |numeric| for every entry of every input; otherwise a
    GradcheckError naming the input, the entry and both numbers.

    >>> x = Tensor(np.random.randn(3, 4), requires_grad=True, dtype=np.float64)
    >>> gradcheck(lambda t: t.tanh().sum(), [x])
    True
    """
    inputs = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
    for i, x in enumerate(inputs):
        _check_input(x, i)
    saved = [x.grad for x in inputs]
    out = fn(*inputs)
    weights = None
    if isinstance(out, Tensor) and out.numel() > 1:
        weights = np.random.default_rng(0).standard_normal(out.shape)
    for x in inputs:
        x.zero_grad()
    try:
        _scalar(out, weights).backward()
        analytic = [np.zeros(np.shape(x.data)) if x.grad is None else np.array(x.grad, dtype=np.float64)
                    for x in inputs]
    finally:
        for x, grad in zip(inputs, saved):
            x.grad = grad

    def f() -> float:
        with no_grad():
            return float(np.asarray(_scalar(fn(*inputs), weights).data))

    of = "the output" if weights is None else "sum(w * output) for fixed random weights w"
    for i, (x, grad) in enumerate(zip(inputs, analytic)):
        original = x.data
        try:
            for index in np.ndindex(np.shape(original)):
                values = []
                for step in (eps, -eps):
                    moved = np.array(original, dtype=np.float64)
                    moved[index] += step
                    x.data = float(moved) if isinstance(x, Value) else moved
                    values.append(f())
                numeric = (values[0] - values[1]) / (2 * eps)
                if not abs(grad[index] - numeric) <= atol + rtol * abs(numeric):
                    where = f" entry {index}" if index else ""
                    raise GradcheckError(
                        f"gradcheck: the derivative of {of} with respect to input {i}{where}: backpropagation "
                        f"gives {grad[index]:.8g} but finite differences give {numeric:.8g} "
                        f"(atol={atol}, rtol={rtol})")
        finally:
            x.data = original  # as it was, even when fn fails or the check does
    return True
