"""Reductions: sum, mean, prod, var/std, max/min, logsumexp, cumsum, argmax, any/all.

PyTorch's signatures: ``sum(input, dim=None, keepdim=False)``, with numpy's ``axis=``/``keepdims=``
accepted as aliases; `dim` is an int or a tuple of ints. A reduction's backward gives the output
gradient back the reduced dimensions (as size 1) so that it broadcasts over them.
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from . import dtypes
from .elementwise import cast, sqrt
from .function import Function
from .shape import DimensionError, normalize_dim
from .tensor import Tensor, attach_methods, constant

values_indices = namedtuple("values_indices", ["values", "indices"])  # torch.return_types.max & co


def _dims(input: Tensor, dim, axis, op: str) -> tuple[int, ...]:
    """The reduced dimensions, non-negative (all of them for None); `axis` is numpy's name for `dim`."""
    if axis is not None:
        if dim is not None and dim != axis:
            raise ValueError(f"{op}: give dim or axis (an alias), not both")
        dim = axis
    ndim = input.data.ndim
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, list | tuple):
        dims = tuple(normalize_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise ValueError(f"{op}: dim {tuple(dim)} names a dimension twice")
        return dims if ndim else ()
    d = normalize_dim(dim, ndim, op)
    return (d,) if ndim else ()  # a 0-d tensor takes dim 0 or -1 (as PyTorch) and has nothing to reduce


def _keep(keepdim: bool, keepdims: bool | None) -> bool:
    return bool(keepdim if keepdims is None else keepdims)


def _expand(g: np.ndarray, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """The output gradient with the reduced dimensions back, as size 1."""
    if keepdim:
        return g
    shape = list(g.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    return g.reshape(shape)  # (np.expand_dims would do, but it grows numpy's caches for ~2000 calls)


def _input(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


class Sum(Function):
    """d(Σ x)/dx_i = 1: the output gradient is copied back to every summed entry."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.save_for_backward(x.shape, dims, keepdim)
        return x.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        shape, dims, keepdim = ctx.saved_tensors
        return np.broadcast_to(_expand(g, dims, keepdim), shape)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    input = _input(input)
    if dtype is not None:
        input = cast(input, dtype)
    elif input.data.dtype.kind in "bi" and input.data.dtype != dtypes.int64:  # as PyTorch: integers sum to int64
        input = cast(input, dtypes.int64)
    return Sum.apply(input, _dims(input, dim, axis, "sum"), _keep(keepdim, keepdims))


def mean(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    """Σ x / n over `dim`; the mean of nothing is nan, as PyTorch."""
    input = _input(input)
    if dtype is not None:
        input = cast(input, dtype)
    if input.data.dtype.kind != "f":
        raise dtypes.DtypeError(f"mean: input dtype should be floating point, got {input.dtype} "
                        "(as PyTorch; call .float() first or pass dtype=)")
    dims = _dims(input, dim, axis, "mean")
    count = 1
    for d in dims:
        count *= input.shape[d]
    total = Sum.apply(input, dims, _keep(keepdim, keepdims))
    return total / float(count) if count else total * float("nan")


class Prod(Function):
    """d(Π x)/dx_i = Π_{j≠i} x_j (products of the others, exact also where some x_j = 0)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.save_for_backward(x, dim, keepdim)
        return x.prod() if dim is None else x.prod(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        x, dim, keepdim = ctx.saved_tensors
        flat = dim is None
        xs = x.reshape(-1) if flat else x
        axis = 0 if flat else dim
        if xs.shape[axis] == 0:  # the empty product is the constant 1: nothing to give back
            return np.zeros(x.shape, g.dtype)
        ones = np.ones_like(np.take(xs, [0], axis=axis))
        before = np.cumprod(np.concatenate([ones, np.take(xs, range(xs.shape[axis] - 1), axis=axis)], axis), axis)
        after = np.flip(np.cumprod(np.concatenate(
            [ones, np.take(np.flip(xs, axis), range(xs.shape[axis] - 1), axis=axis)], axis), axis), axis)
        others = (before * after).reshape(x.shape) if flat else before * after
        return (g if flat or keepdim else np.expand_dims(g, dim)) * others


def prod(input, dim: int | None = None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None) -> Tensor:
    input = _input(input)
    if dtype is not None:
        input = cast(input, dtype)
    dims = _dims(input, dim, axis, "prod")
    d = dims[0] if (dim is not None or axis is not None) and dims else None  # None: all (or a 0-d tensor)
    return Prod.apply(input, d, _keep(keepdim, keepdims))


def _correction(correction, unbiased, op: str) -> float:
    if unbiased is not None:
        if correction is not None:
            raise ValueError(f"{op}: give correction or unbiased, not both")
        return 1.0 if unbiased else 0.0
    return 1.0 if correction is None else float(correction)


def var(input, dim=None, *args, correction=None, keepdim: bool = False, unbiased: bool | None = None,
        axis=None, keepdims=None) -> Tensor:
    """Σ (x - mean)^2 / (n - correction): correction=1 (the default, as PyTorch) is the unbiased sample
    variance, correction=0 the biased (population) one. n - correction <= 0 gives nan or inf, as PyTorch.
    PyTorch's older form ``var(dim, unbiased, keepdim)`` is accepted too."""
    unbiased, keepdim = _old_form(args, unbiased, keepdim, "var")
    return _variance(input, dim, correction, keepdim, unbiased, axis, keepdims, "var")


def _old_form(args: tuple, unbiased, keepdim, op: str):
    """``var(x, 0, True)``, ``std(x, 1, False, True)``: PyTorch's positional (unbiased, keepdim)."""
    if len(args) > 2:
        raise TypeError(f"{op}: takes (dim, unbiased, keepdim) positionally at most, got {len(args) + 1} arguments")
    if args:
        unbiased = bool(args[0])
    if len(args) == 2:
        keepdim = bool(args[1])
    return unbiased, keepdim


def _variance(input, dim, correction, keepdim, unbiased, axis, keepdims, op: str) -> Tensor:
    if isinstance(dim, bool):  # var(x, False): PyTorch's old positional `unbiased`
        unbiased, dim = dim, None
    input = _input(input)
    c = _correction(correction, unbiased, op)
    dims = _dims(input, dim, axis, op)
    keep = _keep(keepdim, keepdims)
    count = 1
    for d in dims:
        count *= input.shape[d]
    dev = input - mean(input, dims, keepdim=True)
    return Sum.apply(dev * dev, dims, keep) / float(builtins.max(count - c, 0))


def std(input, dim=None, *args, correction=None, keepdim: bool = False, unbiased: bool | None = None,
        axis=None, keepdims=None) -> Tensor:
    """√var (see `var`; unbiased by default, as PyTorch)."""
    unbiased, keepdim = _old_form(args, unbiased, keepdim, "std")
    return sqrt(_variance(input, dim, correction, keepdim, unbiased, axis, keepdims, "std"))


class Amax(Function):
    """max over dims; the gradient goes to the maximal entries, split evenly among ties (PyTorch's amax)."""

    name = "amax"

    @staticmethod
    def forward(ctx, x, dims, keepdim, pick):
        m = pick(x, axis=dims, keepdims=True)
        ctx.save_for_backward(x, m, dims, keepdim)
        return m if keepdim else m.reshape([n for i, n in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx, g):
        x, m, dims, keepdim = ctx.saved_tensors
        hit = (x == m) | (np.isnan(x) & np.isnan(m))
        return hit * (_expand(g, dims, keepdim) / hit.sum(axis=dims, keepdims=True))


class MaxAlongDim(Function):
    """max(dim) / min(dim) values: the gradient goes to the entry at the returned index (as PyTorch)."""

    name = "max"

    @staticmethod
    def forward(ctx, x, dim, keepdim, indices):
        values = np.take_along_axis(x, np.expand_dims(indices, dim), dim)
        ctx.save_for_backward(x.shape, dim, keepdim, indices)
        return values if keepdim else values.squeeze(dim)

    @staticmethod
    def backward(ctx, g):
        shape, dim, keepdim, indices = ctx.saved_tensors
        out = np.zeros(shape, g.dtype)
        np.put_along_axis(out, np.expand_dims(indices, dim), g if keepdim else np.expand_dims(g, dim), dim)
        return out


def _check_not_empty(input: Tensor, dims, op: str) -> None:
    if builtins.any(input.shape[d] == 0 for d in dims) or (not dims and input.numel() == 0):
        raise IndexError(f"{op}: cannot reduce over a dimension of size 0 (tensor of shape {tuple(input.shape)}); "
                         "the operation has no identity")


def _extremum(input, dim, keepdim, axis, keepdims, op: str, pick, arg):
    input = _input(input)
    if isinstance(dim, Tensor):  # max(a, b): the elementwise form, as torch.max(input, other)
        from .elementwise import maximum, minimum
        return (maximum if op == "max" else minimum)(input, dim)
    keep = _keep(keepdim, keepdims)
    if dim is None and axis is None:
        _check_not_empty(input, (), op)
        return Amax.apply(input, tuple(range(input.ndim)), False, pick)
    if not _dims(input, dim, axis, op):  # a 0-d tensor: itself, at index 0
        return values_indices(Amax.apply(input, (), keep, pick), constant(np.zeros((), np.int64)))
    (d,) = _dims(input, dim, axis, op)
    _check_not_empty(input, (d,), op)
    indices = arg(input.data, axis=d)
    values = MaxAlongDim.apply(input, d, keep, indices)
    return values_indices(values, constant(np.expand_dims(indices, d) if keep else indices))


def max(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The largest entry; with `dim`, ``(values, indices)`` along it (as PyTorch)."""
    return _extremum(input, dim, keepdim, axis, keepdims, "max", np.max, _nanargmax)


def min(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The smallest entry; with `dim`, ``(values, indices)`` along it (as PyTorch)."""
    return _extremum(input, dim, keepdim, axis, keepdims, "min", np.min, _nanargmin)


def _nanargmax(x, axis):
    """argmax where a NaN wins (NaN propagates through max, as PyTorch)."""
    return np.where(np.isnan(x).any(axis=axis), np.argmax(np.isnan(x), axis=axis), np.argmax(x, axis=axis)) \
        if x.dtype.kind == "f" else np.argmax(x, axis=axis)


def _nanargmin(x, axis):
    return np.where(np.isnan(x).any(axis=axis), np.argmax(np.isnan(x), axis=axis), np.argmin(x, axis=axis)) \
        if x.dtype.kind == "f" else np.argmin(x, axis=axis)


def amax(input, dim=(), keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """The largest entries over `dim` (all dims by default); ties share the gradient evenly."""
    input = _input(input)
    dims = _dims(input, None if dim == () else dim, axis, "amax")
    _check_not_empty(input, dims, "amax")
    return Amax.apply(input, dims, _keep(keepdim, keepdims), np.max)


def amin(input, dim=(), keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    input = _input(input)
    dims = _dims(input, None if dim == () else dim, axis, "amin")
    _check_not_empty(input, dims, "amin")
    return Amax.apply(input, dims, _keep(keepdim, keepdims), np.min)


def argmax(input, dim: int | None = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    """Index of the largest entry (of the flattened tensor when `dim` is None); the first on ties."""
    return _arg(input, dim, keepdim, axis, keepdims, "argmax", _nanargmax)


def argmin(input, dim: int | None = None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    return _arg(input, dim, keepdim, axis, keepdims, "argmin", _nanargmin)


def _arg(input, dim, keepdim, axis, keepdims, op, arg) -> Tensor:
    input = _input(input)
    keep = _keep(keepdim, keepdims)
    if dim is None and axis is None:
        _check_not_empty(input, (), op)
        i = arg(input.data.reshape(-1), axis=0)
        return constant(np.asarray(i, dtype=np.int64).reshape((1,) * input.ndim if keep else ()))
    if not _dims(input, dim, axis, op):  # a 0-d tensor: index 0
        return constant(np.zeros((), np.int64))
    (d,) = _dims(input, dim, axis, op)
    _check_not_empty(input, (d,), op)
    i = arg(input.data, axis=d).astype(np.int64)
    return constant(np.expand_dims(i, d) if keep else i)


class Logsumexp(Function):
    """log Σ e^x, computed as m + log Σ e^(x - m) with m = max x (finite at ±1e4); d/dx = softmax(x)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        m = np.max(x, axis=dims, keepdims=True, initial=-np.inf)  # an empty sum: log 0 = -inf, as PyTorch
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore", over="ignore"):  # log 0 = -inf; NaN input: e^(nan) may overflow, NaN anyway
            out = np.log(np.exp(x - m).sum(axis=dims, keepdims=True)) + m
        ctx.save_for_backward(x, out, dims, keepdim)
        return out if keepdim else out.reshape([n for i, n in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx, g):
        x, out, dims, keepdim = ctx.saved_tensors
        return _expand(g, dims, keepdim) * np.exp(x - out)


def logsumexp(input, dim, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    input = _input(input)
    if input.data.dtype.kind != "f":
        input = cast(input, dtypes.DEFAULT_FLOAT)
    return Logsumexp.apply(input, _dims(input, dim, axis, "logsumexp"), _keep(keepdim, keepdims))


class Cumsum(Function):
    """y_i = Σ_{j<=i} x_j: dL/dx_j = Σ_{i>=j} dL/dy_i, the reversed cumulative sum of the gradient."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.save_for_backward(dim)
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        (dim,) = ctx.saved_tensors
        return np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim)


def cumsum(input, dim: int, *, dtype=None, axis=None) -> Tensor:
    input = _input(input)
    if dtype is not None:
        input = cast(input, dtype)
    elif input.data.dtype.kind in "bi" and input.data.dtype != dtypes.int64:
        input = cast(input, dtypes.int64)
    if not _dims(input, dim, axis, "cumsum"):  # a 0-d tensor: its own cumulative sum
        return Cumsum.apply(input.reshape(1), 0).reshape(())
    (d,) = _dims(input, dim, axis, "cumsum")
    return Cumsum.apply(input, d)


def any(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    input = _input(input)
    return constant(np.any(input.data, axis=_dims(input, dim, axis, "any"), keepdims=_keep(keepdim, keepdims)))


def all(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None) -> Tensor:
    input = _input(input)
    return constant(np.all(input.data, axis=_dims(input, dim, axis, "all"), keepdims=_keep(keepdim, keepdims)))


def count_nonzero(input, dim=None) -> Tensor:
    input = _input(input)
    return constant(np.count_nonzero(input.data, axis=_dims(input, dim, None, "count_nonzero")).astype(np.int64))


def norm(input, p=2, dim=None, keepdim: bool = False) -> Tensor:
    """The p-norm (p = 2 by default: √Σ x²), composed from primitives."""
    _dims(_input(input), dim, None, "norm")  # a bad dim is named as the user wrote it
    if p == 2 or p == "fro":
        return sqrt(sum(input * input, dim, keepdim))
    if p == 1:
        return sum(input.abs(), dim, keepdim)
    if p == float("inf"):
        return amax(input.abs(), () if dim is None else dim, keepdim)
    return sum(input.abs() ** p, dim, keepdim) ** (1.0 / p)


__all__ = ["DimensionError"]

attach_methods({
    "sum": sum, "mean": mean, "prod": prod, "var": var, "std": std, "max": max, "min": min,
    "amax": amax, "amin": amin, "argmax": argmax, "argmin": argmin, "logsumexp": logsumexp,
    "cumsum": cumsum, "any": any, "all": all, "count_nonzero": count_nonzero, "norm": norm,
})
