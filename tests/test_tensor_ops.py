"""Every Tensor op: forward against numpy, backward against finite differences (float64).

One table drives the checks (one row per op); the elementwise rows are also run through the
scalar `Value` engine, which must agree with `Tensor` entry by entry.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
from autograd import Tensor, Value, gradcheck

rng = np.random.default_rng(0)


def positive(shape):
    return rng.uniform(0.5, 2.0, shape)


def anywhere(shape):
    return rng.standard_normal(shape)


def away_from_zero(shape):
    """Kinks (relu, abs, clip) are checked away from the kink, where the derivative exists."""
    x = rng.uniform(0.2, 2.0, shape)
    return x * rng.choice([-1.0, 1.0], shape)


def distinct(shape):
    """max/min checked where there is one winner; ties are tested separately."""
    return rng.permutation(np.prod(shape, dtype=int)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)


IDX = np.array([0, 2, 0])  # repeated on purpose: gradients of repeated picks add up
LEFT = [[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 0.0]]  # a plain list on the left of @ (Tensor.__rmatmul__)
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

# name, our function, numpy reference, input generator, input shapes (broadcasting included)
OPS = [
    ("add", lambda a, b: a + b, np.add, anywhere, [(3, 4), (3, 4)]),
    ("add broadcast", lambda a, b: a + b, np.add, anywhere, [(2, 3, 4), (3, 1)]),
    ("add scalar", lambda a: a + 2.5, lambda a: a + 2.5, anywhere, [(3, 4)]),
    ("radd scalar", lambda a: 2.5 + a, lambda a: 2.5 + a, anywhere, [(3, 4)]),
    ("sub broadcast", lambda a, b: a - b, np.subtract, anywhere, [(3, 4), (4,)]),
    ("rsub scalar", lambda a: 1.0 - a, lambda a: 1.0 - a, anywhere, [(3, 4)]),
    ("mul broadcast", lambda a, b: a * b, np.multiply, anywhere, [(3, 1), (1, 4)]),
    ("rmul scalar", lambda a: 3.0 * a, lambda a: 3.0 * a, anywhere, [(3, 4)]),
    ("div", lambda a, b: a / b, np.divide, positive, [(3, 4), (3, 4)]),
    ("div broadcast", lambda a, b: a / b, np.divide, positive, [(3, 4), (1, 4)]),
    ("rdiv scalar", lambda a: 2.0 / a, lambda a: 2.0 / a, positive, [(3, 4)]),
    ("neg", lambda a: -a, np.negative, anywhere, [(3, 4)]),
    ("pow scalar", lambda a: a**3, lambda a: a**3, anywhere, [(3, 4)]),
    ("pow fractional", lambda a: a**1.5, lambda a: a**1.5, positive, [(3, 4)]),
    ("pow tensor", lambda a, b: a**b, np.power, positive, [(3, 4), (4,)]),
    ("rpow", lambda b: 2.0**b, lambda b: 2.0**b, anywhere, [(3, 4)]),
    ("sub list", lambda a: a - [1.0, 2.0, 3.0, 4.0], lambda a: a - np.array([1.0, 2.0, 3.0, 4.0]), anywhere,
     [(3, 4)]),
    ("exp", Tensor.exp, np.exp, anywhere, [(3, 4)]),
    ("log", Tensor.log, np.log, positive, [(3, 4)]),
    ("sqrt", Tensor.sqrt, np.sqrt, positive, [(3, 4)]),
    ("abs", Tensor.abs, np.abs, away_from_zero, [(3, 4)]),
    ("tanh", Tensor.tanh, np.tanh, anywhere, [(3, 4)]),
    ("sigmoid", Tensor.sigmoid, lambda a: 1 / (1 + np.exp(-a)), anywhere, [(3, 4)]),
    ("relu", Tensor.relu, lambda a: np.maximum(a, 0), away_from_zero, [(3, 4)]),
    ("clip", lambda a: a.clip(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), away_from_zero, [(3, 4)]),
    ("matmul 2d", lambda a, b: a @ b, np.matmul, anywhere, [(3, 4), (4, 5)]),
    ("matmul vec-mat", lambda a, b: a @ b, np.matmul, anywhere, [(4,), (4, 5)]),
    ("matmul mat-vec", lambda a, b: a @ b, np.matmul, anywhere, [(3, 4), (4,)]),
    ("matmul vec-vec", lambda a, b: a @ b, np.matmul, anywhere, [(4,), (4,)]),
    ("matmul batched", lambda a, b: a @ b, np.matmul, anywhere, [(2, 3, 4), (2, 4, 5)]),
    ("matmul batch broadcast", lambda a, b: a @ b, np.matmul, anywhere, [(2, 3, 4), (4, 5)]),
    ("matmul vec-batch", lambda a, b: a @ b, np.matmul, anywhere, [(4,), (2, 4, 5)]),
    ("rmatmul list", lambda b: LEFT @ b, lambda b: np.array(LEFT) @ b, anywhere, [(4, 5)]),
    ("sum all", lambda a: a.sum(), np.sum, anywhere, [(3, 4)]),
    ("sum axis", lambda a: a.sum(axis=1), lambda a: a.sum(axis=1), anywhere, [(2, 3, 4)]),
    ("sum axes keepdims", lambda a: a.sum(axis=(0, 2), keepdims=True),
     lambda a: a.sum(axis=(0, 2), keepdims=True), anywhere, [(2, 3, 4)]),
    ("sum negative axis", lambda a: a.sum(axis=-1), lambda a: a.sum(axis=-1), anywhere, [(2, 3, 4)]),
    ("mean all", lambda a: a.mean(), np.mean, anywhere, [(3, 4)]),
    ("mean axis", lambda a: a.mean(axis=0), lambda a: a.mean(axis=0), anywhere, [(3, 4)]),
    ("max all", lambda a: a.max(), np.max, distinct, [(3, 4)]),
    ("max dim", lambda a: a.max(dim=1).values, lambda a: a.max(axis=1), distinct, [(3, 4)]),
    ("max keepdim", lambda a: a.max(dim=0, keepdim=True).values, lambda a: a.max(axis=0, keepdims=True),
     distinct, [(3, 4)]),
    ("min dim", lambda a: a.min(dim=-1).values, lambda a: a.min(axis=-1), distinct, [(2, 3, 4)]),
    ("var all biased", lambda a: a.var(correction=0), np.var, anywhere, [(3, 4)]),
    ("var dim unbiased default", lambda a: a.var(dim=0), lambda a: a.var(axis=0, ddof=1), anywhere, [(3, 4)]),
    ("var keepdim unbiased=False", lambda a: a.var(dim=1, keepdim=True, unbiased=False), lambda a: a.var(axis=1, keepdims=True),
     anywhere, [(3, 4)]),
    ("reshape", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3), anywhere, [(3, 4)]),
    ("reshape tuple", lambda a: a.reshape((2, -1)), lambda a: a.reshape((2, -1)), anywhere, [(3, 4)]),
    ("T reverses dims", lambda a: a.T, np.transpose, anywhere, [(2, 3, 4)]),
    ("permute", lambda a: a.permute(1, 2, 0), lambda a: a.transpose(1, 2, 0), anywhere, [(2, 3, 4)]),
    ("transpose negative dims", lambda a: a.transpose(-1, 0), lambda a: a.transpose(1, 0), anywhere, [(3, 4)]),
    ("permute mixed dims", lambda a: a.permute(0, -1, 1), lambda a: a.transpose(0, 2, 1), anywhere, [(2, 3, 4)]),
    ("T", lambda a: a.T, lambda a: a.T, anywhere, [(3, 4)]),
    ("flatten", lambda a: a.flatten(), lambda a: a.flatten(), anywhere, [(2, 3, 4)]),
    ("squeeze", lambda a: a.squeeze(), np.squeeze, anywhere, [(3, 1, 4)]),
    ("squeeze axis", lambda a: a.squeeze(1), lambda a: np.squeeze(a, 1), anywhere, [(3, 1, 1)]),
    ("unsqueeze", lambda a: a.unsqueeze(1), lambda a: np.expand_dims(a, 1), anywhere, [(3, 4)]),
    ("getitem slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2], anywhere, [(3, 4)]),
    ("getitem int", lambda a: a[1], lambda a: a[1], anywhere, [(3, 4)]),
    ("getitem int array", lambda a: a[IDX], lambda a: a[IDX], anywhere, [(3, 4)]),
    ("getitem gather", lambda a: a[IDX, np.array([1, 3, 1])], lambda a: a[IDX, np.array([1, 3, 1])],
     anywhere, [(3, 4)]),
    ("getitem mask", lambda a: a[MASK], lambda a: a[MASK], anywhere, [(3, 4)]),
    ("stack", lambda a, b: ag.stack([a, b], axis=1), lambda a, b: np.stack([a, b], axis=1), anywhere,
     [(3, 4), (3, 4)]),
    ("concatenate", lambda a, b: ag.concatenate([a, b], axis=1), lambda a, b: np.concatenate([a, b], axis=1),
     anywhere, [(3, 4), (3, 2)]),
    ("where", lambda a, b: ag.where(MASK, a, b), lambda a, b: np.where(MASK, a, b), anywhere, [(3, 4), (4,)]),
    ("maximum", ag.maximum, np.maximum, anywhere, [(3, 4), (3, 4)]),
    ("minimum broadcast", ag.minimum, np.minimum, anywhere, [(3, 4), (4,)]),
]
IDS = [row[0] for row in OPS]


def make_inputs(generate, shapes, dtype=np.float64):
    return [Tensor(generate(s).astype(dtype), requires_grad=True) for s in shapes]


@pytest.mark.parametrize("name, fn, reference, generate, shapes", OPS, ids=IDS)
def test_forward_matches_numpy(name, fn, reference, generate, shapes):
    inputs = make_inputs(generate, shapes)
    out = fn(*inputs)
    expected = reference(*[t.data for t in inputs])
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, fn, reference, generate, shapes", OPS, ids=IDS)
def test_backward_matches_finite_differences(name, fn, reference, generate, shapes):
    inputs = make_inputs(generate, shapes)
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name, fn, reference, generate, shapes", OPS, ids=IDS)
def test_float32_stays_float32(name, fn, reference, generate, shapes):
    """Python scalars never upcast; a gradient has its tensor's dtype and shape."""
    inputs = make_inputs(generate, shapes, np.float32)
    out = fn(*inputs)
    assert out.dtype == np.float32
    (out * 1.0).sum().backward()
    for t in inputs:
        assert t.grad.dtype == np.float32 and t.grad.shape == t.shape


