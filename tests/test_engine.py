"""The one backpropagation routine, through both engines: graph shapes the peers got wrong,
retain_graph, freed graphs, memory, no_grad, detect_anomaly, backward_steps, gradcheck, errors."""

import gc
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import GradcheckError, Tensor, Value, backward_steps, gradcheck, no_grad
from autograd.tensor import _FREED


def value_leaf(x):
    return Value(x)


def tensor_leaf(x):
    return Tensor(np.array([x]), requires_grad=True)


def grad_of(leaf):
    return leaf.grad if isinstance(leaf, Value) else float(leaf.grad[0])


def scalar(node):
    return node if isinstance(node, Value) else node.sum()


ENGINES = [pytest.param(value_leaf, id="Value"), pytest.param(tensor_leaf, id="Tensor")]


# build(a) -> output, and d output / da worked out by hand at a = 3
GRAPHS = [
    ("reuse a + a", lambda a: a + a, 2.0),
    ("reuse a * a", lambda a: a * a, 6.0),
    ("diamond", lambda a: (a * 2.0) * (a + 1.0), 4 * 3.0 + 2),   # d(2a^2 + 2a)/da = 4a + 2
    ("deep diamond", lambda a: ((a * a) + (a * a)) * (a * a), 8 * 27.0),  # 2a^4 -> 8a^3
    ("shared subexpression", lambda a: (lambda b: b * b + b)(a * 3.0), 2 * 9 * 3.0 + 3),  # 9a^2 + 3a
]


@pytest.mark.parametrize("make", ENGINES)
@pytest.mark.parametrize("name, build, expected", GRAPHS, ids=[g[0] for g in GRAPHS])
def test_gradients_accumulate_over_every_use(make, name, build, expected):
    a = make(3.0)
    scalar(build(a)).backward()
    assert grad_of(a) == pytest.approx(expected)


@pytest.mark.parametrize("make", ENGINES)
def test_leaf_gradients_accumulate_across_calls(make):
    a = make(3.0)
    scalar(a * a).backward()
    scalar(a * 5.0).backward()
    assert grad_of(a) == pytest.approx(11.0)


@pytest.mark.parametrize("make", ENGINES)
def test_second_backward_needs_retain_graph(make):
    a = make(3.0)
    out = scalar((a * a) * 2.0)
    out.backward(retain_graph=True)
    out.backward()
    assert grad_of(a) == pytest.approx(2 * 12.0)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        out.backward()


