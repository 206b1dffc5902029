"""Indexing: picking entries out of a tensor, and putting gradients back where they came from.

``x[index]`` (ints, slices, None, Ellipsis, integer arrays/tensors, boolean masks), gather,
index_select, masked_fill, tril/triu, sort/argsort/topk, one_hot. Picked entries' gradients are
scattered back with ``np.add.at``, so an entry picked twice receives both shares.
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .dtypes import DtypeError
from .engine import is_grad_enabled
from .function import Function
from .shape import DimensionError, normalize_dim
from .tensor import Tensor, attach_methods, constant


class IndexOutOfRange(IndexError, ValueError):
    """An index outside a dimension: an IndexError as in PyTorch, a ValueError: bad input."""


def _plain_index(index):
    """Tensors inside an index become their numpy arrays; lists of ints become integer arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(_plain_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


class Index(Function):
    """out = x[index]: the gradient is scattered back, summed over repeated indices (np.add.at)."""

    name = "getitem"

    @staticmethod
    def forward(ctx, x, index):
        ctx.save_for_backward(x.shape, index)
        out = x[index]
        return out

    @staticmethod
    def backward(ctx, g):
        shape, index = ctx.saved_tensors
        full = np.zeros(shape, g.dtype)
        np.add.at(full, index, g)
        return full


def getitem(input: Tensor, index) -> Tensor:
    index = _plain_index(index)
    parts = index if isinstance(index, tuple) else (index,)
    for i in parts:
        if isinstance(i, np.ndarray) and i.dtype.kind == "f":
            raise IndexError(f"getitem: tensors used as indices must be long, int or bool tensors, got dtype "
                             f"{i.dtype} (make index tensors with dtype=autograd.long)")
    try:
        input.data[index]
    except IndexError as e:
        raise IndexOutOfRange(f"getitem: {e} (tensor of shape {tuple(input.shape)})") from None
    return Index.apply(input, index)


def _setitem(input: Tensor, index, value) -> None:
    """``x[index] = value`` in place (outside the graph; the version is bumped)."""
    if isinstance(value, Tensor) and value.requires_grad and is_grad_enabled():
        # PyTorch records this (CopySlices); here it would drop value's gradient without a word.
        raise RuntimeError(
            "setitem: x[index] = value where value requires grad is not recorded in seedgrad's graph, so its "
            "gradient would be lost; build the result out of place instead (autograd.where(mask, value, x), "
            "masked_fill, cat or stack), or assign value.detach() if no gradient is wanted")
    new = input.data.copy()
    new[_plain_index(index)] = value.data if isinstance(value, Tensor) else value
    input._write("setitem", new)


class Gather(Function):
    """out[i][j] = x[i][index[i][j]] along `dim`: the gradient is scattered back to those entries."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.save_for_backward(x.shape, dim, index)
        return np.take_along_axis(x, index, dim)

    @staticmethod
    def backward(ctx, g):
        shape, dim, index = ctx.saved_tensors
        full = np.zeros(shape, g.dtype)
        np.add.at(full, _along(index, dim), g)
        return full


def _along(index: np.ndarray, dim: int) -> tuple:
    """Open-grid coordinates that address ``x[..., index, ...]`` entry by entry along `dim`."""
    grid = list(np.ogrid[tuple(slice(n) for n in index.shape)])
    grid[dim] = index
    return tuple(grid)


def _integer_index(index, op: str) -> np.ndarray:
    idx = np.asarray(index.data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise DtypeError(f"{op}: index must be an integer (long) tensor, got dtype {idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _check_range(idx: np.ndarray, n: int, op: str, what: str) -> None:
    """Indices in [0, n): gather and index_select take no negative indices (as PyTorch; a wrapped -1
    would hide a bug such as an ignore_index that was never masked)."""
    bad = idx[(idx < 0) | (idx >= n)]
    if bad.size:
        raise IndexOutOfRange(f"{op}: index {bad.flat[0]} is out of bounds for {what} with size {n}")


def gather(input: Tensor, dim: int, index) -> Tensor:
    d = normalize_dim(dim, input.ndim, "gather")
    idx = _integer_index(index, "gather")
    if idx.ndim != input.ndim:
        raise ValueError(f"gather: index of shape {idx.shape} must have as many dimensions as the input "
                         f"of shape {tuple(input.shape)}")
    if builtins.any(i > n for k, (i, n) in enumerate(zip(idx.shape, input.shape)) if k != d):
        raise ValueError(f"gather: index of shape {idx.shape} is larger than the input of shape "
                         f"{tuple(input.shape)} outside dimension {dim}")
    _check_range(idx, input.shape[d], "gather", f"dimension {dim}")
    if builtins.any(i < n for k, (i, n) in enumerate(zip(idx.shape, input.shape)) if k != d):
        input = input[tuple(slice(i) if k != d else slice(None) for k, i in enumerate(idx.shape))]
    return Gather.apply(input, d, idx)


def index_select(input: Tensor, dim: int, index) -> Tensor:
    d = normalize_dim(dim, input.ndim, "index_select")
    idx = _integer_index(index, "index_select").reshape(-1)
    _check_range(idx, input.shape[d], "index_select", f"dimension {dim}")
    return getitem(input, (slice(None),) * d + (idx,))


class MaskedFill(Function):
    """x where not mask, else the value: no gradient reaches the filled entries."""

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return np.where(mask, 0, g)


def masked_fill(input: Tensor, mask, value) -> Tensor:
    m = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if m.dtype != np.bool_:
        raise DtypeError(f"masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        np.broadcast_shapes(m.shape, input.shape)
    except ValueError:
        raise ValueError(f"masked_fill: mask of shape {m.shape} cannot be broadcast to the input of shape "
                         f"{tuple(input.shape)}") from None
    if isinstance(value, Tensor):
        value = value.item()
    return MaskedFill.apply(input, m, value)


def _triangle(input: Tensor, diagonal: int, keep, op: str) -> Tensor:
    if input.ndim < 2:
        raise ValueError(f"{op}: input tensor must have at least 2 dimensions, got shape {tuple(input.shape)}")
    rows, cols = input.shape[-2:]
    outside = ~keep(np.ones((rows, cols), dtype=bool), diagonal)
    return MaskedFill.apply(input, outside, 0)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (entries on and below the `diagonal`-th diagonal); zero above."""
    return _triangle(input, diagonal, np.tril, "tril")


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (entries on and above the `diagonal`-th diagonal); zero below."""
    return _triangle(input, diagonal, np.triu, "triu")


values_indices = namedtuple("values_indices", ["values", "indices"])  # torch.return_types.sort & co


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """``(values, indices)`` sorted along `dim`; the values' gradient goes back to where each came from."""
    d = normalize_dim(dim, input.ndim, "sort")
    data = input.data
    if not descending:
        order = np.argsort(data, axis=d, kind="stable")  # NaN sorts last: it is the largest, as PyTorch
    elif data.dtype.kind == "f":  # NaN first, then from the largest down; ties keep their order
        order = np.lexsort((np.negative(data), ~np.isnan(data)), axis=d)
    else:
        order = np.lexsort((np.negative(data.astype(np.int64)),), axis=d)
    if input.ndim == 0:
        return values_indices(input, constant(np.zeros((), np.int64)))
    return values_indices(Gather.apply(input, d, order), constant(order.astype(np.int64)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    normalize_dim(dim, input.ndim, "argsort")  # a bad dim is named as the user wrote it
    return sort(input, dim, descending, stable).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The k largest (or smallest) entries along `dim` as ``(values, indices)``."""
    d = normalize_dim(dim, input.ndim, "topk")
    if input.ndim == 0:  # one entry: as a 1-D tensor of one, then 0-d again (as PyTorch)
        values, indices = topk(input.reshape(1), k, 0, largest, sorted)
        return values_indices(values.reshape(()), constant(indices.data.reshape(()))) if k else (values, indices)
    n = input.shape[d]
    if not 0 <= k <= n:
        raise IndexOutOfRange(f"topk: k ({k}) is out of range for dimension {dim} of size {n}")
    values, indices = sort(input, d, descending=largest, stable=True)
    index = (slice(None),) * d + (slice(0, k),)
    return values_indices(values[index], constant(indices.data[index]))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64) to one-hot rows: shape (*, num_classes), int64 as PyTorch."""
    idx = _integer_index(tensor, "one_hot")
    if idx.size and idx.min() < 0:
        raise IndexOutOfRange(f"one_hot: class values must be non-negative, got {idx.min()}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and idx.max() >= num_classes:
        raise IndexOutOfRange(f"one_hot: class value {idx.max()} is out of range for num_classes={num_classes}")
    return constant((idx[..., None] == np.arange(num_classes)).astype(np.int64))


def nonzero(input: Tensor, *, as_tuple: bool = False):
    found = np.nonzero(input.data)
    if as_tuple:
        return tuple(constant(i.astype(np.int64)) for i in found)
    return constant(np.stack(found, axis=-1).astype(np.int64) if found else np.zeros((0, 0), np.int64))


__all__ = ["DimensionError"]

attach_methods({
    "__getitem__": getitem, "__setitem__": _setitem, "gather": gather, "index_select": index_select,
    "masked_fill": masked_fill, "tril": tril, "triu": triu, "sort": sort, "argsort": argsort, "topk": topk,
    "nonzero": nonzero,
})
