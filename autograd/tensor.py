"""`Tensor`: a numpy array that remembers how it was computed.

Every differentiable operation is written once, below, in the same shape: compute the result with
numpy, then give one *vector-Jacobian product* (vjp) per input, a function that turns dL/dout into
that input's share of dL/dinput. The engine (autograd.engine) calls them in reverse topological order.

Two rules keep the vjps short:
- they may return a gradient in the *broadcast* shape; `_unbroadcast` sums it back to the input's
  shape, in this one place only;
- an input that does not require a gradient (data, targets, constants) never has its vjp called, so
  ``x @ W`` with data x costs one matmul backward, not two.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from .engine import GradMode, backward, check_finite, freed_graph_error

Axis = int | tuple[int, ...] | None


def _as_array(data, dtype=None) -> np.ndarray:
    """Tensor construction rules: numbers and lists become float32, numpy arrays keep their dtype."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=dtype)
    arr = np.array(data)
    if not isinstance(data, np.ndarray | np.generic) and arr.dtype.kind in "biuf":
        arr = arr.astype(np.float32)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} of dtype {arr.dtype}")
    return arr


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


def _power_slope(x: np.ndarray, p) -> np.ndarray:
    """d(x^p)/dx = p x^(p-1), and 0 where p = 0 (x^0 = 1 is flat even at x = 0, as in PyTorch)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p == 0, 0.0, p * x ** (p - 1.0)).astype(x.dtype, copy=False)


def _normalize_axes(axis: Axis, ndim: int, op: str) -> tuple[int, ...]:
    axes = tuple(range(ndim)) if axis is None else (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(a % ndim for a in axes) if ndim else ()


def _expand_reduced(g: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Give a reduction's output gradient back the reduced axes (as size 1) so it broadcasts."""
    return g if keepdims else np.expand_dims(g, axes)


