"""Shape operations: the same entries, rearranged; their backward rearranges the gradient back.

reshape/view, transpose/permute/t, flatten/unflatten, squeeze/unsqueeze, expand/broadcast_to,
repeat, flip, roll, split/chunk/unbind, and joining several tensors: cat, stack.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from .dtypes import result_type
from .elementwise import cast
from .function import Function
from .tensor import Tensor, attach_methods, constant


class DimensionError(IndexError, ValueError):
    """A `dim` outside a tensor's dimensions: an IndexError as in PyTorch, a ValueError as numpy's AxisError."""


def normalize_dim(dim, ndim: int, op: str, *, new: bool = False) -> int:
    """`dim` in [0, ndim) (negative dims count from the end); a 0-d tensor takes dim 0 and -1.
    With `new`, a place for a new dimension (unsqueeze, stack): in [0, ndim]."""
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__} {dim!r}")
    top = ndim + 1 if new else builtins.max(ndim, 1)
    if not -top <= dim < top:
        where = f" (a new dimension goes in one of {top} places)" if new else ""
        raise DimensionError(f"{op}: dimension out of range (expected to be in range of [{-top}, {top - 1}], but "
                             f"got {dim}) for a tensor with {ndim} dimensions{where}")
    return int(dim) % top


def _sizes(sizes: tuple, op: str) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` alike (PyTorch's *size arguments)."""
    if len(sizes) == 1 and not isinstance(sizes[0], numbers.Integral):
        sizes = tuple(sizes[0])
    if not builtins.all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in sizes):
        raise TypeError(f"{op}: sizes must be ints, got {sizes}")
    return tuple(int(n) for n in sizes)


class Reshape(Function):
    """Same entries, new shape: the gradient is reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.save_for_backward(x.shape)
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        (shape,) = ctx.saved_tensors
        return g.reshape(shape)


def reshape(input: Tensor, *shape) -> Tensor:
    shape = _sizes(shape, "reshape")
    try:
        np.broadcast_to(0, input.data.shape).reshape(shape)  # checks the shape without touching data
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {tuple(input.shape)} ({input.numel()} "
                         f"elements) into shape {shape}") from None
    return Reshape.apply(input, shape)


def view(input: Tensor, *shape) -> Tensor:
    """As `reshape` (seedgrad's arrays may be copied by numpy; PyTorch's view never copies)."""
    shape = _sizes(shape, "view")
    try:
        return reshape(input, shape)
    except ValueError:
        raise ValueError(f"view: cannot view a tensor of shape {tuple(input.shape)} ({input.numel()} "
                         f"elements) as shape {shape}") from None


class Permute(Function):
    """Permute the dimensions: the gradient is permuted back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.save_for_backward(dims)
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        (dims,) = ctx.saved_tensors
        return g.transpose(np.argsort(dims))


def permute(input: Tensor, *dims) -> Tensor:
    dims = _sizes(dims, "permute")
    n = input.ndim
    if len(dims) != n:
        raise ValueError(f"permute: number of dims {len(dims)} does not match the {n} dimensions of "
                         f"a tensor of shape {tuple(input.shape)}")
    dims = tuple(normalize_dim(d, n, "permute") for d in dims)
    if sorted(dims) != list(range(n)):
        raise ValueError(f"permute: dims {dims} repeat a dimension")
    return Permute.apply(input, dims)


