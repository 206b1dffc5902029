"""`Value`: one Python float that remembers how it was computed (micrograd's engine, made lean).

Each operation creates a new `Value` holding its result, its parents and the *local derivatives*
d(out)/d(parent) as plain numbers. Backpropagation (autograd.engine) then only multiplies:
dL/dparent += dL/dout * d(out)/d(parent). Storing numbers instead of closures keeps a node small
and free of reference cycles, so a finished graph is freed at once by reference counting.
"""

from __future__ import annotations

import math
import numbers

from .engine import GradMode, backward, check_finite


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

    __slots__ = ("data", "grad", "label", "_op", "_parents", "_local")

    def __init__(self, data: float, label: str = "", _parents: tuple = (), _local: tuple = (), _op: str = ""):
        if type(data) is not float:
            if not isinstance(data, numbers.Real):
                raise TypeError(f"Value: data must be a real number, got {type(data).__name__} {data!r}")
            data = float(data)
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = _op
        if GradMode.enabled:
            self._parents = _parents
            self._local = _local  # d(self)/d(parent), one number per parent
        else:
            self._parents = self._local = ()
        if GradMode.anomaly and _op:
            check_finite(data, _op, "forward")

    # ---- the primitive operations: result, parents, local derivatives --------------------------

    def __add__(self, other: Value | float) -> Value:
        """d(a+b)/da = 1, d(a+b)/db = 1."""
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, "", (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Value | float) -> Value:
        """d(ab)/da = b, d(ab)/db = a."""
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, "", (self, other), (other.data, self.data), "*")

    def __pow__(self, other: Value | float) -> Value:
        """d(a^p)/da = p a^(p-1);  with a Value exponent also d(a^b)/db = a^b ln a (needs a >= 0)."""
        a = self.data
        if isinstance(other, Value):
            b = other.data
            if a < 0:
                raise ValueError(f"pow: base {a} is negative; a Value exponent needs a base >= 0 (d/db = a^b ln a)")
            out = self._real_pow(a, b)
            d_base = b * self._real_pow(a, b - 1, slope=True) if b != 0 else 0.0
            return Value(out, "", (self, other), (d_base, out * math.log(a) if a > 0 else 0.0), "**")
        if not isinstance(other, numbers.Real):
            raise TypeError(f"pow: exponent must be a number or a Value, got {type(other).__name__}")
        local = other * self._real_pow(a, other - 1, slope=True) if other != 0 else 0.0
        return Value(self._real_pow(a, other), "", (self,), (local,), f"**{other:g}")

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
        return Value(out, "", (self,), (out,), "exp")

    def log(self) -> Value:
        """d(ln a)/da = 1/a (a > 0)."""
        if self.data <= 0:
            raise ValueError(f"log: argument must be positive, got {self.data}")
        return Value(math.log(self.data), "", (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        """d(tanh a)/da = 1 - tanh^2 a."""
        t = math.tanh(self.data)
        return Value(t, "", (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """s(a) = 1/(1+e^-a), ds/da = s(1-s); evaluated so that e^|a| never overflows."""
        a = self.data
        if a >= 0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:
            e = math.exp(a)
            s = e / (1.0 + e)
        return Value(s, "", (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """d relu(a)/da = 1 if a > 0 else 0 (0 at a = 0, as PyTorch)."""
        a = self.data
        return Value(a if a > 0 else 0.0, "", (self,), (1.0 if a > 0 else 0.0,), "relu")

    # ---- composites: no backward of their own ---------------------------------------------------

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:
        if not isinstance(other, Value) and other == 0:
            raise ZeroDivisionError(f"div: {self.data} / 0")
        return self * other**-1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return (-self) + other

    def __rtruediv__(self, other: float) -> Value:
        return self**-1 * other

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

    def _propagate(self) -> None:
        g = self.grad
        for parent, d in zip(self._parents, self._local):
            parent.grad += d * g

    def _describe(self) -> list[str]:
        return [f"data {self.data:.4f}", f"grad {self.grad:.4f}"]

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"
