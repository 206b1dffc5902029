"""The scalar engine: every Value op against math and central differences, the peers' known bugs."""

import math

import pytest
from graphs import micrograd_expr

from autograd import Value, no_grad


def central_difference(f, xs, i, h=1e-6):
    """d f / d xs[i] by (f(x + h) - f(x - h)) / 2h, in plain floats (independent of the engine)."""
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


# name, Value expression, the same with math on floats, input points
OPS = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, [(1.5, -2.0)]),
    ("radd", lambda a: 3.0 + a, lambda a: 3.0 + a, [(0.7,)]),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, [(1.5, -2.0)]),
    ("rsub", lambda a: 3.0 - a, lambda a: 3.0 - a, [(0.7,)]),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, [(1.5, -2.0)]),
    ("rmul", lambda a: 3.0 * a, lambda a: 3.0 * a, [(0.7,)]),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [(1.5, -2.0), (-0.3, 0.7)]),
    ("rdiv", lambda a: 3.0 / a, lambda a: 3.0 / a, [(0.7,), (-2.0,)]),
    ("neg", lambda a: -a, lambda a: -a, [(0.7,)]),
    ("pow int", lambda a: a**3, lambda a: a**3, [(-1.3,), (0.5,)]),
    ("pow float", lambda a: a**2.5, lambda a: a**2.5, [(1.3,)]),
    ("pow negative", lambda a: a**-2, lambda a: a**-2, [(1.3,), (-0.4,)]),
    ("pow Value exponent", lambda a, b: a**b, lambda a, b: a**b, [(1.3, 2.2), (0.4, -1.5)]),
    ("rpow", lambda b: 2.0**b, lambda b: 2.0**b, [(1.7,), (-0.3,)]),
    ("exp", lambda a: a.exp(), math.exp, [(0.3,), (-2.0,)]),
    ("log", lambda a: a.log(), math.log, [(0.3,), (5.0,)]),
    ("tanh", lambda a: a.tanh(), math.tanh, [(0.3,), (-2.0,)]),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a)), [(0.3,), (-2.0,), (4.0,)]),
    ("relu", lambda a: a.relu(), lambda a: max(a, 0.0), [(0.3,), (-2.0,)]),
    ("composite", lambda a, b: (a * b + b**2).tanh() * a.exp() - b / a, None, [(0.6, -0.8)]),
]


@pytest.mark.parametrize("name, expr, reference, points", OPS, ids=[row[0] for row in OPS])
def test_op_value_and_gradient(name, expr, reference, points):
    for point in points:
        leaves = [Value(x) for x in point]
        out = expr(*leaves)
        out.backward()
        plain = lambda *xs: expr(*[Value(x) for x in xs]).data  # noqa: E731
        if reference is not None:
            assert out.data == pytest.approx(reference(*point), rel=1e-12, abs=1e-12)
        for i, leaf in enumerate(leaves):
            assert leaf.grad == pytest.approx(central_difference(plain, point, i), rel=1e-6, abs=1e-8), (name, i)


def test_micrograd_readme_example():
    """micrograd's README: the numbers it prints (checked against PyTorch there)."""
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_expr(a, b)
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_hand_worked_expression():
    """L = (a*b + c) * f with a=2, b=-3, c=10, f=-2 (Karpathy's lecture): dL/da = b*f = 6, ..."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    L = (a * b + c) * f
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)


@pytest.mark.parametrize("build, expected", [
    (lambda a: a + a, 2.0),          # one node used twice: two shares
    (lambda a: a * a, 2 * 3.0),      # d(a^2)/da = 2a
    (lambda a: (a * 2) + (a * 5), 7.0),  # a diamond
    (lambda a: (a + 1) * (a + 2), 2 * 3.0 + 3),
])
def test_reused_nodes_accumulate(build, expected):
    a = Value(3.0)
    build(a).backward()
    assert a.grad == expected


def test_accumulation_bug_example_from_the_notes():
    """b = a + a would get da = 1 if gradients were assigned instead of added."""
    a = Value(-2.0)
    b = Value(3.0)
    d = a * b
    e = a + b
    f = d * e
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)


def test_leaf_gradients_accumulate_across_backward_calls():
    x = Value(3.0)
    (x * x).backward()
    (x * 4).backward()
    assert x.grad == 6.0 + 4.0


def test_backward_twice_needs_retain_graph_and_accumulates_only_in_leaves():
    x = Value(2.0)
    y = x * x
    z = y * 3
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad == 2 * 12.0
    assert y.grad == 3.0  # an intermediate gradient is recomputed, not accumulated
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        z.backward()


def test_million_node_chain():
    """micrograd's recursive topological sort dies near 1000 nodes deep."""
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 1_000_001.0


@pytest.mark.parametrize("x", [1000.0, -1000.0])
@pytest.mark.parametrize("op", ["tanh", "sigmoid", "exp", "relu"])
def test_extreme_inputs_do_not_overflow(op, x):
    v = Value(x)
    out = getattr(v, op)()
    out.backward()
    assert not math.isnan(out.data) and not math.isnan(v.grad)
    expected = {"tanh": math.copysign(1.0, x), "sigmoid": 1.0 if x > 0 else 0.0,
                "exp": math.inf if x > 0 else 0.0, "relu": max(x, 0.0)}[op]
    assert out.data == expected


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        y = x * x
    assert y._parents == ()


@pytest.mark.parametrize("make, error, match", [
    (lambda: Value("x"), TypeError, "str"),
    (lambda: Value([1.0]), TypeError, "list"),
    (lambda: Value(0.0).log(), ValueError, "log.*0.0"),
    (lambda: Value(-1.0).log(), ValueError, "log.*-1.0"),
    (lambda: Value(-2.0) ** Value(0.5), ValueError, "pow.*-2.0"),
    (lambda: (-2.0) ** Value(0.5), ValueError, "pow.*-2.0"),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, "pow"),
    (lambda: Value(1.0) ** "a", TypeError, "exponent"),
    (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "div"),
    (lambda: Value(1.0) / 0, ZeroDivisionError, "div"),
    (lambda: 2.0 / Value(0.0), ZeroDivisionError, "div"),
])
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_labels_and_repr():
    a = Value(2.0, label="a")
    assert a.label == "a"
    assert "label='a'" in repr(a)