class Tensor:
    """An n-dimensional array node of a computational graph (numpy-backed, float32 by default).

    >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()          # y = sum x_ij^2
    >>> y.backward()
    >>> x.grad                     # dy/dx = 2x
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    __slots__ = ("data", "grad", "requires_grad", "label", "_op", "_parents", "_local", "_version", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our operators: ndarray * Tensor -> Tensor.__rmul__

    def __init__(self, data, requires_grad: bool = False, dtype=None, label: str = ""):
        data = _as_array(data, dtype)
        if requires_grad and data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, got dtype {data.dtype}")
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._op = ""
        self._parents = ()
        self._local = None  # one vjp per parent
        self._version = 0  # bumped by every in-place write the library makes

    # ---- making results ------------------------------------------------------------------------

    @staticmethod
    def _result(data: np.ndarray, op: str, parents: tuple, vjps: tuple) -> Tensor:
        """The output node of an operation; it joins the graph if any input requires a gradient."""
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.label = ""
        out._op = op
        out.requires_grad = False
        out._parents = ()
        out._local = None
        out._version = 0
        if GradMode.enabled:
            for p in parents:
                if p.requires_grad:
                    out.requires_grad = True
                    out._parents = parents
                    out._local = vjps
                    break
        if GradMode.anomaly:
            check_finite(data, op, "forward")
        return out

    def _lift(self, other) -> Tensor:
        """A constant operand as a Tensor: a Python number takes this tensor's dtype (never upcasts);
        anything else follows the construction rules (a list becomes float32, an array keeps its dtype)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, numbers.Number):
            return Tensor._constant(np.asarray(other, dtype=self.data.dtype if self.data.dtype.kind == "f" else None))
        return Tensor._constant(other if isinstance(other, np.ndarray) else _as_array(other))

    @staticmethod
    def _constant(data: np.ndarray) -> Tensor:
        return Tensor._result(data, "", (), ())

    def _broadcasting(self, other: Tensor, op: str, fn: Callable) -> np.ndarray:
        try:
            return fn(self.data, other.data)
        except ValueError:
            raise ValueError(f"{op}: shapes {self.shape} and {other.shape} cannot be broadcast together") from None

    # ---- elementwise primitives ----------------------------------------------------------------

    def __add__(self, other) -> Tensor:
        """d(a+b)/da = 1, d(a+b)/db = 1."""
        b = self._lift(other)
        return Tensor._result(self._broadcasting(b, "add", np.add), "add", (self, b), (lambda g: g, lambda g: g))

    def __mul__(self, other) -> Tensor:
        """d(ab)/da = b, d(ab)/db = a."""
        a, b = self, self._lift(other)
        return Tensor._result(self._broadcasting(b, "mul", np.multiply), "mul", (a, b),
                              (lambda g: g * b.data, lambda g: g * a.data))

    def __pow__(self, other) -> Tensor:
        """d(a^p)/da = p a^(p-1);  with a tensor exponent also d(a^b)/db = a^b ln a (0 where a = 0)."""
        a = self
        if isinstance(other, numbers.Real) and not isinstance(other, Tensor):
            p = float(other)  # a Python float: numpy keeps the tensor's dtype (a numpy float64 would not)
            return Tensor._result(a.data**p, f"pow{p:g}", (a,), (lambda g: g * _power_slope(a.data, p),))
        b = self._lift(other)
        out = self._broadcasting(b, "pow", np.power)

        def d_exponent(g):
            with np.errstate(divide="ignore", invalid="ignore"):
                return g * np.where(a.data == 0, 0.0, out * np.log(np.where(a.data == 0, 1.0, a.data)))

        return Tensor._result(out, "pow", (a, b), (lambda g: g * _power_slope(a.data, b.data), d_exponent))

    def exp(self) -> Tensor:
        """d(e^x)/dx = e^x."""
        out = np.exp(self.data)
        return Tensor._result(out, "exp", (self,), (lambda g: g * out,))

    def log(self) -> Tensor:
        """d(ln x)/dx = 1/x."""
        x = self.data
        return Tensor._result(np.log(x), "log", (self,), (lambda g: g / x,))

    def abs(self) -> Tensor:
        """d|x|/dx = sign(x) (0 at x = 0, as PyTorch)."""
        x = self.data
        return Tensor._result(np.abs(x), "abs", (self,), (lambda g: g * np.sign(x),))

    def tanh(self) -> Tensor:
        """d(tanh x)/dx = 1 - tanh^2 x."""
        t = np.tanh(self.data)
        return Tensor._result(t, "tanh", (self,), (lambda g: g * (1 - t * t),))

    def sigmoid(self) -> Tensor:
        """s(x) = 1/(1+e^-x), ds/dx = s(1-s)."""
        # NOTE: own backward and a two-sided form: e^-|x| never overflows (x = +-1000 stays finite).
        x = self.data
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        return Tensor._result(s, "sigmoid", (self,), (lambda g: g * s * (1 - s),))

    def relu(self) -> Tensor:
        """d relu(x)/dx = 1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""
        x = self.data
        return Tensor._result(np.maximum(x, 0), "relu", (self,), (lambda g: g * (x > 0),))

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Clamp to [min, max]; the gradient passes where min <= x <= max (PyTorch's clamp)."""
        x = self.data
        inside = np.ones(x.shape, dtype=bool)
        if min is not None:
            inside &= x >= min
        if max is not None:
            inside &= x <= max
        return Tensor._result(np.clip(x, min, max), "clip", (self,), (lambda g: g * inside,))

    # ---- composites ----------------------------------------------------------------------------

    def __neg__(self) -> Tensor:
        return self * -1.0

    def __sub__(self, other) -> Tensor:
        return self + (-self._lift(other))

    def __truediv__(self, other) -> Tensor:
        other = self._lift(other)
        if other.dtype.kind != "f":  # true division of integers gives floats, as in numpy and PyTorch
            other = other.astype(self.dtype if self.dtype.kind == "f" else np.float32)
        return self * other**-1

    def __radd__(self, other) -> Tensor:
        return self + other

    def __rmul__(self, other) -> Tensor:
        return self * other

    def __rsub__(self, other) -> Tensor:
        return (-self) + other

    def __rtruediv__(self, other) -> Tensor:
        return self**-1 * other

    def __rpow__(self, other) -> Tensor:
        return self._lift(other) ** self

    def sqrt(self) -> Tensor:
        return self**0.5

    # ---- matrix product ------------------------------------------------------------------------

    def __matmul__(self, other) -> Tensor:
        """C = A @ B (numpy's rules: 1-D, 2-D, batched): dL/dA = dL/dC @ B^T, dL/dB = A^T @ dL/dC."""
        a, b = self, self._lift(other)
        try:
            out = np.matmul(a.data, b.data)
        except ValueError:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned") from None
        # A 1-D operand is a row (left) or a column (right) whose extra axis the result dropped.
        A = a.data if a.ndim > 1 else a.data[np.newaxis, :]
        B = b.data if b.ndim > 1 else b.data[:, np.newaxis]

        def as_matrix(g):
            if b.ndim == 1:
                g = g[..., np.newaxis]
            if a.ndim == 1:
                g = g[..., np.newaxis, :]
            return g

        def d_left(g):
            ga = as_matrix(g) @ np.swapaxes(B, -1, -2)
            return ga[..., 0, :] if a.ndim == 1 else ga

        def d_right(g):
            gb = np.swapaxes(A, -1, -2) @ as_matrix(g)
            return gb[..., 0] if b.ndim == 1 else gb

        return Tensor._result(out, "matmul", (a, b), (d_left, d_right))

    def __rmatmul__(self, other) -> Tensor:
        return self._lift(other) @ self

    # ---- reductions ----------------------------------------------------------------------------

    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """d(sum x)/dx_i = 1: the output gradient is copied back to every summed entry."""
        axes = _normalize_axes(axis, self.ndim, "sum")
        shape = self.shape
        return Tensor._result(self.data.sum(axis=axes, keepdims=keepdims), "sum", (self,),
                              (lambda g: np.broadcast_to(_expand_reduced(g, axes, keepdims), shape),))

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        axes = _normalize_axes(axis, self.ndim, "mean")
        count = int(np.prod([self.shape[a] for a in axes]))
        return self.sum(axes, keepdims) * (1.0 / count)

    def _extremum(self, reduce: Callable, op: str, axis: Axis, keepdims: bool) -> Tensor:
        """max/min; the gradient goes to the extreme entries, split evenly among ties (PyTorch's amax)."""
        axes = _normalize_axes(axis, self.ndim, op)
        if self.data.size == 0:
            raise ValueError(f"{op}: cannot reduce an empty tensor of shape {self.shape}")
        x = self.data
        m = reduce(x, axis=axes, keepdims=True)

        def vjp(g):
            hit = x == m
            return hit * (_expand_reduced(g, axes, keepdims) / hit.sum(axis=axes, keepdims=True))

        return Tensor._result(m if keepdims else m.reshape([n for i, n in enumerate(x.shape) if i not in axes]),
                              op, (self,), (vjp,))

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return self._extremum(np.max, "max", axis, keepdims)

    def min(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        return self._extremum(np.min, "min", axis, keepdims)

    def var(self, axis: Axis = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        """sum (x - mean)^2 / (n - ddof): ddof=0 is the biased variance, ddof=1 the unbiased one."""
        axes = _normalize_axes(axis, self.ndim, "var")
        count = int(np.prod([self.shape[a] for a in axes]))
        if count - ddof <= 0:
            raise ValueError(f"var: {count} values with ddof={ddof} leave no degrees of freedom")
        d = self - self.mean(axes, keepdims=True)
        return (d * d).sum(axes, keepdims) * (1.0 / (count - ddof))

    # ---- shape ---------------------------------------------------------------------------------

    def reshape(self, *shape) -> Tensor:
        """Same entries, new shape: the gradient is reshaped back."""
        shape = tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], numbers.Integral) else shape
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} into {shape}") from None
        old = self.shape
        return Tensor._result(out, "reshape", (self,), (lambda g: g.reshape(old),))

    def transpose(self, *axes) -> Tensor:
        """Permute axes (reversed if none given): the gradient is permuted back."""
        axes = tuple(axes[0]) if len(axes) == 1 and not isinstance(axes[0], numbers.Integral) else axes
        axes = axes or tuple(reversed(range(self.ndim)))
        if len(axes) != self.ndim or not all(-self.ndim <= a < self.ndim for a in axes) or \
                sorted(a % self.ndim for a in axes) != list(range(self.ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {self.ndim} axes of {self.shape}")
        axes = tuple(a % self.ndim for a in axes)
        inverse = tuple(np.argsort(axes))
        return Tensor._result(self.data.transpose(axes), "transpose", (self,), (lambda g: g.transpose(inverse),))

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def squeeze(self, axis: Axis = None) -> Tensor:
        try:
            return self.reshape(np.squeeze(self.data, axis).shape)
        except ValueError as e:
            raise ValueError(f"squeeze: {e} (shape {self.shape})") from None

    def unsqueeze(self, axis: int) -> Tensor:
        return self.reshape(np.expand_dims(self.data, axis).shape)

    def __getitem__(self, index) -> Tensor:
        """Slices, integers, integer arrays and boolean masks, as numpy. Repeated integer indices
        receive the sum of their gradients (np.add.at)."""
        index = _plain_index(index)
        try:
            out = self.data[index]
        except IndexError as e:
            hint = ""
            parts = index if isinstance(index, tuple) else (index,)
            if any(isinstance(i, np.ndarray) and i.dtype.kind == "f" for i in parts):
                hint = "; lists become float32 tensors, so make index tensors with dtype=np.int64"
            raise IndexError(f"getitem: {e} (tensor of shape {self.shape}){hint}") from None
        x = self.data

        def vjp(g):
            full = np.zeros_like(x)
            np.add.at(full, index, g)
            return full

        return Tensor._result(out, "getitem", (self,), (vjp,))

    # ---- no gradient: comparisons, argmax, conversions ------------------------------------------

    def _compare(self, other, fn) -> Tensor:
        return Tensor._constant(self._broadcasting(self._lift(other), fn.__name__, fn))

    def __lt__(self, other) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    __hash__ = object.__hash__  # graph bookkeeping keys nodes by identity

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return Tensor._constant(np.argmax(self.data, axis=axis, keepdims=keepdims))

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return Tensor._constant(np.argmin(self.data, axis=axis, keepdims=keepdims))

    def astype(self, dtype) -> Tensor:
        """A copy in another dtype; between float dtypes the gradient flows (cast back)."""
        out = self.data.astype(dtype)
        if out.dtype.kind != "f":
            return Tensor._constant(out)
        return Tensor._result(out, "astype", (self,), (lambda g: g,))

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._constant(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted, got shape {self.shape}")
        return self.data.item()

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if copy:
            return np.array(self.data, dtype=dtype)
        return self.data if dtype is None else self.data.astype(dtype)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.data.dtype != np.float32:
            extra = f", dtype={self.data.dtype}" + extra
        return f"tensor({body}{extra})"

    # ---- the node interface (autograd.engine) --------------------------------------------------

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """dL/dx for every tensor x this one (L) was computed from; leaf gradients accumulate."""
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad (no input of it had requires_grad=True)")
        backward(self, grad, retain_graph)

    def zero_grad(self) -> None:
        self.grad = None

    def _seed_grad(self, grad) -> np.ndarray:
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for a scalar output, but this tensor has "
                    f"shape {self.shape}; pass grad= (dL/dthis) of that shape")
            return np.ones_like(self.data)
        # A copy: the root may be a leaf, which owns its gradient; the caller keeps their array.
        grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}")
        return grad

    def _add_grad(self, grad: np.ndarray) -> None:
        if grad.dtype != self.data.dtype:
            grad = grad.astype(self.data.dtype)
        if self._parents:  # an intermediate result: never written in place, so sharing arrays is safe
            self.grad = grad if self.grad is None else self.grad + grad
        elif self.grad is None:  # a leaf owns its gradient (users and optimizers change it in place),
            # and a vjp returns either a new array or a view: only a view needs copying.
            self.grad = grad if grad.base is None and grad.flags.writeable else grad.copy()
        else:
            self.grad += grad

    def _propagate(self, retain_graph: bool) -> None:
        if not self._parents:  # a leaf or a constant
            return
        vjps = self._local
        if vjps is None:
            raise freed_graph_error(self._op)
        if not retain_graph:
            self._local = None  # releases the arrays the vjps saved
        g = self.grad
        for parent, vjp in zip(self._parents, vjps):
            if parent.requires_grad:
                share = _unbroadcast(vjp(g), parent.data.shape)
                if share is g and not parent._parents:  # g itself (add's vjp): a leaf must own its gradient
                    share = share.copy()
                parent._add_grad(share)

    def _describe(self) -> list[str]:
        shape = "x".join(map(str, self.shape)) or "scalar"
        grad = "grad -" if self.grad is None else f"|grad| {np.linalg.norm(self.grad):.3g}"
        if self.data.size == 1:
            return [f"{self.data.item():.4g}  {shape}", grad]
        return [f"{shape} {self.dtype}", grad]


def _plain_index(index):
    """Tensors inside an index become their numpy arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


# ---- operations on several tensors -------------------------------------------------------------


def _tensors(items: Sequence, op: str) -> list[Tensor]:
    if not len(items):
        raise ValueError(f"{op}: needs at least one tensor")
    items = [t if isinstance(t, Tensor) else Tensor(t) for t in items]
    return items


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join along a new axis; each input's gradient is its slice of the output gradient."""
    tensors = _tensors(tensors, "stack")
    try:
        out = np.stack([t.data for t in tensors], axis=axis)
    except ValueError:
        raise ValueError(f"stack: shapes {[t.shape for t in tensors]} are not all equal") from None
    vjps = tuple((lambda g, i=i: np.take(g, i, axis=axis)) for i in range(len(tensors)))
    return Tensor._result(out, "stack", tuple(tensors), vjps)


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join along an existing axis; each input's gradient is its block of the output gradient."""
    tensors = _tensors(tensors, "concatenate")
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis)
    except ValueError:
        raise ValueError(f"concatenate: shapes {[t.shape for t in tensors]} do not fit along axis {axis}") from None
    ends = np.cumsum([t.shape[axis] for t in tensors])
    blocks = [slice(end - t.shape[axis], end) for t, end in zip(tensors, ends)]

    def block(s):
        index = [slice(None)] * out.ndim
        index[axis] = s
        return tuple(index)

    vjps = tuple((lambda g, s=s: g[block(s)]) for s in blocks)
    return Tensor._result(out, "concatenate", tuple(tensors), vjps)