def test_leaves_own_their_gradients():
    """loss = a + b hands both leaves the same array; changing one must not change the other."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (a + b).backward(np.ones(2, dtype=np.float32))
    a.grad *= 10
    assert b.grad.tolist() == [1.0, 1.0]
    c = Tensor([[1.0, 2.0]], requires_grad=True)
    c.reshape(2).sum().backward()
    c.grad += 1  # a view of another array would be read-only or shared
    assert c.grad.tolist() == [[2.0, 2.0]]


def test_tensor_deep_chain():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_memory_stays_flat_over_a_training_loop():
    """Graphs have no reference cycles and release their saved arrays: 2000 steps hold memory flat."""
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((64, 64)).astype(np.float32) * 0.1, requires_grad=True)
    x = Tensor(rng.standard_normal((32, 64)).astype(np.float32))

    def step():
        loss = ((x @ w).tanh() @ w).relu().mean()
        w.grad = None
        loss.backward()
        w.data -= 0.01 * w.grad

    for _ in range(50):
        step()
    gc.collect()
    tracemalloc.start()
    for _ in range(200):
        step()
    gc.collect()  # also empties the interpreter's free lists (up to 2000 tuples of each size): not live memory
    early, _ = tracemalloc.get_traced_memory()
    for _ in range(1800):
        step()
    gc.collect()
    late, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert late - early < 100_000, f"memory grew by {late - early} bytes over 1800 steps"


def test_saved_arrays_are_released_after_backward():
    x = Tensor(np.ones((100, 100)), requires_grad=True)
    y = (x * x).sum()
    y.backward()
    assert all(node._saved is _FREED for node in ag.topological_order(y) if node._parents)


def test_no_grad_records_nothing():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2.0
        with ag.enable_grad():  # recording again inside, e.g. for an optimizer's closure
            assert (x * 2.0).requires_grad
        assert not (x * 2.0).requires_grad
    assert not y.requires_grad and y._parents == ()
    z = x * 2.0  # recording is back on after the block
    assert z.requires_grad

    @no_grad()
    def evaluate(t):
        return t * 2.0

    assert not evaluate(x).requires_grad


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_forward_op():
    x = Tensor([1.0, 0.0], requires_grad=True)
    with ag.detect_anomaly(), pytest.raises(RuntimeError, match="'log'.*forward"):
        x.log()
    with ag.detect_anomaly(), pytest.raises(RuntimeError, match="'exp'.*forward"):
        Value(1000.0).exp()
    x.log()  # outside the block: numpy's -inf, no error


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_backward_op():
    x = Tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt().sum()  # forward is finite, d sqrt(x)/dx = inf at 0
    with ag.detect_anomaly(), pytest.raises(RuntimeError, match="'sqrt'.*backward"):
        y.backward()


def test_detect_anomaly_passes_over_constants_and_data():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])  # data: no gradient to check
    with ag.detect_anomaly():
        ((w * x) * 2.0).sum().backward()
    assert w.grad.tolist() == [6.0, 8.0]


def test_backward_copies_the_gradient_it_is_given():
    x = Tensor([1.0, 2.0], requires_grad=True)
    g = np.ones(2, dtype=np.float32)
    x.backward(g)
    x.backward(g)
    assert g.tolist() == [1.0, 1.0] and x.grad.tolist() == [2.0, 2.0]


def test_gradcheck_restores_inputs_when_fn_fails():
    calls = []

    def fails_on_second_call(t):
        calls.append(1)
        if len(calls) > 1:
            raise ArithmeticError("boom")
        return t.sum()

    x = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    with pytest.raises(ArithmeticError):
        gradcheck(fails_on_second_call, [x])
    assert x.data.tolist() == [1.0, 2.0]


def test_backward_steps_visits_in_reverse_topological_order():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c + a
    L.label = "L"
    seen = []
    for node in backward_steps(L):
        seen.append((node.label, a.grad, b.grad))
    labels = [s[0] for s in seen]
    assert labels[0] == "L" and labels.index("c") < labels.index("a") and labels.index("c") < labels.index("b")
    assert seen[0] == ("L", 1.0, 0.0)          # after L: a got its share from "+" only
    assert dict((s[0], s[1:]) for s in seen)["c"] == (1.0 + b.data, a.data)  # then c passed on a*b's
    assert (a.grad, b.grad) == (1.0 + -3.0, 2.0)


def _reachable(root) -> set:
    """Every node `root` depends on, by plain recursion (an independent reference for small graphs)."""
    found = {root}
    for p in ag.engine.parents(root):
        found |= _reachable(p)
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["+", "*", "where"]), st.integers(0, 10**6), st.integers(0, 10**6),
                          st.integers(0, 10**6)), min_size=1, max_size=25),
       st.booleans())
def test_topological_order_puts_every_node_after_its_parents(steps, tensors):
    """Random graphs (reuse, diamonds, three-parent ops, nodes made off the root's path): the order has
    each node once, after all of its parents; each leaf just before its first user; no leaf when asked."""
    if tensors:
        pool = [Tensor([1.0, -2.0], requires_grad=True, label=f"x{i}") for i in range(3)]
    else:
        pool = [Value(float(i + 1), label=f"x{i}") for i in range(3)]
    for op, i, j, k in steps:
        a, b, c = pool[i % len(pool)], pool[j % len(pool)], pool[k % len(pool)]
        if op == "where" and tensors:
            pool.append(ag.where(a.data > 0, b, c))
        else:
            pool.append(a * b if op == "*" else a + c)
    root = pool[-1]
    order = ag.topological_order(root)
    assert len(order) == len(set(order)) and set(order) == _reachable(root)
    position = {node: n for n, node in enumerate(order)}
    for node in order:
        assert all(position[p] < position[node] for p in ag.engine.parents(node))
    def first_user(leaf):
        return min(n for n, node in enumerate(order) if any(p is leaf for p in ag.engine.parents(node)))

    for leaf in (node for node in order if not ag.engine.parents(node)):
        # between a leaf and its first user come only leaves that wait for the same operation
        assert all(first_user(order[n]) == first_user(leaf) for n in range(position[leaf], first_user(leaf)))
    ops = ag.topological_order(root, leaves=False)
    assert ops == [node for node in order if ag.engine.parents(node)]


def test_backward_steps_for_tensors():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    nodes = list(backward_steps(loss))
    assert nodes[0] is loss and nodes[-1] is x
    assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("fn, inputs", [
    (lambda a, b: (a * b).tanh() + a.exp(), [Value(0.3), Value(-1.2)]),
    (lambda x: (x @ x.T).sigmoid(), [Tensor(np.random.default_rng(1).standard_normal((3, 4)),
                                            requires_grad=True)]),
])
def test_gradcheck_passes_on_correct_gradients(fn, inputs):
    assert gradcheck(fn, inputs)


def test_gradcheck_catches_a_wrong_derivative():
    """Test the tester: an op whose backward is off by a factor must be caught, for both engines."""
    def bad_value_square(v):
        return Value(v.data**2, "", (v,), (3 * v.data,), "bad_square")  # should be 2 * v.data

    class BadSquare(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x  # should be 2 * x

    def bad_tensor_square(t):
        return BadSquare.apply(t)

    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(bad_value_square, [Value(1.5)])
    with pytest.raises(GradcheckError, match=r"input 0 entry \(1,\)"):
        gradcheck(lambda t: bad_tensor_square(t), [Tensor([0.0, 1.5], requires_grad=True, dtype=np.float64)])


def test_gradcheck_rejects_float32_and_non_nodes():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t.sum(), [Tensor([1.0], requires_grad=True)])
    with pytest.raises(TypeError, match="Value or a Tensor"):
        gradcheck(lambda t: t, [1.0])


@pytest.mark.parametrize("action, error, match", [
    (lambda: Tensor(np.ones((3, 4))) @ Tensor(np.ones((5, 6))), ValueError,
     r"matmul: shapes \(3, 4\) and \(5, 6\)"),
    (lambda: Tensor(np.ones(3)) + Tensor(np.ones(4)), ValueError, r"add: shapes \(3,\) and \(4,\)"),
    (lambda: Tensor(np.ones(3)) * Tensor(np.ones((2, 4))), ValueError, r"mul: shapes \(3,\) and \(2, 4\)"),
    (lambda: Tensor(np.ones(3), requires_grad=True).backward(), RuntimeError, "scalar output.*shape \\(3,\\)"),
    (lambda: Tensor(np.ones(3), requires_grad=True).sum().backward(np.ones(2)), ValueError, "gradient has shape"),
    (lambda: Tensor(np.ones(3)).sum().backward(), RuntimeError, "does not require grad"),
    (lambda: Tensor(np.arange(3), requires_grad=True), TypeError, "int64"),
    (lambda: Tensor(np.array(["a"], dtype=object), requires_grad=True), TypeError, "object"),
    (lambda: Tensor(np.ones((2, 3)))[5], IndexError, r"shape \(2, 3\)"),
    (lambda: Tensor(np.ones((2, 3))).reshape(4, 2), ValueError, r"reshape.*\(2, 3\).*\(4, 2\)"),
    (lambda: Tensor(np.ones((2, 3))).sum(axis=2), IndexError, "sum: dimension out of range.*got 2"),
    (lambda: Tensor(np.ones((2, 3))).sum(dim=2), ValueError, "sum: dimension out of range.*got 2"),
    (lambda: Tensor(np.ones((2, 3))).transpose(0, 1, 2), TypeError, "permute"),
    (lambda: Tensor(np.ones((2, 3))).view(4, 2), ValueError, r"view: .*shape \(2, 3\).*as shape \(4, 2\)"),
    (lambda: Tensor(np.ones(3)).item(), ValueError, "one element"),
    (lambda: ag.stack([]), ValueError, "non-empty"),
])
def test_bad_input_is_named(action, error, match):
    with pytest.raises(error, match=match):
        action()


def test_construction_rules():
    assert Tensor([1, 2]).dtype == np.int64 and Tensor(3.0).dtype == np.float32 and Tensor([1, 2.5]).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64 and Tensor([1], dtype=np.float64).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.int64
    t = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    assert (t * 2.0).dtype == np.float32 and (2.0 * t + 1).dtype == np.float32
    assert (t * np.float64(2.0)).dtype == np.float32 and (t ** np.float64(2.0)).dtype == np.float32
    assert ag.zeros(2, 3).shape == (2, 3) and ag.ones((2, 3)).dtype == np.float32
    assert ag.eye(3).data.trace() == 3 and ag.arange(5).data.tolist() == [0, 1, 2, 3, 4]
    ag.manual_seed(7)
    a = ag.randn(3, 2).data
    ag.manual_seed(7)
    assert np.array_equal(a, ag.randn(3, 2).data) and ag.rand(4).data.max() < 1
    assert ag.zeros_like(t).shape == (2,) and ag.ones_like(t).data.sum() == 2
    d = t.detach()
    assert not d.requires_grad and d.data is t.data
    assert t.detach().numpy() is t.data
    with pytest.raises(RuntimeError, match="floating point"):  # ints are int64, as in PyTorch
        ag.tensor([[1, 2], [3, 4]], requires_grad=True)
    made = ag.tensor([[1.0, 2], [3, 4]], requires_grad=True)
    assert made.dtype == np.float32 and made.requires_grad and made.shape == (2, 2)
    assert ag.tensor(np.arange(3)).dtype == np.int64 and ag.tensor([1, 2], dtype=np.float64).dtype == np.float64
    ag.manual_seed(3)
    first = ag.default_generator().random()
    ag.manual_seed(3)
    assert ag.default_generator().random() == first


def test_ndarray_on_the_left_uses_tensor_ops():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([3.0, 4.0], dtype=np.float32) * t
    assert isinstance(out, Tensor) and out.requires_grad
