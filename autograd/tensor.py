"""`Tensor`: a numpy array that remembers how it was computed.

This file holds what a tensor *is*: its data and gradient, its dtype rules, its place in the graph
(the node interface of autograd.engine) and its conversions. What a tensor can *do* is written as
`Function`s (autograd.function), one file per idea, each operation's forward and backward side by
side; every one is a module-level function with PyTorch's name and signature, and is attached below
as a Tensor method of the same name (``x.sum(dim=1)`` is ``autograd.sum(x, dim=1)``):

- autograd/elementwise.py: arithmetic, exp/log/tanh/..., comparisons, where, maximum/minimum;
- autograd/reductions.py: sum, mean, var, max, ...;
- autograd/shape.py: reshape, view, transpose, permute, squeeze, cat, stack, ...;
- autograd/indexing.py: __getitem__, gather, masked_fill, ...;
- autograd/linalg.py: matmul, einsum.
"""

from __future__ import annotations

import numpy as np

from . import dtypes
from .dtypes import DtypeError, as_dtype
from .engine import backward, freed_graph_error, is_grad_enabled


class _Freed(tuple):
    """`_saved` after a backward pass without retain_graph (distinct from None: nothing was saved)."""


_FREED = _Freed()


class Size(tuple):
    """A tensor's shape, as ``torch.Size``: a tuple of ints."""

    def numel(self) -> int:
        n = 1
        for d in self:
            n *= d
        return n

    # Printed as the plain tuple it is (PyTorch prints torch.Size([2, 3])): shapes in messages read (2, 3).


class GradFn:
    """What ``tensor.grad_fn`` gives: names the operation that made a tensor (None for leaves)."""

    __slots__ = ("_node",)

    def __init__(self, node: Tensor):
        self._node = node

    def name(self) -> str:
        return _backward_name(self._node._fn)

    @property
    def next_functions(self) -> tuple:
        return tuple((p.grad_fn, 0) for p in self._node._parents)

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


def _backward_name(fn) -> str:
    """PyTorch's way of naming a node's operation: 'mul' -> 'MulBackward0'."""
    return "".join(part.capitalize() for part in fn.name.split("_")) + "Backward0"


def _unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo numpy broadcasting: sum `grad` over the axes that broadcasting added or stretched.

    If x of shape (3, 1) was broadcast to (2, 3, 4), each x entry was used 2 * 4 times, so its
    gradient is the sum over those uses.
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    return grad.sum(axis=tuple(range(lead)) + stretched, keepdims=True).reshape(shape)