# Elementwise rows that both engines have: Tensor and Value must agree entry by entry.
ELEMENTWISE = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "rdiv": lambda a, b: 2.0 / a + b,
    "exp": lambda a, b: a.exp() * b, "log": lambda a, b: a.log() + b, "tanh": lambda a, b: a.tanh() * b,
    "sigmoid": lambda a, b: a.sigmoid() - b, "relu": lambda a, b: (a - 1.0).relu() * b,
    "pow scalar": lambda a, b: a**3 - b**-2,
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_value_and_tensor_agree(name):
    fn = ELEMENTWISE[name]
    a, b = rng.uniform(0.5, 2.0, 6), rng.uniform(0.5, 2.0, 6)
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = fn(ta, tb)
    out.sum().backward()
    for i in range(6):
        va, vb = Value(a[i]), Value(b[i])
        v = fn(va, vb)
        v.backward()
        assert v.data == pytest.approx(out.data[i], rel=1e-12)
        assert va.grad == pytest.approx(ta.grad[i], rel=1e-12)
        assert vb.grad == pytest.approx(tb.grad[i], rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       st.sampled_from(["add", "mul", "sub", "div"]))
def test_broadcasting_gradients_come_back_in_the_input_shape(shapes, op):
    a = Tensor(rng.uniform(0.5, 2.0, shapes.input_shapes[0]), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 2.0, shapes.input_shapes[1]), requires_grad=True)
    fn = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y, "sub": lambda x, y: x - y,
          "div": lambda x, y: x / y}[op]
    assert fn(a, b).shape == shapes.result_shape
    assert gradcheck(fn, [a, b])
    assert a.grad is None and b.grad is None  # gradcheck leaves the gradients as it found them