def transpose(input: Tensor, dim0: int, dim1: int, *more) -> Tensor:
    """Swap two dimensions (PyTorch's transpose; for another order of all dims use `permute`)."""
    if more:
        raise TypeError(f"transpose: takes two dims (dim0, dim1), got {(dim0, dim1) + more}; "
                        "to reorder all dimensions use permute(*dims)")
    n = input.ndim
    d0, d1 = normalize_dim(dim0, n, "transpose"), normalize_dim(dim1, n, "transpose")
    dims = list(range(n))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims)) if n else input


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (a tensor of at most 2 dimensions, as PyTorch)."""
    if input.ndim > 2:
        raise ValueError(f"t: expects a tensor with <= 2 dimensions, but got {input.ndim} "
                         "(use transpose(dim0, dim1) or permute)")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    n = input.ndim
    if n == 0:
        return reshape(input, 1)
    s, e = normalize_dim(start_dim, n, "flatten"), normalize_dim(end_dim, n, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = input.shape
    return reshape(input, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    d = normalize_dim(dim, input.ndim, "unflatten")
    sizes = tuple(sizes)
    shape = input.shape
    known = int(np.prod([s for s in sizes if s != -1]))
    if (-1 not in sizes and known != shape[d]) or (-1 in sizes and (known == 0 or shape[d] % known)):
        raise ValueError(f"unflatten: sizes {sizes} don't multiply up to the size of dim {dim} ({shape[d]}) "
                         f"of a tensor of shape {tuple(shape)}")
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop dimensions of size 1 (all of them, or those in `dim` that have size 1, as PyTorch)."""
    shape = input.shape
    if dim is None:
        dims = [i for i, n in enumerate(shape) if n == 1]
    else:
        dims = [normalize_dim(d, input.ndim, "squeeze") for d in (dim if isinstance(dim, tuple | list) else (dim,))]
        dims = [d for d in dims if input.ndim and shape[d] == 1]
    return reshape(input, tuple(n for i, n in enumerate(shape) if i not in dims))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, input.ndim, "unsqueeze", new=True)
    shape = input.shape
    return reshape(input, shape[:d] + (1,) + shape[d:])


class Expand(Function):
    """Broadcast to a larger shape (a view): the gradient is summed back (by the engine's unbroadcast)."""

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast dimensions of size 1 to `sizes` (-1 keeps a dimension), as PyTorch."""
    sizes = _sizes(sizes, "expand")
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise ValueError(f"expand: the number of sizes {len(sizes)} must be at least the {input.ndim} dimensions "
                         f"of a tensor of shape {tuple(input.shape)}")
    shape = tuple(input.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    try:
        np.broadcast_shapes(input.shape, shape)
        if np.broadcast_shapes(input.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"expand: a tensor of shape {tuple(input.shape)} cannot be expanded to {sizes}: only "
                         "dimensions of size 1 can grow") from None
    return Expand.apply(input, shape)


def broadcast_to(input: Tensor, shape) -> Tensor:
    return expand(input, tuple(shape))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, tuple(other.shape))


class Repeat(Function):
    """Tile the tensor `sizes` times along each dimension: each entry's gradient is the sum over its copies."""

    @staticmethod
    def forward(ctx, x, sizes):
        lead = len(sizes) - x.ndim
        x = x.reshape((1,) * lead + x.shape)
        ctx.save_for_backward(x.shape, sizes)
        return np.tile(x, sizes)

    @staticmethod
    def backward(ctx, g):
        shape, sizes = ctx.saved_tensors
        split = [d for n, s in zip(shape, sizes) for d in (s, n)]  # each dim as (copies, size)
        return g.reshape(split).sum(axis=tuple(range(0, 2 * len(shape), 2)))  # padded shape: the engine drops the lead


def repeat(input: Tensor, *sizes) -> Tensor:
    sizes = _sizes(sizes, "repeat")
    if len(sizes) < input.ndim:
        raise ValueError(f"repeat: the number of repeats {len(sizes)} can not be smaller than the {input.ndim} "
                         f"dimensions of a tensor of shape {tuple(input.shape)}")
    return Repeat.apply(input, sizes)


