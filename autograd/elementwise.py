"""Elementwise operations: arithmetic, functions of one value, comparisons, selection.

Each differentiable primitive is a `Function` (forward and backward side by side, the derivative in
its docstring) and a module-level function with PyTorch's name, attached as a Tensor method.
Binary operations broadcast as numpy and PyTorch do; the engine sums a broadcast gradient back to
each input's shape. Python numbers stay numbers (``x * 2.0`` has one parent).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import dtypes
from .engine import is_grad_enabled
from .function import Function
from .tensor import Tensor, attach_methods, constant

# ---- operands ----------------------------------------------------------------------------------


def _operand(x):
    """A Tensor or a Python number as it is; a numpy scalar as a Python number (PyTorch treats them so);
    lists and arrays as constant tensors (by the construction rules)."""
    if isinstance(x, Tensor) or type(x) in (float, int, bool):
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return x.item()
    if isinstance(x, numbers.Number) and not isinstance(x, complex):
        return float(x)
    return Tensor(x)


def _promote(a, b):
    """Both operands in their result dtype (PyTorch's promotion, autograd.dtypes)."""
    a, b = _operand(a), _operand(b)
    dtype = dtypes.result_type(a, b)
    if isinstance(a, Tensor) and a.data.dtype != dtype:
        a = cast(a, dtype)
    if isinstance(b, Tensor) and b.data.dtype != dtype:
        b = cast(b, dtype)
    return a, b, dtype


def _binary(fn: type[Function], a, b) -> Tensor:
    """Apply a binary operation after promotion; a broadcasting error names the operation."""
    if type(b) is float and type(a) is Tensor and a.data.dtype.kind == "f":  # the common case, fast
        return fn.apply(a, b)
    a, b, _ = _promote(a, b)
    try:
        return fn.apply(a, b)
    except ValueError:
        sa, sb = (tuple(x.shape) if isinstance(x, Tensor) else () for x in (a, b))
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise ValueError(f"{fn.name}: shapes {sa} and {sb} cannot be broadcast together") from None
        raise


# ---- arithmetic ----------------------------------------------------------------------------------


class Add(Function):
    """d(a+b)/da = 1, d(a+b)/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """d(a-b)/da = 1, d(a-b)/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Function):
    """d(ab)/da = b, d(ab)/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    """d(a/b)/da = 1/b, d(a/b)/db = -a/b^2."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x/0 is inf or nan, as PyTorch
            return np.true_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g / b if need_a else None
            gb = -g * a / (b * b) if need_b else None
        return ga, gb


def _power_slope(x, p):
    """d(x^p)/dx = p x^(p-1), and 0 where p = 0 (x^0 = 1 is flat even at x = 0, as in PyTorch)."""
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(np.equal(p, 0), 0.0, p * x ** (np.asarray(p, dtype=x.dtype) - 1))
    return slope.astype(x.dtype, copy=False)


class Pow(Function):
    """d(a^b)/da = b a^(b-1) (0 where b = 0), d(a^b)/db = a^b ln a (0 where a = 0)."""

    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        ga = g * _power_slope(a, b) if need_a else None
        gb = None
        if need_b:
            a = np.asarray(a)
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * np.where(a == 0, 0.0, out * np.log(np.where(a == 0, 1.0, a)))
        return ga, gb


def add(input, other, *, alpha=1) -> Tensor:
    """input + alpha * other."""
    return _binary(Add, input, other if alpha == 1 else mul(other, alpha))


def sub(input, other, *, alpha=1) -> Tensor:
    """input - alpha * other."""
    return _binary(Sub, input, other if alpha == 1 else mul(other, alpha))


def mul(input, other) -> Tensor:
    return _binary(Mul, input, other)


