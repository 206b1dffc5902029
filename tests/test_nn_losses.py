"""Losses and nn.functional: a gradcheck table (float64), values against formulas written out here,
numerical stability, reductions and bad input."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)
TARGETS = np.array([0, 2, 1, 2])


def logits(shape=(4, 3), seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True, dtype=np.float64)


def probs01(shape=(4, 3)):
    return np.random.default_rng(5).uniform(0, 1, shape)


# (id, function of one float64 tensor) — every loss and function, every reduction
GRADCHECK_CASES = [
    ("cross_entropy", lambda x: F.cross_entropy(x, TARGETS)),
    ("cross_entropy_sum", lambda x: F.cross_entropy(x, TARGETS, reduction="sum")),
    ("cross_entropy_none", lambda x: F.cross_entropy(x, TARGETS, reduction="none")),
    ("cross_entropy_smoothing", lambda x: F.cross_entropy(x, TARGETS, label_smoothing=0.2)),
    ("cross_entropy_smoothing_none",
     lambda x: F.cross_entropy(x, TARGETS, reduction="none", label_smoothing=0.1)),
    ("CrossEntropyLoss", lambda x: nn.CrossEntropyLoss()(x, TARGETS)),
    ("nll_loss", lambda x: F.nll_loss(F.log_softmax(x, axis=1), TARGETS)),
    ("nll_loss_none", lambda x: F.nll_loss(x, TARGETS, reduction="none")),
    ("NLLLoss", lambda x: nn.NLLLoss(reduction="sum")(x, TARGETS)),
    ("mse_loss", lambda x: F.mse_loss(x, probs01())),
    ("mse_loss_none", lambda x: F.mse_loss(x, probs01(), reduction="none")),
    ("MSELoss", lambda x: nn.MSELoss(reduction="sum")(x, probs01())),
    ("l1_loss", lambda x: F.l1_loss(x, probs01())),
    ("L1Loss", lambda x: nn.L1Loss(reduction="none")(x, probs01())),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, probs01())),
    ("bce_with_logits_none", lambda x: F.binary_cross_entropy_with_logits(x, probs01(), reduction="none")),
    ("BCEWithLogitsLoss", lambda x: nn.BCEWithLogitsLoss(reduction="sum")(x, probs01())),
    ("softmax", lambda x: F.softmax(x, axis=1)),
    ("softmax_dim", lambda x: F.softmax(x, dim=0)),
    ("log_softmax", lambda x: F.log_softmax(x, dim=1)),
    ("relu", F.relu),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2)),
    ("gelu", F.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
    ("dropout_eval", lambda x: F.dropout(x, 0.5, training=False)),
]


@pytest.mark.parametrize("fn", [c[1] for c in GRADCHECK_CASES], ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck_loss(fn):
    assert gradcheck(fn, [logits()])


def test_gradcheck_linear_all_inputs():
    x, W, b = logits((5, 3), 1), logits((2, 3), 2), logits((2,), 3)
    assert gradcheck(F.linear, [x, W, b])
    assert gradcheck(lambda x, W: F.linear(x, W), [x, W])


def test_gradcheck_bce_with_respect_to_target():
    x = logits()
    y = Tensor(probs01(), requires_grad=True, dtype=np.float64)
    assert gradcheck(F.binary_cross_entropy_with_logits, [x, y])


def test_gradcheck_mse_with_respect_to_target():
    assert gradcheck(F.mse_loss, [logits(seed=1), logits(seed=2)])


# ---- values against formulas written out independently ------------------------------------------


def _log_softmax(x):
    return x - np.log(np.exp(x).sum(1, keepdims=True))


def test_cross_entropy_value():
    x = logits()
    expected = -_log_softmax(x.data)[np.arange(4), TARGETS]
    assert F.cross_entropy(x, TARGETS).item() == pytest.approx(expected.mean())
    assert F.cross_entropy(x, TARGETS, reduction="sum").item() == pytest.approx(expected.sum())
    np.testing.assert_allclose(F.cross_entropy(x, TARGETS, reduction="none").data, expected)


def test_cross_entropy_label_smoothing_value():
    x, eps, c = logits(), 0.3, 3
    q = np.full((4, c), eps / c)
    q[np.arange(4), TARGETS] += 1 - eps
    expected = -(q * _log_softmax(x.data)).sum(1).mean()
    assert F.cross_entropy(x, TARGETS, label_smoothing=eps).item() == pytest.approx(expected)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x = logits()
    F.cross_entropy(x, TARGETS).backward()
    p = np.exp(_log_softmax(x.data))
    p[np.arange(4), TARGETS] -= 1
    np.testing.assert_allclose(x.grad, p / 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_is_finite_at_huge_logits(dtype):
    x = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 2]))
    loss.backward()
    assert np.isfinite(loss.data) and np.isfinite(x.grad).all()
    assert loss.item() == pytest.approx((2e4 + np.log(2)) / 2, rel=1e-6)
    assert loss.dtype == dtype


def test_log_softmax_and_nll_values_by_hand():
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(F.log_softmax(Tensor(x), axis=1).data, log_p)
    t = np.array([2, 0])
    assert F.nll_loss(Tensor(log_p), t).item() == pytest.approx(-(log_p[0, 2] + log_p[1, 0]) / 2)
    assert F.nll_loss(Tensor(log_p), t, reduction="sum").item() == pytest.approx(-(log_p[0, 2] + log_p[1, 0]))


def test_float_targets_error_suggests_an_integer_dtype():
    with pytest.raises(TypeError, match="dtype=autograd.long"):
        F.cross_entropy(logits(), Tensor([0.0, 2.0, 1.0, 2.0]))
    F.cross_entropy(logits(), Tensor([0, 2, 1, 2]))  # a list of ints is int64, as in PyTorch


def test_cross_entropy_accepts_tensor_and_list_targets():
    x = logits()
    a = F.cross_entropy(x, TARGETS).item()
    assert F.cross_entropy(x, Tensor(TARGETS)).item() == a
    assert F.cross_entropy(x, [0, 2, 1, 2]).item() == a


def test_bce_with_logits_value_and_stability():
    x = Tensor(np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0]), requires_grad=True)
    y = np.array([0.0, 1.0, 0.5, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    sig = 1 / (1 + np.exp(-x.data[1:4]))
    expected_mid = -(y[1:4] * np.log(sig) + (1 - y[1:4]) * np.log(1 - sig))
    np.testing.assert_allclose(loss.data[1:4], expected_mid)
    assert loss.data[0] == pytest.approx(0) and loss.data[4] == pytest.approx(0)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad[2], 0.5 - 0.5)  # sigma(0) - y, also at x = 0


def test_mse_and_l1_values():
    x, y = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 1.0])
    assert F.mse_loss(Tensor(x), y).item() == pytest.approx(10 / 3)
    assert F.l1_loss(Tensor(x), y).item() == pytest.approx(4 / 3)
    assert F.mse_loss(Tensor(x), y, reduction="sum").item() == pytest.approx(10)


def test_softmax_rows_sum_to_one_and_dim_alias():
    x = logits((3, 5))
    np.testing.assert_allclose(F.softmax(x, axis=1).data.sum(1), 1)
    np.testing.assert_allclose(F.softmax(x, dim=1).data, F.softmax(x, 1).data)
    np.testing.assert_allclose(F.softmax(x, dim=0).data.sum(0), 1)
    with pytest.raises(ValueError, match="alias"):
        F.softmax(x, axis=0, dim=1)


# ---- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("bad", [3, -1, 10])
def test_targets_out_of_range_name_the_class_count(fn, bad):
    targets = np.array([0, bad, 1, 2])
    with pytest.raises(IndexError, match="3 classes") as info:
        fn(logits(), targets)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("targets, error, match", [
    (np.array([0.0, 1.0, 1.0, 2.0]), TypeError, "integer class indices"),
    (np.array([0, 1]), ValueError, r"targets of shape \(4,\)"),
    (np.array([[0], [1], [1], [2]]), ValueError, r"targets of shape \(4,\)"),
])
def test_cross_entropy_bad_targets(targets, error, match):
    with pytest.raises(error, match=match):
        F.cross_entropy(logits(), targets)


def test_cross_entropy_needs_2d_logits():
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        F.cross_entropy(logits((4,)), TARGETS)


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.binary_cross_entropy_with_logits])
def test_elementwise_losses_need_equal_shapes(fn):
    with pytest.raises(ValueError, match=r"target size \(4, 1\) must be the same as input size \(4,\)"):
        fn(logits((4,)), np.zeros((4, 1)))


@pytest.mark.parametrize("make", [
    lambda: F.cross_entropy(logits(), TARGETS, reduction="avg"),
    lambda: F.mse_loss(logits(), probs01(), reduction="avg"),
    lambda: nn.MSELoss(reduction="avg"),
    lambda: F.cross_entropy(logits(), TARGETS, label_smoothing=1.5),
])
def test_bad_reduction_or_smoothing(make):
    with pytest.raises(ValueError):
        make()


def test_float32_losses_stay_float32_with_numpy_targets():
    x = Tensor(np.zeros((2, 3), dtype=np.float32), requires_grad=True)
    for loss in (F.mse_loss(x, np.ones((2, 3))), F.l1_loss(x, [[1, 2, 3], [4, 5, 6]]),
                 F.binary_cross_entropy_with_logits(x, np.ones((2, 3))), F.cross_entropy(x, [0, 1])):
        assert loss.dtype == np.float32