class Flip(Function):
    """Reverse the order along `dims`: the gradient is reversed back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.save_for_backward(dims)
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx, g):
        (dims,) = ctx.saved_tensors
        return np.flip(g, dims)


def flip(input: Tensor, dims) -> Tensor:
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    dims = tuple(normalize_dim(d, input.ndim, "flip") for d in dims)
    if len(set(dims)) != len(dims):
        raise ValueError(f"flip: dims {dims} name a dimension more than once")
    return Flip.apply(input, dims if input.ndim else ())


class Roll(Function):
    """Shift entries cyclically: the gradient is shifted back."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.save_for_backward(shifts, dims)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        shifts, dims = ctx.saved_tensors
        back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
        return np.roll(g, back, dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Roll by `shifts` along `dims` (the flattened tensor when dims is None, as PyTorch)."""
    if dims is None:
        return reshape(Roll.apply(flatten(input), shifts, None), tuple(input.shape))
    if isinstance(dims, numbers.Integral):
        return Roll.apply(input, int(shifts), normalize_dim(dims, input.ndim, "roll"))
    dims = tuple(normalize_dim(d, input.ndim, "roll") for d in dims)
    shifts = tuple(shifts)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return Roll.apply(input, shifts, dims)


# ---- several tensors ---------------------------------------------------------------------------


def _tensors(items, op: str) -> list[Tensor]:
    items = list(items)
    if not items:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    items = [x if isinstance(x, Tensor) else Tensor(x) for x in items]
    dtype = items[0].dtype
    for x in items[1:]:
        dtype = result_type(constant(np.empty(1, dtype)), x)
    return [cast(x, dtype) for x in items]


class Cat(Function):
    """Join along an existing dimension: each input's gradient is its block of the output gradient."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.save_for_backward(dim, np.cumsum([a.shape[dim] for a in arrays]))
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        dim, ends = ctx.saved_tensors
        return tuple(np.split(g, ends[:-1], axis=dim))


def cat(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    tensors = _tensors(tensors, "cat")
    dim = axis if axis is not None else dim
    for i, x in enumerate(tensors):
        if x.ndim == 0:
            raise ValueError(f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated; "
                             "use stack to join 0-d tensors")
    d = normalize_dim(dim, tensors[0].ndim, "cat")
    shapes = [tuple(x.shape) for x in tensors]
    if any(len(s) != len(shapes[0]) or s[:d] + s[d + 1:] != shapes[0][:d] + shapes[0][d + 1:] for s in shapes):
        raise ValueError(f"cat: shapes {shapes} must match except in dimension {dim}")
    return Cat.apply(*tensors, dim=d)


concatenate = concat = cat


class Stack(Function):
    """Join along a new dimension: each input's gradient is its slice of the output gradient."""

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.save_for_backward(dim)
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        (dim,) = ctx.saved_tensors
        return tuple(np.moveaxis(g, dim, 0))


def stack(tensors, dim: int = 0, *, axis: int | None = None) -> Tensor:
    tensors = _tensors(tensors, "stack")
    dim = axis if axis is not None else dim
    shapes = [tuple(x.shape) for x in tensors]
    if any(s != shapes[0] for s in shapes):
        raise ValueError(f"stack: expects each tensor to be equal size, but got shapes {shapes}")
    return Stack.apply(*tensors, dim=normalize_dim(dim, tensors[0].ndim, "stack", new=True))


def split(input: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of `split_size` along `dim` (the last may be smaller), or of the given sizes (as PyTorch)."""
    d = normalize_dim(dim, input.ndim, "split")
    n = input.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [builtins.min(size, n - s) for s in range(0, n, size)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} must sum to the size {n} of dim {dim} "
                             f"of a tensor of shape {tuple(input.shape)}")
    return _pieces(input, d, sizes)


def _pieces(input: Tensor, d: int, sizes) -> tuple[Tensor, ...]:
    out, start = [], 0
    for size in sizes:
        index = (slice(None),) * d + (slice(start, start + size),)
        out.append(input[index])
        start += size
    return tuple(out)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """`chunks` pieces of ⌈n / chunks⌉ along `dim` (fewer if they run out, as PyTorch)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = input.shape[normalize_dim(dim, input.ndim, "chunk")]
    return split(input, builtins.max(-(-n // chunks), 1), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = normalize_dim(dim, input.ndim, "unbind")
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input.shape[d]))


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself (numpy arrays need no contiguous copy here)."""
    return input


def movedim(input: Tensor, source: int, destination: int) -> Tensor:
    dims = list(range(input.ndim))
    s = normalize_dim(source, input.ndim, "movedim")
    d = normalize_dim(destination, input.ndim, "movedim")
    dims.insert(d, dims.pop(s))
    return permute(input, *dims)


attach_methods({
    "reshape": reshape, "view": view, "permute": permute, "transpose": transpose, "swapaxes": transpose,
    "t": t, "flatten": flatten, "unflatten": unflatten, "squeeze": squeeze, "unsqueeze": unsqueeze,
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to, "repeat": repeat, "flip": flip,
    "roll": roll, "split": split, "chunk": chunk, "unbind": unbind, "contiguous": contiguous, "movedim": movedim,
    "view_as": lambda self, other: view(self, tuple(other.shape)),
    "reshape_as": lambda self, other: reshape(self, tuple(other.shape)),
})