class Tensor:
    """An n-dimensional array node of a computational graph (numpy-backed, float32 by default).

    >>> x = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()          # y = sum x_ij^2
    >>> y.backward()
    >>> x.grad                     # dy/dx = 2x
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    __slots__ = ("data", "grad", "_requires_grad", "label", "_fn", "_a", "_b", "_more", "_saved", "_versions",
                 "_version", "_retains_grad", "_stamp", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our operators: ndarray * Tensor -> Tensor.__rmul__

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str = ""):
        data = dtypes.from_data(data, dtype)
        _check_can_require_grad(data.dtype, requires_grad)
        self.data = data
        self.grad = None
        self._requires_grad = bool(requires_grad)
        self.label = label
        self._fn = None
        self._a = self._b = self._more = None
        self._saved = self._versions = None
        self._version = 0  # bumped by every in-place write the library makes
        self._retains_grad = False

    # ---- graph -------------------------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._fn is not None:
            if flag:  # a result in the graph requires grad already: nothing to change (as PyTorch)
                return
            raise RuntimeError("requires_grad: you can only change requires_grad flags of leaf tensors; "
                               "use detach() to get a leaf from this result")
        _check_can_require_grad(self.data.dtype, flag)
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (and results that record no graph), as PyTorch."""
        return self._fn is None

    @property
    def grad_fn(self) -> GradFn | None:
        return None if self._fn is None else GradFn(self)

    @property
    def _op(self) -> str:
        return "" if self._fn is None else self._fn.name

    @property
    def _parents(self) -> tuple:
        found = (self._a, self._b) + (self._more or ())
        return tuple(p for p in found if p is not None)

    def retain_grad(self) -> None:
        """Keep this intermediate result's gradient after backward (PyTorch frees it by default)."""
        self._retains_grad = True

    # ---- the Function context (autograd.function): this node is the `ctx` of its own operation --------

    def save_for_backward(self, *values) -> None:
        """Keep what backward will need (arrays, numbers). Only while a graph is being recorded."""
        if self._fn is not None:
            self._saved = values

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each argument of the operation (as far as they are tensors): does it need a gradient?"""
        a, b = self._a, self._b
        needs = (a is not None and a._requires_grad, b is not None and b._requires_grad)
        more = self._more
        return needs if more is None else needs + tuple(p is not None and p._requires_grad for p in more)

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is _FREED:
            raise freed_graph_error(self._op)
        return self._saved

    # ---- the node interface (autograd.engine) -----------------------------------------------------

    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """dL/dx for every tensor x this one (L) was computed from; leaf gradients accumulate in `.grad`.
        Intermediate gradients are freed once passed on, unless `retain_grad()` was called."""
        if not self._requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no grad_fn "
                               "(no input of it had requires_grad=True, or it was computed under no_grad)")
        backward(self, gradient, retain_graph)

    def zero_grad(self) -> None:
        self.grad = None

    def _seed_grad(self, grad) -> np.ndarray:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for a scalar output, but this tensor has "
                    f"shape {tuple(self.shape)}; pass gradient= (dL/dthis) of that shape")
            return np.ones_like(self.data)
        # A copy: the root may be a leaf, which owns its gradient; the caller keeps their array.
        grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
        if grad.shape != self.data.shape:
            raise ValueError(f"backward: gradient has shape {grad.shape} but the tensor has shape {self.data.shape}")
        return grad

    def _add_grad(self, grad: np.ndarray) -> None:
        if grad.dtype != self.data.dtype:
            grad = grad.astype(self.data.dtype)
        if self._fn is not None:  # an intermediate result: never written in place, so sharing arrays is safe
            self.grad = grad if self.grad is None else self.grad + grad
        elif self.grad is None:  # a leaf owns its gradient (users and optimizers change it in place),
            # and a backward returns either a new array or a view: only a view needs copying.
            self.grad = grad if grad.base is None and grad.flags.writeable else grad.copy()
        else:
            self.grad += grad

    def _propagate(self, retain_graph: bool, keep_grads: bool = True) -> None:
        fn = self._fn
        if fn is None:  # a leaf
            return
        if self._saved is _FREED:
            raise freed_graph_error(fn.name)
        if self._versions is not None:
            check_versions(self)
        g = self.grad
        if g is None:  # nothing reached this node (its output was not used by the root)
            return
        # The engine calls this with numpy warnings off (engine.backward): inf - inf gives nan quietly.
        grads = fn.backward(self, g)
        if type(grads) is not tuple:
            grads = (grads,)
        a, b = self._a, self._b
        if a is not None and a._requires_grad:
            _hand(a, grads[0], g)
        if b is not None and b._requires_grad:
            _hand(b, grads[1], g)
        more = self._more
        if more is not None:
            for parent, share in zip(more, grads[2:]):
                if parent is not None and parent._requires_grad:
                    _hand(parent, share, g)
        if not retain_graph:
            self._saved = _FREED  # releases the arrays saved for backward
        if not keep_grads and not self._retains_grad:
            self.grad = None

    def _forget_grad(self) -> None:
        if self._fn is not None and not self._retains_grad:
            self.grad = None

    def _describe(self) -> list[str]:
        shape = "x".join(map(str, self.shape)) or "scalar"
        if self.grad is not None:
            grad = f"|grad| {np.linalg.norm(self.grad):.3g}"
        elif self._fn is not None and self._saved is _FREED:
            grad = "grad not retained"
        else:
            grad = "grad -"
        if self.data.size == 1:
            return [f"{self.data.item():.4g}  {shape}", grad]
        return [f"{shape} {self.dtype}", grad]

    # ---- what a tensor is --------------------------------------------------------------------------

    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape (a `Size`), or the length of one dimension."""
        if dim is None:
            return Size(self.data.shape)
        from .shape import normalize_dim
        return self.data.shape[normalize_dim(dim, self.ndim, "size")]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return self.data.size

    nelement = numel

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (PyTorch's ``.T``; for a 2-D tensor the transpose)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    @property
    def device(self) -> str:
        return "cpu"

    def item(self) -> float | int | bool:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted, got shape {tuple(self.shape)}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        if self._requires_grad:
            raise RuntimeError("numpy: can't call numpy() on a tensor that requires grad; use "
                               "tensor.detach().numpy() (or .data, seedgrad's array)")
        return self.data

    def detach(self) -> Tensor:
        """The same data (shared, as PyTorch), cut from the graph."""
        return constant(self.data)

    def clone(self) -> Tensor:
        """A copy that stays in the graph (the gradient flows back unchanged)."""
        from .elementwise import Cast
        return Cast.apply(self, self.data.dtype)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if copy:
            return np.array(self.data, dtype=dtype)
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"bool: a tensor with {self.data.size} values is ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    __hash__ = object.__hash__  # graph bookkeeping keys nodes by identity

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.data.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_) or self.data.size == 0:
            extra += f", dtype=autograd.{self.data.dtype}"
        if self._fn is not None:
            extra += f", grad_fn=<{_backward_name(self._fn)}>"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- in place (outside the graph) -------------------------------------------------------------

    def _write(self, op: str, value: np.ndarray) -> Tensor:
        """Write `value` into this tensor's array and bump its version, so that a backward that saved the
        old values raises instead of using the new ones (PyTorch's version counter)."""
        if self._requires_grad and is_grad_enabled():
            kind = "a leaf tensor that requires grad" if self._fn is None else "a result in the graph"
            raise RuntimeError(f"{op}: {kind} cannot be changed in place while gradients are recorded; "
                               "do it inside `with autograd.no_grad():` (as optimizers do)")
        try:
            np.copyto(self.data, value, casting="same_kind")
        except (ValueError, TypeError) as e:
            raise ValueError(f"{op}: cannot write a value of shape {np.shape(value)} into a tensor of shape "
                             f"{tuple(self.shape)} and dtype {self.dtype} ({e})") from None
        self._version += 1
        return self

    def zero_(self) -> Tensor:
        return self._write("zero_", 0)

    def fill_(self, value) -> Tensor:
        return self._write("fill_", value.data if isinstance(value, Tensor) else value)

    def copy_(self, src) -> Tensor:
        return self._write("copy_", src.data if isinstance(src, Tensor) else np.asarray(src))

    def add_(self, other, *, alpha=1) -> Tensor:
        return self._write("add_", self.data + alpha * (other.data if isinstance(other, Tensor) else other))

    def sub_(self, other, *, alpha=1) -> Tensor:
        return self._write("sub_", self.data - alpha * (other.data if isinstance(other, Tensor) else other))

    def mul_(self, other) -> Tensor:
        return self._write("mul_", self.data * (other.data if isinstance(other, Tensor) else other))

    def div_(self, other) -> Tensor:
        return self._write("div_", self.data / (other.data if isinstance(other, Tensor) else other))

    def clamp_(self, min=None, max=None) -> Tensor:
        return self._write("clamp_", np.clip(self.data, min, max))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        from .rng import numpy_generator
        return self._write("normal_", numpy_generator(generator).normal(mean, std, self.data.shape))

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
        from .rng import numpy_generator
        return self._write("uniform_", numpy_generator(generator).uniform(a, b, self.data.shape))

    # ---- dtype casts (last in the class: they are named like the builtins) ---------------------------

    def to(self, *args, dtype=None, **kwargs) -> Tensor:
        """``to(dtype)``; a device ("cpu") is accepted and ignored (seedgrad has no devices)."""
        for a in args:
            if isinstance(a, str) and a.split(":")[0] == "cpu":
                continue
            if isinstance(a, Tensor):
                dtype = a.dtype
            else:
                dtype = a
        return self if dtype is None else self.type(dtype)

    def type(self, dtype=None):
        """A copy in another dtype (the same tensor if it already is); between floating dtypes the
        gradient flows, cast back. Without an argument, the dtype's name."""
        if dtype is None:
            return f"autograd.{self.dtype}"
        from .elementwise import cast
        return cast(self, dtype)

    def astype(self, dtype) -> Tensor:
        return self.type(dtype)

    def float(self) -> Tensor:
        return self.type(dtypes.float32)

    def double(self) -> Tensor:
        return self.type(dtypes.float64)

    def half(self) -> Tensor:
        return self.type(dtypes.float16)

    def long(self) -> Tensor:
        return self.type(dtypes.int64)

    def int(self) -> Tensor:
        return self.type(dtypes.int32)

    def bool(self) -> Tensor:
        return self.type(dtypes.bool_)

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"


