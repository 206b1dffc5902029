"""Making tensors: from data, constant-filled, ranges, identity, random (seeded by `manual_seed`)."""

from __future__ import annotations

import numbers

import numpy as np

from .rng import default_generator
from .tensor import Tensor


def _shape(shape: tuple) -> tuple[int, ...]:
    """Accept ``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    if not all(isinstance(n, numbers.Integral) and n >= 0 for n in shape):
        raise ValueError(f"shape must be non-negative integers, got {shape}")
    return tuple(int(n) for n in shape)


def _float(dtype) -> np.dtype:
    return np.dtype(np.float32 if dtype is None else dtype)


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """A tensor from a number, a (nested) list or a numpy array (copied)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=_float(dtype)), requires_grad=requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=_float(dtype)), requires_grad=requires_grad)


def randn(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal N(0, 1)."""
    return Tensor(default_generator().standard_normal(_shape(shape)).astype(_float(dtype)), requires_grad=requires_grad)


def rand(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """Samples of the uniform U[0, 1)."""
    return Tensor(default_generator().random(_shape(shape)).astype(_float(dtype)), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop), as ``np.arange`` (float32 unless `dtype`)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    return Tensor(values.astype(_float(dtype)), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.eye(n, m, dtype=_float(dtype)), requires_grad=requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return Tensor(np.zeros_like(data, dtype=dtype), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return Tensor(np.ones_like(data, dtype=dtype), requires_grad=requires_grad)
