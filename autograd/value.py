"""`Value`: one Python float that remembers how it was computed (micrograd's engine, made lean).

Each operation creates a new `Value` holding its result, its parents (one or two: every scalar
operation is unary or binary) and the *local derivatives* d(out)/d(parent) as plain numbers.
Backpropagation (autograd.engine) then only multiplies: dL/dparent += dL/dout * d(out)/d(parent).

Why a node is one small object: a training step builds some 10^5 nodes. Numbers instead of closures
keep a node free of reference cycles, so a finished graph is freed at once by reference counting;
and parents and derivatives kept in the node's own slots (not in tuples) make one object per node
for Python's cyclic garbage collector to walk instead of three, which halves the time it takes.
"""

from __future__ import annotations

import math
import numbers

from .engine import ANOMALY, RECORD, backward, check_finite, clock, freed_graph_error, grad_mode


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # math.exp raises where numpy and PyTorch give inf
        return math.inf


class Value:
    """A scalar node of a computational graph.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a          # L = ab + a
    >>> L.backward()
    >>> a.grad, b.grad         # dL/da = b + 1, dL/db = a
    (-2.0, 2.0)
    """

    # `_more` (the engine's slot for a third parent and beyond) is always None: a scalar operation
    # has at most two parents. It is a slot all the same, as reading a slot is faster than reading a
    # class attribute, and the engine reads it at every node.
    __slots__ = ("data", "grad", "label", "_op", "_a", "_da", "_b", "_db", "_more", "_stamp")

    def __init__(self, data: float, label: str = "", _parents: tuple = (), _local: tuple = (), _op: str = ""):
        """A leaf (``Value(2.0, label="x")``), or, with `_parents` and their local derivatives
        `_local`, the result of a new operation: ``Value(x.data**2, _parents=(x,), _local=(2 * x.data,))``."""
        if type(data) is not float:
            if not isinstance(data, numbers.Real):
                raise TypeError(f"Value: data must be a real number, got {type(data).__name__} {data!r}")
            data = float(data)
        if len(_parents) > 2 or len(_local) != len(_parents):
            raise ValueError(f"Value: an operation has one or two parents, each with its local derivative; "
                             f"got {len(_parents)} parents and {len(_local)} derivatives")
        _link(self, data, _op, *[x for pair in zip(_parents, _local) for x in pair])
        self.label = label

    # ---- the primitive operations: result, parents, local derivatives --------------------------

    def __add__(self, other: Value | float) -> Value:
        """d(a+b)/da = 1, d(a+b)/db = 1."""
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __mul__(self, other: Value | float) -> Value:
        """d(ab)/da = b, d(ab)/db = a."""
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data * other.data, "*", self, other.data, other, self.data)

    def __pow__(self, other: Value | float) -> Value:
        """d(a^p)/da = p a^(p-1);  with a Value exponent also d(a^b)/db = a^b ln a (needs a >= 0)."""
        a = self.data
        if isinstance(other, Value):
            b = other.data
            if a < 0:
                raise ValueError(f"pow: base {a} is negative; a Value exponent needs a base >= 0 (d/db = a^b ln a)")
            out = self._real_pow(a, b)
            d_base = b * self._real_pow(a, b - 1, slope=True) if b != 0 else 0.0
            return _result(out, "**", self, d_base, other, out * math.log(a) if a > 0 else 0.0)
        if not isinstance(other, numbers.Real):
            raise TypeError(f"pow: exponent must be a number or a Value, got {type(other).__name__}")
        local = other * self._real_pow(a, other - 1, slope=True) if other != 0 else 0.0
        return _result(self._real_pow(a, other), f"**{other:g}", self, local)

    @staticmethod
    def _real_pow(a: float, p: float, slope: bool = False) -> float:
        """a**p as a real number. 0 to a negative power is undefined as a value, but as a slope
        (d sqrt(a)/da at 0) it is infinite, as in PyTorch."""
        try:
            out = a**p
        except ZeroDivisionError:
            if slope:
                return math.inf
            raise ValueError(f"pow: 0 ** {p} is undefined") from None
        except OverflowError:
            return math.inf
        if isinstance(out, complex):
            raise ValueError(f"pow: {a} ** {p} is not a real number")
        return out

    def __rpow__(self, other: float) -> Value:
        """c^b for a number c > 0: d(c^b)/db = c^b ln c."""
        if not isinstance(other, numbers.Real):
            return NotImplemented
        return Value(other) ** self

    def exp(self) -> Value:
        """d(e^a)/da = e^a."""
        out = _exp(self.data)
        return _result(out, "exp", self, out)

    def log(self) -> Value:
        """d(ln a)/da = 1/a (a > 0)."""
        if self.data <= 0:
            raise ValueError(f"log: argument must be positive, got {self.data}")
        return _result(math.log(self.data), "log", self, 1.0 / self.data)

    def tanh(self) -> Value:
        """d(tanh a)/da = 1 - tanh^2 a."""
        t = math.tanh(self.data)
        return _result(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """s(a) = 1/(1+e^-a), ds/da = s(1-s); evaluated so that e^|a| never overflows."""
        a = self.data
        if a >= 0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return _result(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """d relu(a)/da = 1 if a > 0 else 0 (0 at a = 0, as PyTorch); relu(nan) is nan."""
        a = self.data
        return _result(0.0 if a <= 0 else a, "relu", self, 1.0 if a > 0 else 0.0)

    def __abs__(self) -> Value:
        """d|a|/da = sign(a) (0 at a = 0, as PyTorch)."""
        a = self.data
        return _result(abs(a), "abs", self, (a > 0) - (a < 0) + 0.0)

    abs = __abs__

    # ---- composites: no backward of their own ---------------------------------------------------

    def __pos__(self) -> Value:
        return self

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:
        if (other.data if isinstance(other, Value) else other) == 0:
            raise ZeroDivisionError(f"div: {self.data} / 0 is undefined")
        return self * other**-1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return (-self) + other

    def __rtruediv__(self, other: float) -> Value:
        if self.data == 0:
            raise ZeroDivisionError(f"div: {other} / 0 is undefined")
        return self**-1 * other

    # ---- comparisons: by value, as numbers compare (no gradient); hashing stays by identity ------

    def __eq__(self, other) -> bool:
        return self.data == (other.data if isinstance(other, Value) else other)

    def __ne__(self, other) -> bool:
        return not self == other

    def __lt__(self, other) -> bool:
        return self.data < (other.data if isinstance(other, Value) else other)

    def __le__(self, other) -> bool:
        return self.data <= (other.data if isinstance(other, Value) else other)

    def __gt__(self, other) -> bool:
        return self.data > (other.data if isinstance(other, Value) else other)

    def __ge__(self, other) -> bool:
        return self.data >= (other.data if isinstance(other, Value) else other)

    __hash__ = object.__hash__  # graph bookkeeping keys nodes by identity

    def item(self) -> float:
        return self.data

    def __float__(self) -> float:
        return self.data

    # ---- the node interface (autograd.engine) --------------------------------------------------

    def backward(self, grad: float | None = None, retain_graph: bool = False) -> None:
        """dL/dnode for every node this one (L) was computed from; gradients accumulate in `.grad`."""
        backward(self, grad, retain_graph)

    def zero_grad(self) -> None:
        self.grad = 0.0

    def _seed_grad(self, grad: float | None) -> float:
        return 1.0 if grad is None else float(grad)

    def _add_grad(self, grad: float) -> None:
        self.grad += grad

    @property
    def _parents(self) -> tuple:
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    def _propagate(self, retain_graph: bool, keep_grads: bool = True) -> None:
        """dL/da += d(self)/da * dL/dself (and for b). Every gradient is kept (micrograd's semantics)."""
        a = self._a
        if a is None:  # a leaf
            return
        da = self._da
        if da is None:
            raise freed_graph_error(self._op)
        g = self.grad
        a.grad += da * g
        b = self._b
        if b is not None:
            b.grad += self._db * g
        if not retain_graph:
            self._da = None  # marks the graph as used, as PyTorch frees it

    def _forget_grad(self) -> None:
        """A Value keeps its gradient after backward (micrograd's teaching semantics)."""

    def _describe(self) -> list[str]:
        return [f"data {self.data:.4f}", f"grad {self.grad:.4f}"]

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"


def _link(node: Value, data: float, op: str, a: Value | None = None, da: float = 0.0, b: Value | None = None,
          db: float = 0.0) -> None:
    """Fill in a node: its value and, while gradients are recorded, its parents a (and b) with the
    local derivatives d(node)/da (and d(node)/db)."""
    node.data = data
    node.grad = 0.0
    node._op = op
    node._more = None
    mode = grad_mode()
    if mode & RECORD:
        node._a, node._da, node._b, node._db = a, da, b, db
        if a is not None:
            node._stamp = next(clock)
    else:
        node._a = node._b = None
        node._da = node._db = 0.0
    if mode & ANOMALY and op:
        check_finite(data, op, "forward")


def _result(data: float, op: str, a: Value, da: float, b: Value | None = None, db: float = 0.0) -> Value:
    """The Value an operation on a (and b) produces (`_link` written out: this runs once per operation)."""
    node = _new(Value)
    node.data = data
    node.grad = 0.0
    node.label = ""
    node._op = op
    node._more = None
    mode = grad_mode()
    if mode & RECORD:
        node._a, node._da, node._b, node._db = a, da, b, db
        node._stamp = next(clock)
    else:
        node._a = node._b = None
        node._da = node._db = 0.0
    if mode & ANOMALY:
        check_finite(data, op, "forward")
    return node


_new = object.__new__