def where(condition, a, b) -> Tensor:
    """condition ? a : b elementwise; the gradient goes to the side that was chosen."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    a = a if isinstance(a, Tensor) else (b._lift(a) if isinstance(b, Tensor) else Tensor(a))
    b = a._lift(b)
    try:
        out = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(f"where: shapes {cond.shape}, {a.shape} and {b.shape} cannot be broadcast together") from None
    return Tensor._result(out, "where", (a, b), (lambda g: g * cond, lambda g: g * ~cond))


def _pairwise(a, b, pick: Callable, op: str) -> Tensor:
    """maximum/minimum: the gradient goes to the chosen input, half to each on a tie (PyTorch)."""
    a = a if isinstance(a, Tensor) else (b._lift(a) if isinstance(b, Tensor) else Tensor(a))
    b = a._lift(b)
    out = a._broadcasting(b, op, pick)
    a_wins = (pick(a.data, b.data) == a.data) * 1.0
    tie = (a.data == b.data) * 0.5
    share_a = a_wins - tie
    return Tensor._result(out, op, (a, b), (lambda g: g * share_a, lambda g: g * (1.0 - share_a)))


def maximum(a, b) -> Tensor:
    return _pairwise(a, b, np.maximum, "maximum")


def minimum(a, b) -> Tensor:
    return _pairwise(a, b, np.minimum, "minimum")
