"""SiLU, ELU, Softplus, LogSoftmax(dim=None) and BCELoss: values and slopes worked out by hand, finite at
huge inputs, NaN propagating, and equal to torch (outputs and gradients) where it is installed."""

import math
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


def sig(x):
    return 1 / (1 + math.exp(-x))


def value_and_slope(fn, x, dtype=np.float64):
    t = Tensor(np.array([x], dtype=dtype), requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return float(y.data[0]), float(t.grad[0])


# (id, function, x, value, slope) — worked out by hand
HAND = [
    ("silu_0", nn.SiLU(), 0.0, 0.0, 0.5),
    ("silu_1", nn.SiLU(), 1.0, sig(1.0), sig(1.0) * (1 + 1.0 * (1 - sig(1.0)))),
    ("silu_-2", nn.SiLU(), -2.0, -2 * sig(-2.0), sig(-2.0) * (1 - 2.0 * (1 - sig(-2.0)))),
    ("elu_1", nn.ELU(), 1.0, 1.0, 1.0),
    ("elu_-1", nn.ELU(), -1.0, math.exp(-1) - 1, math.exp(-1)),
    ("elu_0_slope_is_alpha", nn.ELU(alpha=0.5), 0.0, 0.0, 0.5),  # PyTorch takes the left branch at 0
    ("elu_alpha_-2", nn.ELU(alpha=2.0), -2.0, 2.0 * (math.exp(-2) - 1), 2.0 * math.exp(-2)),
    ("softplus_0", nn.Softplus(), 0.0, math.log(2.0), 0.5),
    ("softplus_beta", nn.Softplus(beta=2.0), 1.0, math.log(1 + math.exp(2.0)) / 2, sig(2.0)),
    ("softplus_-3", nn.Softplus(), -3.0, math.log1p(math.exp(-3.0)), sig(-3.0)),
    ("softplus_threshold", nn.Softplus(threshold=5.0), 6.0, 6.0, 1.0),  # linear past the threshold
    ("softplus_beta_threshold", nn.Softplus(beta=2.0, threshold=5.0), 3.0, 3.0, 1.0),  # βx = 6 > 5
    ("softplus_under_threshold", nn.Softplus(threshold=5.0), 4.0, math.log1p(math.exp(4.0)), sig(4.0)),
    ("silu_huge", nn.SiLU(), 1000.0, 1000.0, 1.0),
    ("silu_-huge", nn.SiLU(), -1000.0, 0.0, 0.0),
    ("elu_huge", nn.ELU(), 1000.0, 1000.0, 1.0),
    ("elu_-huge", nn.ELU(), -1000.0, -1.0, 0.0),
    ("softplus_huge", nn.Softplus(), 1000.0, 1000.0, 1.0),
    ("softplus_-huge", nn.Softplus(), -1000.0, 0.0, 0.0),
]


@pytest.mark.parametrize("fn, x, value, slope", [h[1:] for h in HAND], ids=[h[0] for h in HAND])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_and_slopes_worked_out_by_hand(fn, x, value, slope, dtype):
    y, dy = value_and_slope(fn, x, dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-6
    assert y == pytest.approx(value, rel=tol, abs=tol) and dy == pytest.approx(slope, rel=tol, abs=tol)


@pytest.mark.parametrize("fn", [nn.SiLU(), nn.ELU(), nn.Softplus()], ids=["silu", "elu", "softplus"])
def test_nan_propagates_and_keeps_dtype(fn):
    for dtype in (np.float32, np.float64):
        y = fn(Tensor(np.array([np.nan, 1.0], dtype=dtype)))
        assert np.isnan(y.data[0]) and not np.isnan(y.data[1]) and y.dtype == dtype


FUNCTIONAL = [
    # (id, ours, torch's name and arguments)
    ("silu", lambda x: F.silu(x), ("silu", {})),
    ("elu", lambda x: F.elu(x), ("elu", {})),
    ("elu_alpha", lambda x: F.elu(x, alpha=0.3), ("elu", {"alpha": 0.3})),
    ("softplus", lambda x: F.softplus(x), ("softplus", {})),
    ("softplus_beta", lambda x: F.softplus(x, beta=3.0, threshold=4.0), ("softplus", {"beta": 3.0, "threshold": 4.0})),
    ("module_silu", nn.SiLU(), ("silu", {})),
    ("module_elu", nn.ELU(alpha=1.5), ("elu", {"alpha": 1.5})),
    ("module_softplus", nn.Softplus(beta=0.5, threshold=10.0), ("softplus", {"beta": 0.5, "threshold": 10.0})),
    ("log_softmax_dim0", nn.LogSoftmax(dim=0), ("log_softmax", {"dim": 0})),
]


@pytest.mark.parametrize("ours, theirs", [f[1:] for f in FUNCTIONAL], ids=[f[0] for f in FUNCTIONAL])
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_matches_torch_values_and_gradients(ours, theirs, scale):
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(0).standard_normal((4, 5)) * scale
    data[0, :3] = [0.0, 1000.0, -1000.0]
    x = Tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    weights = np.random.default_rng(1).standard_normal((4, 5))
    y = ours(x)
    (y * Tensor(weights)).sum().backward()
    name, kwargs = theirs
    ty = getattr(torch.nn.functional, name)(tx, **kwargs)
    (ty * torch.tensor(weights)).sum().backward()
    # (atol: without a log1p primitive the composed softplus rounds log(1 + e^z) to 0 below e^z ~ 1e-16)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make, text", [
    (lambda lib: lib.SiLU(), "SiLU()"),
    (lambda lib: lib.SiLU(inplace=True), "SiLU(inplace=True)"),
    (lambda lib: lib.ELU(), "ELU(alpha=1.0)"),
    (lambda lib: lib.ELU(0.5, inplace=True), "ELU(alpha=0.5, inplace=True)"),
    (lambda lib: lib.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (lambda lib: lib.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
    (lambda lib: lib.LogSoftmax(), "LogSoftmax(dim=None)"),
    (lambda lib: lib.LogSoftmax(dim=1), "LogSoftmax(dim=1)"),
    (lambda lib: lib.BCELoss(), "BCELoss()"),
])
def test_repr_as_worked_out_and_as_torch(make, text):
    assert repr(make(nn)) == text
    try:
        import torch
    except ImportError:
        return
    assert repr(make(torch.nn)) == text


@pytest.mark.parametrize("shape, dim", [((5,), 0), ((2, 5), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)])
def test_log_softmax_without_dim_takes_pytorchs_implicit_dim_and_warns(shape, dim):
    x = Tensor(np.random.default_rng(0).standard_normal(shape))
    with pytest.warns(UserWarning, match="Implicit dimension choice for LogSoftmax"):
        y = nn.LogSoftmax()(x)
    np.testing.assert_allclose(y.data, nn.LogSoftmax(dim=dim)(x).data)
    np.testing.assert_allclose(np.exp(y.data).sum(axis=dim), 1.0, rtol=1e-6)
    try:
        import torch
    except ImportError:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.LogSoftmax()(torch.tensor(x.data)).numpy()
    np.testing.assert_allclose(y.data, theirs, rtol=1e-6, atol=1e-6)


def test_log_softmax_with_dim_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.LogSoftmax(dim=-1)(Tensor(np.zeros((2, 3))))


# ---- BCELoss ---------------------------------------------------------------------------------------------

P = np.array([0.8, 0.25, 0.5, 0.0, 1.0, 0.0, 1.0])
Y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
# −[y log p + (1 − y) log(1 − p)] with each log at least −100, worked by hand
LOSSES = np.array([-math.log(0.8), -math.log(0.75), math.log(2.0), 100.0, 100.0, 0.0, 0.0])

BCE = [
    # (id, options, expected loss)
    ("mean", {}, LOSSES.mean()),
    ("sum", {"reduction": "sum"}, LOSSES.sum()),
    ("none", {"reduction": "none"}, LOSSES),
    ("weight", {"weight": np.arange(7.0)}, (LOSSES * np.arange(7.0)).mean()),
    ("weight_scalar_sum", {"weight": np.array(2.0), "reduction": "sum"}, 2 * LOSSES.sum()),
    ("legacy_size_average_false", {"size_average": False}, LOSSES.sum()),
    ("legacy_reduce_false", {"reduce": False}, LOSSES),
]


@pytest.mark.parametrize("options, expected", [b[1:] for b in BCE], ids=[b[0] for b in BCE])
def test_bce_loss_worked_out_by_hand(options, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy arguments warn, as in PyTorch
        loss = nn.BCELoss(**options)(Tensor(P), Tensor(Y))
    np.testing.assert_allclose(loss.data, expected, rtol=1e-12)


def test_bce_gradient_is_p_minus_y_over_p_one_minus_p():
    p, y = np.array([0.8, 0.25, 0.5, 0.1]), np.array([1.0, 0.0, 1.0, 0.3])
    x = Tensor(p, requires_grad=True)
    F.binary_cross_entropy(x, y).backward()
    np.testing.assert_allclose(x.grad, (p - y) / (p * (1 - p)) / 4, rtol=1e-12)


def test_bce_is_finite_where_the_probabilities_saturate():
    x = Tensor(P, requires_grad=True)
    loss = F.binary_cross_entropy(x, Y, reduction="sum")
    loss.backward()
    assert np.isfinite(loss.data) and np.isfinite(x.grad).all()
    # through a sigmoid that saturates to exactly 1 (float32), the gradient is 0 like PyTorch's
    z = Tensor(np.array([40.0, -40.0], dtype=np.float32), requires_grad=True)
    F.binary_cross_entropy(z.sigmoid(), np.array([1.0, 0.0])).backward()
    assert z.grad[0] == 0.0 and z.grad[1] == pytest.approx(sig(-40.0) / 2, rel=1e-5)


def test_bce_nan_propagates():
    assert np.isnan(F.binary_cross_entropy(Tensor(np.array([np.nan, 0.5])), np.array([1.0, 1.0])).data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_keeps_the_input_dtype(dtype):
    loss = nn.BCELoss(weight=[1.0, 2.0])(Tensor(np.array([0.3, 0.6], dtype=dtype)), [0.0, 1.0])
    assert loss.dtype == dtype


@pytest.mark.parametrize("options", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": "per_column"}],
                         ids=["mean", "sum", "none", "weight"])
def test_bce_matches_torch(options):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p = rng.uniform(0.0, 1.0, (5, 3))
    p[0] = [0.0, 1.0, 1e-50]  # saturated, and beyond the clamp (log 1e-50 < -100)
    y = rng.uniform(0.0, 1.0, (5, 3))
    y[0] = [0.0, 1.0, 1.0]
    if options.get("weight") == "per_column":
        options = {"weight": np.array([0.5, 1.0, 2.0])}
    x, tx = Tensor(p, requires_grad=True), torch.tensor(p, requires_grad=True)
    theirs_options = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    ours, theirs = nn.BCELoss(**options)(x, y), torch.nn.BCELoss(**theirs_options)(tx, torch.tensor(y))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    # gradients agree inside (0, 1); at p ∈ {0, 1} (row 0) PyTorch divides by max(p(1 − p), 1e-12)
    np.testing.assert_allclose(x.grad[1:], tx.grad.numpy()[1:], rtol=1e-10)


def test_bce_of_tiny_probabilities_is_exact_as_torch():
    if not hasattr(Tensor, "log1p"):
        pytest.skip("the engine has no log1p yet")
    p = np.array([1e-20, 1e-10, 0.5])
    expected = -np.log1p(-p)  # the loss of y = 0 is -log(1 - p) ≈ p
    np.testing.assert_allclose(F.binary_cross_entropy(Tensor(p), np.zeros(3), reduction="none").data, expected,
                               rtol=1e-15)


def test_bce_weight_is_a_buffer_in_the_state_dict_like_torch():
    loss = nn.BCELoss(weight=np.array([1.0, 2.0]))
    assert list(loss.state_dict()) == ["weight"] and list(nn.BCELoss().state_dict()) == []
    try:
        import torch
    except ImportError:
        return
    assert list(torch.nn.BCELoss(weight=torch.ones(2)).state_dict()) == ["weight"]


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.binary_cross_entropy(Tensor([0.5, 1.5]), [1.0, 0.0]), RuntimeError,
     "binary_cross_entropy: all elements of input should be between 0 and 1, got 1.5"),
    (lambda: F.binary_cross_entropy(Tensor([-0.1, 0.5]), [1.0, 0.0]), ValueError, "got -0.1.*with_logits"),
    (lambda: F.binary_cross_entropy(Tensor([0.5, 0.5]), [1.0, 0.0, 1.0]), ValueError,
     r"target size \(3,\) must be the same as input size \(2,\)"),
    (lambda: F.binary_cross_entropy(Tensor([0.5, 0.5]), [1.0, 0.0], weight=[1.0, 2.0, 3.0]), ValueError,
     r"weight of shape \(3,\) does not broadcast to the target's shape \(2,\)"),
    (lambda: nn.BCELoss(reduction="avg"), ValueError, "'avg' is not a valid value for reduction"),
])
def test_bce_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_bce_legacy_arguments_warn_as_torch():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.BCELoss(size_average=False).reduction == "sum"