def _check_can_require_grad(dtype: np.dtype, flag: bool) -> None:
    if flag and dtype.kind != "f":
        raise DtypeError(f"requires_grad: only tensors of floating point dtype can require gradients, got dtype "
                         f"{dtype} (make it with dtype=autograd.float32, or call .float())")


def _hand(parent: Tensor, share, upstream: np.ndarray) -> None:
    """Give `parent` its share of the gradient, summed back to its shape if it was broadcast."""
    if share is None:
        return
    if type(share) is not np.ndarray:
        share = np.asarray(share, dtype=parent.data.dtype)
    if share.shape != parent.data.shape:
        share = _unbroadcast(share, parent.data.shape)
    if share is upstream and parent._fn is None:  # the node's own gradient: a leaf must own its gradient
        share = share.copy()
    parent._add_grad(share)


def constant(data) -> Tensor:
    """A tensor outside the graph around `data` (not copied): results that carry no gradient."""
    out = _new(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)
    out.grad = out._fn = out._a = out._b = out._more = out._saved = out._versions = None
    out._requires_grad = out._retains_grad = False
    out.label = ""
    out._version = 0
    return out


_new = object.__new__


def as_tensor(data, dtype=None) -> Tensor:
    """`data` itself if it is a Tensor (of `dtype`), else a new Tensor by the construction rules."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == as_dtype(dtype) else data.type(dtype)
    return Tensor(data, dtype=dtype)


def attach_methods(methods: dict) -> None:
    """Make module-level operations Tensor methods of the same name (their first argument is `input`)."""
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


from .function import check_versions  # noqa: E402