@pytest.mark.parametrize("fn, x, expected_grad", [
    (lambda t: t.max(), [1.0, 3.0, 3.0], [0.0, 0.5, 0.5]),       # ties split evenly (torch.amax)
    (lambda t: t.min(), [2.0, 2.0, 2.0, 5.0], [1 / 3, 1 / 3, 1 / 3, 0.0]),
    (lambda t: ag.maximum(t, Tensor([3.0, 0.0, 1.0])).sum(), [3.0, 1.0, 0.0], [0.5, 1.0, 0.0]),
    (lambda t: t.relu().sum(), [0.0, -1.0, 2.0], [0.0, 0.0, 1.0]),   # relu'(0) = 0
    (lambda t: t.abs().sum(), [0.0, -1.0, 2.0], [0.0, -1.0, 1.0]),    # |x|'(0) = 0
    (lambda t: t.clip(0.0, 1.0).sum(), [0.0, 1.0, 2.0], [1.0, 1.0, 0.0]),  # clamp passes at the bounds
    (lambda t: t[np.array([1, 1, 1])].sum(), [1.0, 2.0], [0.0, 3.0]),
    (lambda t: (t**0).sum(), [0.0, 2.0], [0.0, 0.0]),                 # x^0 is flat, even at 0
    (lambda t: (t ** Tensor([0.0, 0.0], dtype=np.float64)).sum(), [0.0, 2.0], [0.0, 0.0]),
])
def test_subgradient_conventions(fn, x, expected_grad):
    t = Tensor(x, requires_grad=True, dtype=np.float64)
    fn(t).backward()
    np.testing.assert_allclose(t.grad, expected_grad)