def div(input, other, *, rounding_mode: str | None = None) -> Tensor:
    """True division (integers give float32, as PyTorch); ``rounding_mode="floor"`` or ``"trunc"``
    rounds the quotient (no gradient, as PyTorch)."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
        q = floor_divide(input, other)
        if rounding_mode == "trunc":
            a, b, _ = _promote(input, other)
            ad = a.data if isinstance(a, Tensor) else a
            bd = b.data if isinstance(b, Tensor) else b
            with np.errstate(divide="ignore", invalid="ignore"):
                exact = np.true_divide(ad, bd)
            q = Tensor(np.trunc(exact).astype(q.dtype))
        return q
    a, b, dtype = _promote(input, other)
    if dtype.kind != "f":  # true division of integers gives floats
        a = cast(a, dtypes.DEFAULT_FLOAT) if isinstance(a, Tensor) else a
        b = cast(b, dtypes.DEFAULT_FLOAT) if isinstance(b, Tensor) else b
    return _binary(Div, a, b)


def pow(input, exponent) -> Tensor:
    """input ** exponent; either may be a number (not both)."""
    return _binary(Pow, input, exponent)


def neg(input) -> Tensor:
    input = input if isinstance(input, Tensor) else Tensor(input)
    return _binary(Mul, input, -1.0 if input.dtype.kind == "f" else -1)


def floor_divide(input, other) -> Tensor:
    """⌊a / b⌋ (Python's rounding, as PyTorch); piecewise constant: no gradient."""
    a, b, _ = _promote(input, other)
    ad = a.data if isinstance(a, Tensor) else a
    bd = b.data if isinstance(b, Tensor) else b
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            return _constant(np.floor_divide(ad, bd), "floor_divide", a, b)
    except ValueError:
        raise ValueError(f"floor_divide: shapes {np.shape(ad)} and {np.shape(bd)} cannot be broadcast "
                         "together") from None


class Remainder(Function):
    """a mod b = a - b⌊a/b⌋ (the sign of b, as Python and PyTorch): d/da = 1, d/db = -⌊a/b⌋."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g, -g * np.floor_divide(a, b)


def remainder(input, other) -> Tensor:
    return _binary(Remainder, input, other)


def _constant(data, op: str, *inputs) -> Tensor:
    """A result with no gradient (comparisons, rounding, ...); `op` and `inputs` say what it came from."""
    return constant(data)


# ---- functions of one value --------------------------------------------------------------------


class Exp(Function):
    """d(e^x)/dx = e^x."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    """d(ln x)/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / x


class Log1p(Function):
    """d ln(1+x)/dx = 1/(1+x) (accurate for tiny x, where log(1 + x) rounds 1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (1 + x)


class Sqrt(Function):
    """d√x/dx = 1/(2√x)."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * out)


class Rsqrt(Function):
    """d(x^-1/2)/dx = -x^(-3/2)/2 = -out^3/2."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 1 / np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (-0.5 * out * out * out)


class Abs(Function):
    """d|x|/dx = sign(x) (0 at x = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.sign(x)


class Sin(Function):
    """d sin x/dx = cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cos(x)


class Cos(Function):
    """d cos x/dx = -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * np.sin(x)


class Tanh(Function):
    """d(tanh x)/dx = 1 - tanh^2 x."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(x)
        ctx.save_for_backward(t)
        return t

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return g * (1 - t * t)


class Sigmoid(Function):
    """s(x) = 1/(1+e^-x), ds/dx = s(1-s)."""

    # NOTE: own backward and a two-sided form: e^-|x| never overflows (x = +-1000 stays finite).
    @staticmethod
    def forward(ctx, x):
        e = np.exp(-np.abs(x))
        s = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        s = np.where(np.isnan(x), x, s)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


class Relu(Function):
    """d relu(x)/dx = 0 where x <= 0, else 1 (0 at x = 0; 1 at nan, as PyTorch); relu(nan) is nan."""

    name = "relu"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.where(x > 0, x, np.where(np.isnan(x), x, 0)).astype(x.dtype, copy=False) \
            if x.dtype.kind == "f" else np.maximum(x, 0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ~(x <= 0)


class Softplus(Function):
    """softplus(x) = ln(1 + e^(βx))/β (x itself where βx > threshold, as PyTorch); d/dx = σ(βx)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        z = x * beta
        linear = z > threshold
        with np.errstate(over="ignore"):
            out = np.where(linear, x, (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta)
        ctx.save_for_backward(z, linear)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        z, linear = ctx.saved_tensors
        e = np.exp(-np.abs(z))
        s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
        return g * np.where(linear, 1.0, s).astype(g.dtype, copy=False)


class Clamp(Function):
    """Clamp to [min, max]; the gradient passes where min <= x <= max (not at nan: PyTorch's clamp)."""

    @staticmethod
    def forward(ctx, x, min, max):
        inside = np.ones(x.shape, dtype=bool)
        if min is not None:
            inside &= x >= min
        if max is not None:
            inside &= x <= max
        ctx.save_for_backward(inside)
        out = np.clip(x, min, max) if (min is not None or max is not None) else x.copy()
        return np.where(np.isnan(x), x, out)

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside


class Cast(Function):
    """A copy in another dtype; between floating dtypes d/dx = 1 (the gradient is cast back)."""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g


def _unary(fn: type[Function], input, *args) -> Tensor:
    if not isinstance(input, Tensor):
        input = Tensor(input)
    if input.data.dtype.kind != "f":  # exp(int tensor) is float32, as PyTorch
        input = cast(input, dtypes.DEFAULT_FLOAT)
    return fn.apply(input, *args)


def exp(input) -> Tensor:
    return _unary(Exp, input)


def log(input) -> Tensor:
    return _unary(Log, input)


def log1p(input) -> Tensor:
    return _unary(Log1p, input)


def sqrt(input) -> Tensor:
    return _unary(Sqrt, input)


def rsqrt(input) -> Tensor:
    return _unary(Rsqrt, input)


def sin(input) -> Tensor:
    return _unary(Sin, input)


def cos(input) -> Tensor:
    return _unary(Cos, input)


def tanh(input) -> Tensor:
    return _unary(Tanh, input)


def sigmoid(input) -> Tensor:
    return _unary(Sigmoid, input)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return _unary(Softplus, input, beta, threshold)


def abs(input) -> Tensor:
    input = input if isinstance(input, Tensor) else Tensor(input)
    return Abs.apply(input)


def relu(input) -> Tensor:
    input = input if isinstance(input, Tensor) else Tensor(input)
    return Relu.apply(input)


def clamp(input, min=None, max=None) -> Tensor:
    """Clamp to [min, max] (either may be None); NaN stays NaN."""
    input = input if isinstance(input, Tensor) else Tensor(input)
    if min is None and max is None:
        raise ValueError("clamp: at least one of 'min' or 'max' must not be None")
    for bound in (min, max):  # an integer tensor clamped to a float bound becomes float32, as PyTorch
        if bound is not None and dtypes.result_type(input, _operand(bound)) != input.dtype:
            input = cast(input, dtypes.result_type(input, _operand(bound)))
    return Clamp.apply(input, min, max)


clip = clamp


def cast(input: Tensor, dtype) -> Tensor:
    """`input` in `dtype` (itself if it already is); the gradient flows between floating dtypes."""
    dtype = dtypes.as_dtype(dtype)
    if input.data.dtype == dtype:
        return input
    if dtype.kind == "f" and input.data.dtype.kind == "f":
        return Cast.apply(input, dtype)
    return _constant(input.data.astype(dtype), "cast", input)


# ---- no gradient: rounding, signs, tests -------------------------------------------------------


def _piecewise_constant(np_fn, name: str):
    """sign, floor, ...: their derivative is 0 wherever it exists (PyTorch gives 0 everywhere), so the
    result is an operation whose backward passes 0, keeping the graph connected."""

    class Op(Function):
        __doc__ = f"{name}: d/dx = 0 (piecewise constant)."

        @staticmethod
        def forward(ctx, x):
            return np_fn(x)

        @staticmethod
        def backward(ctx, g):
            return np.zeros_like(g)

    Op.__name__ = Op.__qualname__ = name.capitalize()
    Op.name = name

    def op(input) -> Tensor:
        input = input if isinstance(input, Tensor) else Tensor(input)
        if input.data.dtype.kind != "f":
            return _constant(np_fn(input.data), name, input)
        return Op.apply(input)

    op.__name__ = name
    op.__doc__ = f"Elementwise {name}; its gradient is 0 (as PyTorch)."
    return op


sign = _piecewise_constant(np.sign, "sign")
floor = _piecewise_constant(np.floor, "floor")
ceil = _piecewise_constant(np.ceil, "ceil")
trunc = _piecewise_constant(np.trunc, "trunc")
_round_half_even = _piecewise_constant(np.round, "round")


def round(input, *, decimals: int = 0) -> Tensor:
    """Round half to even (as PyTorch and numpy); gradient 0."""
    if decimals:
        scale = 10.0**decimals
        return _round_half_even(input * scale) / scale
    return _round_half_even(input)


def isnan(input) -> Tensor:
    return _constant(np.isnan(input.data), "isnan", input)


def isinf(input) -> Tensor:
    return _constant(np.isinf(input.data), "isinf", input)


def isfinite(input) -> Tensor:
    return _constant(np.isfinite(input.data), "isfinite", input)


def _comparison(np_fn, name: str):
    def compare(input, other) -> Tensor:
        a, b, _ = _promote(input, other)
        ad = a.data if isinstance(a, Tensor) else a
        bd = b.data if isinstance(b, Tensor) else b
        try:
            return _constant(np_fn(ad, bd), name, a, b)
        except ValueError:
            raise ValueError(f"{name}: shapes {np.shape(ad)} and {np.shape(bd)} cannot be broadcast together") from None

    compare.__name__ = name
    compare.__doc__ = f"Elementwise {name} as a bool tensor (no gradient)."
    return compare


eq = _comparison(np.equal, "eq")
ne = _comparison(np.not_equal, "ne")
lt = _comparison(np.less, "lt")
le = _comparison(np.less_equal, "le")
gt = _comparison(np.greater, "gt")
ge = _comparison(np.greater_equal, "ge")
logical_and = _comparison(np.logical_and, "logical_and")
logical_or = _comparison(np.logical_or, "logical_or")
logical_xor = _comparison(np.logical_xor, "logical_xor")


def logical_not(input) -> Tensor:
    return _constant(np.logical_not(input.data), "logical_not", input)


def equal(input, other) -> bool:
    """True if both have the same shape and values (``torch.equal``)."""
    a, b = np.asarray(input.data), np.asarray(other.data if isinstance(other, Tensor) else other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return bool(np.allclose(input.data, other.data if isinstance(other, Tensor) else other, rtol, atol, equal_nan))


# ---- selection -----------------------------------------------------------------------------------


class Where(Function):
    """condition ? a : b elementwise; the gradient goes to the side that was chosen."""

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, g):
        (condition,) = ctx.saved_tensors
        return np.where(condition, g, 0), np.where(condition, 0, g)


def where(condition, input=None, other=None) -> Tensor:
    """`input` where `condition`, else `other` (either may be a number). With only a condition, the
    indices of its non-zero entries (``torch.where(c)`` is ``c.nonzero(as_tuple=True)``)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition)
    if input is None and other is None:
        return tuple(Tensor(i) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise dtypes.DtypeError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    a, b, dtype = _promote(input, other)
    a = a if isinstance(a, Tensor) else np.asarray(a, dtype)  # numbers in the result dtype (two floats: float32)
    b = b if isinstance(b, Tensor) else np.asarray(b, dtype)
    try:
        out = Where.apply(a, b, cond)
    except ValueError:
        shapes = [np.shape(cond)] + [tuple(x.shape) if isinstance(x, Tensor) else () for x in (a, b)]
        raise ValueError(f"where: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} cannot be broadcast "
                         "together") from None
    return out


class Maximum(Function):
    """max(a, b): the gradient goes to the larger input, half to each on a tie, to both where one is nan
    (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.maximum(a, b)
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        tie = np.where(a == b, 0.5, 1.0).astype(g.dtype, copy=False)
        return g * tie * ~(a < b), g * tie * ~(a > b)


class Minimum(Function):
    """min(a, b): the gradient goes to the smaller input, half to each on a tie, to both where one is nan
    (as PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.minimum(a, b)
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        tie = np.where(a == b, 0.5, 1.0).astype(g.dtype, copy=False)
        return g * tie * ~(a > b), g * tie * ~(a < b)


def maximum(input, other) -> Tensor:
    return _binary(Maximum, input, other)


def minimum(input, other) -> Tensor:
    return _binary(Minimum, input, other)


def _reflected(fn):
    def reflected(self, other):
        return fn(other, self)

    return reflected


def _in_place(fn, op: str):
    """``x += y`` and friends as PyTorch: x itself is changed (every name for it sees the change, the
    version is bumped, a leaf that requires grad is refused outside no_grad). When the graph is being
    recorded through it (x is a result that requires grad, or y requires grad: ``total += loss``) the
    name gets a new node instead: the same values and gradients (PyTorch records the in-place op on
    the same object; here other names for the old x keep the old values)."""

    def method(self, other):
        if is_grad_enabled() and not (self._requires_grad and self._fn is None) and (
                self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)):
            return fn(self, other)
        value = fn(constant(self.data), other.detach() if isinstance(other, Tensor) else other)
        if not np.can_cast(value.dtype, self.dtype, "same_kind"):
            raise dtypes.DtypeError(f"{op}: result type {value.dtype} can't be cast to the desired output type "
                                    f"{self.dtype} of the tensor changed in place")
        return self._write(op, value.data)

    method.__name__ = f"__i{fn.__name__}__"
    return method


attach_methods({
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div, "divide": div,
    "true_divide": div, "pow": pow, "neg": neg, "negative": neg, "floor_divide": floor_divide,
    "remainder": remainder,
    "__add__": add, "__radd__": _reflected(add), "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul), "__truediv__": div, "__rtruediv__": _reflected(div),
    "__pow__": pow, "__rpow__": _reflected(pow), "__neg__": neg, "__pos__": lambda self: self,
    "__abs__": abs, "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__iadd__": _in_place(add, "add_"), "__isub__": _in_place(sub, "sub_"), "__imul__": _in_place(mul, "mul_"),
    "__itruediv__": _in_place(div, "div_"), "__ipow__": _in_place(pow, "pow_"),
    "__ifloordiv__": _in_place(floor_divide, "floor_divide_"), "__imod__": _in_place(remainder, "remainder_"),
    "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "rsqrt": rsqrt, "abs": abs, "sin": sin, "cos": cos,
    "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "softplus": softplus, "clamp": clamp, "clip": clip,
    "sign": sign, "floor": floor, "ceil": ceil, "round": round, "trunc": trunc,
    "isnan": isnan, "isinf": isinf, "isfinite": isfinite,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge,
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": logical_and, "__or__": logical_or, "__xor__": logical_xor, "__invert__": logical_not,
    "logical_and": logical_and, "logical_or": logical_or, "logical_not": logical_not,
    "equal": equal, "allclose": allclose, "maximum": maximum, "minimum": minimum,
    "where": lambda self, condition, other: where(condition, self, other),
    "__contains__": lambda self, element: bool(np.any(eq(self, element).data)),  # `2.0 in x`, as PyTorch
})

subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg
