"""Small graphs the drawing, trace, stepper and browser tests share (with their known gradients)."""

from autograd import Value


def karpathy():
    """L = (a·b + c)·f from Karpathy's lecture: dL/da = 6, dL/db = -4, dL/dc = -2, dL/df = 4."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, dict(a=a, b=b, c=c, f=f, e=e, d=d)


def micrograd_expr(a, b):
    """micrograd's README expression: at a = -4, b = 2, g = 24.7041, dg/da = 138.8338, dg/db = 645.5773."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g