@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_sigmoid_and_tanh_are_finite_at_extremes(x):
    t = Tensor([x], requires_grad=True)
    (t.sigmoid() + t.tanh()).sum().backward()
    assert np.all(np.isfinite(t.grad))


def test_division_follows_numpy_and_pytorch():
    x = Tensor([1.0, -2.0])
    with np.errstate(divide="ignore"):
        assert (x / 0.0).data.tolist() == [np.inf, -np.inf]
    assert (x / Tensor(np.array([2, 4]))).data.tolist() == [0.5, -0.5]  # integer divisor: true division


def test_numpy_array_of_a_tensor():
    t = Tensor([1.0, 2.0])
    copy = np.array(t, copy=True)
    copy[0] = 99.0
    assert t.data[0] == 1.0
    assert np.asarray(t) is t.data  # no copy asked: numpy shares the tensor's array


def test_comparisons_argmax_astype():
    t = Tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    assert (t > 2.5).data.tolist() == [[False, True, True], [True, False, True]]
    assert (t < 2.5).data.tolist() == [[True, False, False], [False, True, False]]
    assert (t == 5.0).data.sum() == 1 and not (t > 2.5).requires_grad
    assert t.argmax(axis=1).data.tolist() == [1, 2] and t.argmin().item() == 0
    d = t.astype(np.float64)
    assert d.dtype == np.float64
    d.sum().backward()
    assert t.grad.dtype == np.float32 and np.all(t.grad == 1)
