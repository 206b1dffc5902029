"""Making tensors, with PyTorch's signatures: from data, constant-filled, ranges, identity, random.

Sizes are given as ``zeros(2, 3)`` or ``zeros((2, 3))``; floating results are float32 unless `dtype`
says otherwise; random functions draw from the generator seeded by `manual_seed`, or from a
``generator=Generator().manual_seed(0)`` of their own.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from . import dtypes
from .dtypes import as_dtype
from .rng import numpy_generator
from .shape import _sizes
from .tensor import Tensor, as_tensor

__all__ = ["as_tensor"]


def _size(size: tuple, op: str) -> tuple[int, ...]:
    shape = _sizes(size, op)
    if builtins.any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def _float(dtype) -> np.dtype:
    return dtypes.DEFAULT_FLOAT if dtype is None else as_dtype(dtype)


def _made(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=data.dtype)


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor from a number, a (nested) list or a numpy array (copied): Python floats make float32,
    ints int64, bools bool; numpy arrays keep their dtype (PyTorch's rules)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing the array's memory (as ``torch.from_numpy``)."""
    out = Tensor(np.empty(0, array.dtype))
    out.data = array
    return out


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _made(np.zeros(_size(size, "zeros"), dtype=_float(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    return _made(np.ones(_size(size, "ones"), dtype=_float(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uninitialized values in PyTorch; zeros here (numpy's empty memory would differ run to run)."""
    return _made(np.zeros(_size(size, "empty"), dtype=_float(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value`; the dtype follows the value (as PyTorch) unless given."""
    if dtype is None:
        dtype = dtypes.from_data(fill_value).dtype
    return _made(np.full(_size((size,), "full"), fill_value, dtype=as_dtype(dtype)), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal N(0, 1)."""
    shape = _size(size, "randn")
    return _made(numpy_generator(generator).standard_normal(shape).astype(_float(dtype)), requires_grad)


def rand(*size, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Samples of the uniform U[0, 1)."""
    shape = _size(size, "rand")
    return _made(numpy_generator(generator).random(shape).astype(_float(dtype)), requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Integers uniform in [low, high) (``randint(high, size)`` or ``randint(low, high, size)``), int64."""
    if size is None:
        if high is None or isinstance(high, numbers.Integral):
            raise TypeError("randint: a size tuple is required: randint(high, (n,)) or randint(low, high, (n,))")
        low, high, size = 0, low, high
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    data = numpy_generator(generator).integers(low, high, _size((size,), "randint"))
    return _made(data.astype(np.int64 if dtype is None else as_dtype(dtype)), requires_grad)


def randperm(n: int, *, generator=None, dtype=None) -> Tensor:
    return Tensor(numpy_generator(generator).permutation(n).astype(np.int64 if dtype is None else as_dtype(dtype)))


def normal(mean: float, std: float, size, *, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    data = numpy_generator(generator).normal(mean, std, _size((size,), "normal"))
    return _made(data.astype(_float(dtype)), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """Values in [start, end) by `step`; int64 if all of them are ints, else float32 (as PyTorch)."""
    if end is None:
        start, end = 0, start
    ints = builtins.all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = dtypes.int64 if ints else dtypes.DEFAULT_FLOAT
    return _made(np.arange(start, end, step).astype(as_dtype(dtype)), requires_grad)


def linspace(start, end, steps: int, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, both included."""
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    return _made(np.linspace(start, end, steps).astype(_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, requires_grad: bool = False) -> Tensor:
    return _made(np.eye(n, m, dtype=_float(dtype)), requires_grad)


def _like(input, dtype) -> tuple[tuple[int, ...], np.dtype]:
    data = input.data if isinstance(input, Tensor) else np.asarray(input)
    return data.shape, data.dtype if dtype is None else as_dtype(dtype)


def zeros_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(input, dtype)
    return _made(np.zeros(shape, dtype), requires_grad)


def ones_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(input, dtype)
    return _made(np.ones(shape, dtype), requires_grad)


def empty_like(input, *, dtype=None, requires_grad: bool = False) -> Tensor:
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(input, dtype)
    return _made(np.full(shape, fill_value, dtype), requires_grad)


def randn_like(input, *, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(input, dtype)
    return _made(numpy_generator(generator).standard_normal(shape).astype(dtype), requires_grad)


def rand_like(input, *, generator=None, dtype=None, requires_grad: bool = False) -> Tensor:
    shape, dtype = _like(input, dtype)
    return _made(numpy_generator(generator).random(shape).astype(dtype), requires_grad)


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Draw `num_samples` category indices per row from the (unnormalized, non-negative) weights `input`
    (1-D: one distribution; 2-D: one per row), with or without replacement, as PyTorch. int64."""
    w = np.asarray(input.data if isinstance(input, Tensor) else input, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise ValueError(f"multinomial: probability tensor must be 1-D or 2-D, got shape {w.shape}")
    rows = w.reshape(1, -1) if w.ndim == 1 else w
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise ValueError("multinomial: probability tensor contains either inf, nan or an element < 0")
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise ValueError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > np.count_nonzero(rows, axis=1).min():
        raise ValueError(f"multinomial: cannot sample n_sample={num_samples} > prob_dist.size(-1) non-zero "
                         "categories without replacement")
    rng = numpy_generator(generator)
    out = np.stack([rng.choice(len(p), size=num_samples, replace=replacement, p=p / p.sum()) for p in rows])
    return Tensor(out.reshape(num_samples) if w.ndim == 1 else out, dtype=np.int64)


def meshgrid(*tensors, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors; ``indexing="ij"`` (PyTorch's default) or ``"xy"``."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    tensors = [as_tensor(t) for t in tensors]
    if builtins.any(t.ndim != 1 for t in tensors):
        raise ValueError(f"meshgrid: expects 1-D tensors, got shapes {[tuple(t.shape) for t in tensors]}")
    shape = tuple(t.shape[0] for t in tensors)
    if indexing == "xy" and len(shape) >= 2:
        shape = (shape[1], shape[0]) + shape[2:]
    grids = []
    for i, t in enumerate(tensors):
        j = (1 - i if i < 2 else i) if indexing == "xy" and len(shape) >= 2 else i
        view = [1] * len(shape)
        view[j] = -1
        grids.append(t.reshape(view).expand(shape))
    return tuple(grids)
