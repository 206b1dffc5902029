"""Losses and nn.functional: tables of (loss, option) rows checked against values worked out by hand and
against a plain-numpy reference written out here element by element; a float64 gradcheck of every row
(input, and target and weights where they have a gradient); stability at huge logits; PyTorch's edge
cases (everything ignored, empty batches); bad input that raises and changes nothing; and a makemore-style
character model trained with optim.SGD. Comparisons with torch are in test_nn_losses_torch.py."""

import math
import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor, gradcheck

RNG = np.random.default_rng(0)
TARGETS = np.array([0, 2, 1, 2])


def logits(shape=(4, 3), seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True, dtype=np.float64)


def probs01(shape=(4, 3), seed=5):
    return np.random.default_rng(seed).uniform(0, 1, shape)


# ---- a plain-numpy reference, one element at a time, straight from PyTorch's documented formulas ---------


def _rows(x):
    """(index of the element, its vector of class scores) for an (N, C, d1, ...) or unbatched (C,) input."""
    if x.ndim == 1:
        return [((), x)]
    moved = np.moveaxis(x, 1, -1)
    return [(i, moved[i]) for i in np.ndindex(moved.shape[:-1])]


def _log_softmax_row(v):
    m = max(v)
    lse = m + math.log(sum(math.exp(u - m) for u in v))
    return [u - lse for u in v]


def _reduce_ref(losses, reduction, denominator):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / denominator if denominator else float("nan")


def ref_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    c = x.shape[0 if x.ndim == 1 else 1]
    w = np.ones(c) if weight is None else weight
    a = label_smoothing
    probabilities = target.shape == x.shape
    losses, denominator = np.zeros(np.shape(target) if not probabilities else x.shape[:1] + x.shape[2:]), 0.0
    if x.ndim == 1:
        losses = np.zeros(())
    for i, v in _rows(x):
        log_p = _log_softmax_row(v)
        if probabilities:
            y = target if x.ndim == 1 else np.moveaxis(target, 1, -1)[i]
            losses[i] = -sum(w[k] * ((1 - a) * y[k] + a / c) * log_p[k] for k in range(c))
            denominator += 1
        else:
            t = int(target[i])
            if t == ignore_index:
                continue
            losses[i] = -(1 - a) * w[t] * log_p[t] - a / c * sum(w[k] * log_p[k] for k in range(c))
            denominator += w[t]
    return _reduce_ref(losses, reduction, denominator)


def ref_nll_loss(x, target, weight=None, ignore_index=-100, reduction="mean"):
    c = x.shape[0 if x.ndim == 1 else 1]
    w = np.ones(c) if weight is None else weight
    losses, denominator = np.zeros(np.shape(target)), 0.0
    for i, v in _rows(x):
        t = int(target[i])
        if t != ignore_index:
            losses[i] = -w[t] * v[t]
            denominator += w[t]
    return _reduce_ref(losses, reduction, denominator)


def ref_bce_with_logits(x, y, weight=None, reduction="mean", pos_weight=None):
    sig = 1 / (1 + np.exp(-x))  # moderate logits only: the plain formula, not the stable one
    p = 1.0 if pos_weight is None else pos_weight
    w = 1.0 if weight is None else weight
    losses = -w * (p * y * np.log(sig) + (1 - y) * np.log(1 - sig))
    return _reduce_ref(losses, reduction, losses.size)


def ref_bce(p, y, weight=None, reduction="mean"):
    w = 1.0 if weight is None else weight
    losses = -w * (y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))
    return _reduce_ref(losses, reduction, losses.size)


REFERENCES = {"cross_entropy": ref_cross_entropy, "nll_loss": ref_nll_loss,
              "binary_cross_entropy_with_logits": ref_bce_with_logits, "binary_cross_entropy": ref_bce}
MODULES = {"cross_entropy": nn.CrossEntropyLoss, "nll_loss": nn.NLLLoss,
           "binary_cross_entropy_with_logits": nn.BCEWithLogitsLoss, "binary_cross_entropy": nn.BCELoss}

# ---- the table: (id, loss, input shape, target, options) ------------------------------------------------
# target: an int array (class indices), "probs" (class probabilities of the input's shape, float) or
# "binary" (BCE targets in [0, 1]); options "weight"/"pos_weight" are arrays that become float64 tensors.

W3 = np.array([0.5, 2.0, 1.5])
W4 = np.array([1.0, 0.25, 3.0, 2.0])
IGNORED = np.array([0, -100, 1, 2])
ND = np.array([[[0, 3, 1], [2, -100, 0]], [[3, 3, 1], [-100, 2, 1]]])  # (N, d1, d2) = (2, 2, 3), C = 4

ROWS = [
    ("ce", "cross_entropy", (4, 3), TARGETS, {}),
    ("ce_sum", "cross_entropy", (4, 3), TARGETS, {"reduction": "sum"}),
    ("ce_none", "cross_entropy", (4, 3), TARGETS, {"reduction": "none"}),
    ("ce_weight", "cross_entropy", (4, 3), TARGETS, {"weight": W3}),
    ("ce_weight_sum", "cross_entropy", (4, 3), TARGETS, {"weight": W3, "reduction": "sum"}),
    ("ce_weight_none", "cross_entropy", (4, 3), TARGETS, {"weight": W3, "reduction": "none"}),
    ("ce_ignore", "cross_entropy", (4, 3), IGNORED, {}),
    ("ce_ignore_weight", "cross_entropy", (4, 3), IGNORED, {"weight": W3}),
    ("ce_ignore_index_1", "cross_entropy", (4, 3), TARGETS, {"ignore_index": 1, "weight": W3}),
    ("ce_smoothing", "cross_entropy", (4, 3), TARGETS, {"label_smoothing": 0.2}),
    ("ce_smoothing_none", "cross_entropy", (4, 3), TARGETS, {"label_smoothing": 0.1, "reduction": "none"}),
    ("ce_smoothing_weight", "cross_entropy", (4, 3), TARGETS, {"label_smoothing": 0.3, "weight": W3}),
    ("ce_smoothing_weight_ignore", "cross_entropy", (4, 3), IGNORED, {"label_smoothing": 0.3, "weight": W3}),
    ("ce_smoothing_weight_ignore_sum", "cross_entropy", (4, 3), IGNORED,
     {"label_smoothing": 0.3, "weight": W3, "reduction": "sum"}),
    ("ce_smoothing_1", "cross_entropy", (4, 3), TARGETS, {"label_smoothing": 1.0, "weight": W3}),
    ("ce_nd", "cross_entropy", (2, 4, 2, 3), ND, {}),
    ("ce_nd_weight_smoothing", "cross_entropy", (2, 4, 2, 3), ND, {"weight": W4, "label_smoothing": 0.2}),
    ("ce_nd_none", "cross_entropy", (2, 4, 2, 3), ND, {"weight": W4, "reduction": "none"}),
    ("ce_unbatched", "cross_entropy", (3,), np.array(2), {}),
    ("ce_unbatched_none_weight_smoothing", "cross_entropy", (3,), np.array(1),
     {"weight": W3, "label_smoothing": 0.4, "reduction": "none"}),
    ("ce_probs", "cross_entropy", (4, 3), "probs", {}),
    ("ce_probs_sum", "cross_entropy", (4, 3), "probs", {"reduction": "sum"}),
    ("ce_probs_weight_smoothing", "cross_entropy", (4, 3), "probs", {"weight": W3, "label_smoothing": 0.25}),
    ("ce_probs_nd_none", "cross_entropy", (2, 4, 3), "probs", {"weight": W4, "reduction": "none"}),
    ("ce_probs_unbatched", "cross_entropy", (3,), "probs", {"label_smoothing": 0.1}),
    ("nll", "nll_loss", (4, 3), TARGETS, {}),
    ("nll_sum", "nll_loss", (4, 3), TARGETS, {"reduction": "sum"}),
    ("nll_none", "nll_loss", (4, 3), TARGETS, {"reduction": "none"}),
    ("nll_weight", "nll_loss", (4, 3), TARGETS, {"weight": W3}),
    ("nll_ignore_weight", "nll_loss", (4, 3), IGNORED, {"weight": W3}),
    ("nll_ignore_weight_none", "nll_loss", (4, 3), IGNORED, {"weight": W3, "reduction": "none"}),
    ("nll_nd_weight", "nll_loss", (2, 4, 2, 3), ND, {"weight": W4}),
    ("nll_unbatched", "nll_loss", (3,), np.array(0), {"weight": W3}),
    ("bce_logits", "binary_cross_entropy_with_logits", (4, 3), "binary", {}),
    ("bce_logits_sum", "binary_cross_entropy_with_logits", (4, 3), "binary", {"reduction": "sum"}),
    ("bce_logits_none", "binary_cross_entropy_with_logits", (4, 3), "binary", {"reduction": "none"}),
    ("bce_logits_weight", "binary_cross_entropy_with_logits", (4, 3), "binary", {"weight": W3}),
    ("bce_logits_pos_weight", "binary_cross_entropy_with_logits", (4, 3), "binary", {"pos_weight": W3}),
    ("bce_logits_both_none", "binary_cross_entropy_with_logits", (4, 3), "binary",
     {"weight": np.array([[1.0], [2.0], [0.5], [3.0]]), "pos_weight": W3, "reduction": "none"}),
    ("bce_logits_nd_pos_weight", "binary_cross_entropy_with_logits", (2, 3, 4), "binary",
     {"pos_weight": W4, "reduction": "sum"}),
    ("bce", "binary_cross_entropy", (4, 3), "binary", {}),
    ("bce_weight_sum", "binary_cross_entropy", (4, 3), "binary", {"weight": W3, "reduction": "sum"}),
    ("bce_none", "binary_cross_entropy", (4, 3), "binary", {"reduction": "none"}),
]
IDS = [r[0] for r in ROWS]


def row_arrays(fn, shape, target, options):
    """The row's data as float64 arrays: the input (probabilities for BCE), the target, the weights."""
    x = np.random.default_rng(1).standard_normal(shape)
    if fn == "binary_cross_entropy":
        x = np.random.default_rng(1).uniform(0.05, 0.95, shape)
    if isinstance(target, str):
        target = np.random.default_rng(2).uniform(0, 1, shape)
        if fn == "cross_entropy":  # probabilities: each element's sum is 1 here (it need not be)
            target = target / target.sum(axis=0 if len(shape) == 1 else 1, keepdims=True)
    return x, target, options


def differentiable(fn, target, options):
    """The names of the arguments with a gradient: the input, a float target, the weights."""
    names = ["input"]
    if isinstance(target, str):
        names.append("target")
    return names + [k for k in ("weight", "pos_weight") if k in options]


def call(fn, values, options):
    """F.<fn>(input, target, **options) with `values` (name -> tensor) replacing options where given."""
    kwargs = {k: values.get(k, v) for k, v in options.items()}
    return getattr(F, fn)(values["input"], values["target"], **kwargs)


@pytest.mark.parametrize("fn, shape, target, options", [r[1:] for r in ROWS], ids=IDS)
def test_loss_matches_the_reference(fn, shape, target, options):
    x, target, options = row_arrays(fn, shape, target, options)
    expected = REFERENCES[fn](x, target, **options)
    ours = call(fn, {"input": Tensor(x), "target": target}, options)
    assert ours.shape == np.shape(expected)
    np.testing.assert_allclose(ours.data, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("fn, shape, target, options", [r[1:] for r in ROWS], ids=IDS)
def test_loss_gradcheck(fn, shape, target, options):
    x, target, options = row_arrays(fn, shape, target, options)
    names = differentiable(fn, target, options)
    arrays = {"input": x, "target": target, **options}
    tensors = [Tensor(arrays[name], requires_grad=True, dtype=np.float64) for name in names]

    def f(*ts):
        return call(fn, {"target": target, **dict(zip(names, ts))}, options)

    assert gradcheck(f, tensors)


@pytest.mark.parametrize("fn, shape, target, options", [r[1:] for r in ROWS], ids=IDS)
def test_module_is_its_function(fn, shape, target, options):
    x, target, options = row_arrays(fn, shape, target, options)
    ours = MODULES[fn](**options)(Tensor(x), target)
    np.testing.assert_array_equal(ours.data, call(fn, {"input": Tensor(x), "target": target}, options).data)


# other functions of nn.functional: (id, function of one float64 tensor)
GRADCHECK_CASES = [
    ("CrossEntropyLoss", lambda x: nn.CrossEntropyLoss()(x, TARGETS)),
    ("nll_of_log_softmax", lambda x: F.nll_loss(F.log_softmax(x, axis=1), TARGETS)),
    ("mse_loss", lambda x: F.mse_loss(x, probs01())),
    ("mse_loss_none", lambda x: F.mse_loss(x, probs01(), reduction="none")),
    ("MSELoss", lambda x: nn.MSELoss(reduction="sum")(x, probs01())),
    ("l1_loss", lambda x: F.l1_loss(x, probs01())),
    ("L1Loss", lambda x: nn.L1Loss(reduction="none")(x, probs01())),
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
def test_gradcheck_functions(fn):
    assert gradcheck(fn, [logits()])


def test_gradcheck_linear_all_inputs():
    x, W, b = logits((5, 3), 1), logits((2, 3), 2), logits((2,), 3)
    assert gradcheck(F.linear, [x, W, b])
    assert gradcheck(lambda x, W: F.linear(x, W), [x, W])


def test_gradcheck_mse_with_respect_to_target():
    assert gradcheck(F.mse_loss, [logits(seed=1), logits(seed=2)])


# ---- values worked out by hand ------------------------------------------------------------------------

LN2, LN3, LN6 = math.log(2), math.log(3), math.log(6)
HAND_X = np.log([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])  # softmax rows (1/6, 2/6, 3/6) and (1/3, 1/3, 1/3)

HAND = [
    # (id, loss, input, target, options, value)
    ("uniform_27", "cross_entropy", np.zeros((5, 27)), np.arange(5), {}, math.log(27)),
    ("two_rows", "cross_entropy", HAND_X, np.array([2, 0]), {}, (LN2 + LN3) / 2),
    ("two_rows_sum", "cross_entropy", HAND_X, np.array([2, 0]), {"reduction": "sum"}, LN2 + LN3),
    # weighted mean: Σ w_t ℓ / Σ w_t = (3·ln 2 + 1·ln 3) / (3 + 1)
    ("weighted_mean", "cross_entropy", HAND_X, np.array([2, 0]), {"weight": np.array([1.0, 2.0, 3.0])},
     (3 * LN2 + LN3) / 4),
    ("ignored_row", "cross_entropy", HAND_X, np.array([2, -100]), {}, LN2),
    ("ignore_index_0", "cross_entropy", HAND_X, np.array([2, 0]), {"ignore_index": 0}, LN2),
    # smoothing 0.3: ℓ = 0.7·(−log p_t) + 0.1·Σ_c (−log p_c); row 0: 0.7 ln 2 + 0.1 (ln 6 + ln 3 + ln 2)
    ("smoothing_row", "cross_entropy", HAND_X[:1], np.array([2]), {"label_smoothing": 0.3},
     0.7 * LN2 + 0.1 * (LN6 + LN3 + LN2)),
    # smoothing with weights (1, 2, 3), mean over Σ w_t = 3: the smoothing term is weighted too
    ("smoothing_weighted", "cross_entropy", HAND_X[:1], np.array([2]),
     {"label_smoothing": 0.3, "weight": np.array([1.0, 2.0, 3.0])},
     (0.7 * 3 * LN2 + 0.1 * (1 * LN6 + 2 * LN3 + 3 * LN2)) / 3),
    ("probabilities", "cross_entropy", HAND_X[:1], np.array([[0.0, 0.5, 0.5]]), {}, (LN3 + LN2) / 2),
    # probabilities with weights: the mean is over the elements (1 here), not over the weights
    ("probabilities_weighted", "cross_entropy", HAND_X[:1], np.array([[0.0, 0.5, 0.5]]),
     {"weight": np.array([1.0, 2.0, 4.0])}, (2 * LN3 + 4 * LN2) / 2),
    ("unbatched", "cross_entropy", HAND_X[0], np.array(1), {"reduction": "none"}, LN3),
    ("nll_weighted", "nll_loss", np.array([[-1.0, -2.0], [-3.0, -4.0]]), np.array([1, 0]),
     {"weight": np.array([1.0, 3.0])}, (3 * 2.0 + 1 * 3.0) / 4),
    ("bce_logits_0", "binary_cross_entropy_with_logits", np.zeros(2), np.array([1.0, 0.0]), {}, LN2),
    ("bce_logits_pos_weight", "binary_cross_entropy_with_logits", np.zeros((1, 2)), np.array([[1.0, 1.0]]),
     {"pos_weight": np.array([3.0, 1.0])}, (3 * LN2 + LN2) / 2),
    ("bce_half", "binary_cross_entropy", np.array([0.5, 0.5]), np.array([1.0, 0.0]), {"weight": np.array(2.0)},
     2 * LN2),
]


@pytest.mark.parametrize("fn, x, target, options, value", [h[1:] for h in HAND], ids=[h[0] for h in HAND])
def test_values_worked_out_by_hand(fn, x, target, options, value):
    assert call(fn, {"input": Tensor(x), "target": target}, options).item() == pytest.approx(value, rel=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x = logits()
    F.cross_entropy(x, TARGETS).backward()
    p = np.exp(x.data) / np.exp(x.data).sum(1, keepdims=True)
    p[np.arange(4), TARGETS] -= 1
    np.testing.assert_allclose(x.grad, p / 4, rtol=1e-12)


def test_weighted_cross_entropy_gradient_is_softmax_times_sum_q_minus_q():
    x, w, a = logits(), W3, 0.2
    F.cross_entropy(x, TARGETS, weight=w, label_smoothing=a, reduction="sum").backward()
    q = np.tile(a / 3 * w, (4, 1))
    q[np.arange(4), TARGETS] += (1 - a) * w[TARGETS]
    p = np.exp(x.data) / np.exp(x.data).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad, p * q.sum(1, keepdims=True) - q, rtol=1e-12)


def test_log_softmax_and_nll_values_by_hand():
    x = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(F.log_softmax(Tensor(x), axis=1).data, log_p)
    t = np.array([2, 0])
    assert F.nll_loss(Tensor(log_p), t).item() == pytest.approx(-(log_p[0, 2] + log_p[1, 0]) / 2)
    assert F.nll_loss(Tensor(log_p), t, reduction="sum").item() == pytest.approx(-(log_p[0, 2] + log_p[1, 0]))


def test_cross_entropy_is_nll_of_log_softmax_in_every_layout():
    for shape, t in [((4, 3), IGNORED), ((2, 4, 2, 3), ND), ((3,), np.array(1))]:
        x = logits(shape)
        log_p = F.log_softmax(x, dim=0 if len(shape) == 1 else 1)
        np.testing.assert_allclose(F.cross_entropy(x, t, weight=W4[: shape[0 if len(shape) == 1 else 1]]).data,
                                   F.nll_loss(log_p, t, weight=W4[: shape[0 if len(shape) == 1 else 1]]).data,
                                   rtol=1e-12)


# ---- numerical stability and PyTorch's edge cases -------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.1, "weight": [1.0, 2.0, 3.0]}], ids=["plain", "all"])
def test_cross_entropy_is_finite_at_huge_logits(dtype, options):
    x = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype), requires_grad=True)
    loss = F.cross_entropy(x, np.array([1, 2]), **options)
    loss.backward()
    assert np.isfinite(loss.data) and np.isfinite(x.grad).all()
    assert loss.dtype == dtype and x.grad.dtype == dtype
    if not options:
        assert loss.item() == pytest.approx((2e4 + np.log(2)) / 2, rel=1e-6)
        np.testing.assert_allclose(x.grad, [[0.5, -0.5, 0.0], [0.0, 0.25, -0.25]], atol=1e-7)


def test_cross_entropy_with_probabilities_is_finite_at_huge_logits():
    x = Tensor(np.array([[1e4, -1e4, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(x, np.array([[0.0, 0.5, 0.5]]))
    loss.backward()
    assert loss.item() == pytest.approx((2e4 + 1e4) / 2)
    np.testing.assert_allclose(x.grad, [[1.0, -0.5, -0.5]])


def test_cross_entropy_ignores_minus_inf_logits_it_does_not_pick():
    x = Tensor(np.array([[0.0, -np.inf, 0.0], [-np.inf, 0.0, 0.0]]), requires_grad=True)
    loss = F.cross_entropy(x, np.array([0, -100]))  # the ignored row's class 0 is −inf: still 0, not nan
    loss.backward()
    assert loss.item() == pytest.approx(math.log(2))
    np.testing.assert_allclose(x.grad, [[-0.5, 0.0, 0.5], [0.0, 0.0, 0.0]])


def test_bce_with_logits_value_and_stability():
    x = Tensor(np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0]), requires_grad=True)
    y = np.array([0.0, 1.0, 0.5, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=np.array(2.5))
    np.testing.assert_allclose(loss.data[1:4], ref_bce_with_logits(x.data[1:4], y[1:4], reduction="none",
                                                                   pos_weight=2.5))
    assert loss.data[0] == 0 and loss.data[4] == 0
    loss.sum().backward()
    assert np.isfinite(x.grad).all()
    assert x.grad[2] == pytest.approx(0.5 * 0.5 - 2.5 * 0.5 * 0.5)  # (1 − y)·σ(0) − p·y·σ(0)


def test_bce_with_logits_gradient_of_tiny_probabilities_is_exact():
    x = Tensor(np.array([40.0, -40.0]), requires_grad=True)  # σ(−40) ≈ 4e-18: no cancellation in 1 − σ
    F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0]), reduction="sum",
                                       pos_weight=np.array(2.0)).backward()
    s = 1 / (1 + math.exp(40.0))
    np.testing.assert_allclose(x.grad, [-2.0 * s, s], rtol=1e-12)


@pytest.mark.parametrize("fn, options", [
    (F.cross_entropy, {}), (F.cross_entropy, {"label_smoothing": 0.2}), (F.cross_entropy, {"weight": W3}),
    (F.cross_entropy, {"weight": W3, "label_smoothing": 0.2}), (F.nll_loss, {}), (F.nll_loss, {"weight": W3}),
])
def test_every_target_ignored_is_nan_with_zero_gradient_as_torch(fn, options):
    x = logits()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy 0/0 warnings either
        loss = fn(x, np.full(4, -100), **options)
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad, np.zeros((4, 3)))
    assert fn(x, np.full(4, -100), reduction="sum", **options).item() == 0.0
    np.testing.assert_array_equal(fn(x, np.full(4, -100), reduction="none", **options).data, np.zeros(4))


@pytest.mark.parametrize("call_empty", [
    lambda x: F.cross_entropy(x, np.zeros(0, dtype=np.int64)),
    lambda x: F.cross_entropy(x, np.zeros((0, 3))),
    lambda x: F.nll_loss(x, np.zeros(0, dtype=np.int64)),
    lambda x: F.binary_cross_entropy_with_logits(x, np.zeros((0, 3))),
], ids=["cross_entropy", "cross_entropy_probs", "nll_loss", "bce_with_logits"])
def test_mean_of_an_empty_batch_is_nan(call_empty):
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = call_empty(x)
        loss.backward()
    assert np.isnan(loss.item()) and x.grad.shape == (0, 3)


def test_loss_of_zero_targets_weight_counts_for_nothing():
    x = logits()
    alone = F.cross_entropy(x[1:], TARGETS[1:], weight=W3).item()
    zero_first = F.cross_entropy(x, TARGETS, weight=np.array([0.0, 2.0, 1.5])).item()
    assert zero_first == pytest.approx(F.cross_entropy(x[1:], TARGETS[1:], weight=[0.0, 2.0, 1.5]).item())
    assert alone == pytest.approx(ref_cross_entropy(x.data[1:], TARGETS[1:], weight=W3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_keep_the_input_dtype(dtype):
    x = Tensor(np.zeros((2, 3), dtype=dtype), requires_grad=True)
    for loss in (F.mse_loss(x, np.ones((2, 3))), F.l1_loss(x, [[1, 2, 3], [4, 5, 6]]),
                 F.binary_cross_entropy_with_logits(x, np.ones((2, 3)), weight=np.ones(3), pos_weight=np.ones(3)),
                 F.cross_entropy(x, [0, 1]), F.cross_entropy(x, [0, 1], weight=np.ones(3, dtype=np.float64)),
                 F.cross_entropy(x, np.full((2, 3), 1 / 3)), F.nll_loss(x, [0, 1], weight=[1.0, 2.0, 3.0])):
        assert loss.dtype == dtype
        x.grad = None
        loss.backward()
        assert x.grad.dtype == dtype


def test_targets_as_lists_tensors_and_arrays_agree():
    x = logits()
    a = F.cross_entropy(x, TARGETS).item()
    assert F.cross_entropy(x, Tensor(TARGETS)).item() == a
    assert F.cross_entropy(x, [0, 2, 1, 2]).item() == a
    assert F.cross_entropy(x, TARGETS.astype(np.uint8)).item() == a
    y = probs01()
    assert F.cross_entropy(x, Tensor(y)).item() == F.cross_entropy(x, y).item() == F.cross_entropy(x, y.tolist()).item()


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


# ---- modules: PyTorch's signatures, buffers and legacy arguments -------------------------------------------


def test_module_signatures_and_attributes_are_torch_s():
    ce = nn.CrossEntropyLoss(W3, None, 1, None, "sum", 0.1)  # PyTorch's positional order
    assert (ce.ignore_index, ce.reduction, ce.label_smoothing) == (1, "sum", 0.1)
    np.testing.assert_array_equal(ce.weight.data, W3.astype(np.float32))
    nll = nn.NLLLoss(None, None, 2, None, "none")
    assert (nll.weight, nll.ignore_index, nll.reduction) == (None, 2, "none")
    bce = nn.BCEWithLogitsLoss(None, None, None, "sum", Tensor(W3))
    assert bce.weight is None and bce.reduction == "sum" and bce.pos_weight.shape == (3,)
    assert nn.CrossEntropyLoss().ignore_index == -100 and nn.CrossEntropyLoss().label_smoothing == 0.0
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


def test_function_signatures_are_torch_s():
    import inspect

    expected = {
        F.cross_entropy: ["input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction",
                          "label_smoothing"],
        F.nll_loss: ["input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction"],
        F.binary_cross_entropy: ["input", "target", "weight", "size_average", "reduce", "reduction"],
        F.binary_cross_entropy_with_logits: ["input", "target", "weight", "size_average", "reduce", "reduction",
                                             "pos_weight"],
    }
    for fn, names in expected.items():
        params = inspect.signature(fn).parameters
        assert list(params) == names, fn.__name__
        assert params["reduction"].default == "mean"
    assert inspect.signature(F.cross_entropy).parameters["ignore_index"].default == -100
    assert inspect.signature(F.cross_entropy).parameters["label_smoothing"].default == 0.0


def test_weights_are_buffers_in_the_state_dict():
    assert list(nn.CrossEntropyLoss(weight=W3).state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.NLLLoss(weight=Tensor(W3)).state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(weight=W3, pos_weight=W3).state_dict()) == ["weight", "pos_weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=W3).state_dict()) == ["pos_weight"]


def test_legacy_size_average_and_reduce_map_as_torch():
    x = logits()
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        total = F.cross_entropy(x, TARGETS, size_average=False)
    assert total.item() == pytest.approx(F.cross_entropy(x, TARGETS, reduction="sum").item())
    with pytest.warns(UserWarning):
        assert nn.NLLLoss(reduce=False).reduction == "none"
    with pytest.warns(UserWarning):
        assert nn.BCEWithLogitsLoss(size_average=True, reduce=True).reduction == "mean"


def test_a_weight_changed_in_place_before_backward_raises():
    criterion = nn.CrossEntropyLoss(weight=Tensor(W3), label_smoothing=0.1)
    x = logits()
    loss = criterion(x, TARGETS)
    criterion.load_state_dict({"weight": Tensor(np.ones(3))})  # copies in place: the saved weight is stale
    with pytest.raises(RuntimeError, match="cross_entropy.*changed in place"):
        loss.backward()


# ---- bad input: an error naming the op and what is wrong, and nothing changed -------------------------------

BAD = [
    # (id, call on (x, w) with x float64 (4, 3) logits and w a (3,) weight tensor, errors, message)
    ("ce_target_too_big", lambda x, w: F.cross_entropy(x, [0, 3, 1, 2]), (IndexError, ValueError),
     r"cross_entropy: target 3 is out of bounds: there are 3 classes, so targets must be in \[0, 2\]"),
    ("ce_target_negative", lambda x, w: F.cross_entropy(x, [0, -1, 1, 2]), (IndexError, ValueError),
     "target -1 is out of bounds.*ignore_index=-100"),
    ("ce_target_is_not_the_ignore_index", lambda x, w: F.cross_entropy(x, [0, -100, 1, 2], ignore_index=-1),
     (IndexError, ValueError), "target -100 is out of bounds"),
    ("nll_target_too_big", lambda x, w: F.nll_loss(x, [0, 10, 1, 2]), (IndexError, ValueError),
     "nll_loss: target 10 is out of bounds: there are 3 classes"),
    ("ce_nd_target_out_of_range", lambda x, w: F.cross_entropy(x.reshape(2, 3, 2), [[0, 1], [1, 3]]),
     (IndexError, ValueError), "target 3 is out of bounds"),
    ("CrossEntropyLoss_target", lambda x, w: nn.CrossEntropyLoss(ignore_index=3)(x, [0, 3, 1, 4]),
     (IndexError, ValueError), r"target 4 .*ignore_index=3"),
    ("ce_float_targets_wrong_shape", lambda x, w: F.cross_entropy(x, [0.0, 2.0, 1.0, 2.0]), (TypeError, ValueError),
     r"cross_entropy: float targets are read as class probabilities, which must have the input's shape \(4, 3\), "
     r"but got a target of shape \(4,\); for class indices of shape \(4,\) use an integer dtype.*dtype=autograd.long"),
    ("ce_float_targets_wrong_shape_2d", lambda x, w: F.cross_entropy(x, np.zeros((4, 2))), (TypeError, ValueError),
     r"input's shape \(4, 3\), but got a target of shape \(4, 2\)"),
    ("ce_integer_probabilities", lambda x, w: F.cross_entropy(x, np.zeros((4, 3), dtype=np.int64)),
     (TypeError, ValueError), r"target of the input's shape \(4, 3\) holds class probabilities.*int64"),
    ("nll_float_targets", lambda x, w: F.nll_loss(x, np.zeros(4)), (TypeError, ValueError),
     r"nll_loss: float targets .*shape \(4,\)"),
    ("ce_bool_targets", lambda x, w: F.cross_entropy(x, np.zeros(4, dtype=bool)), (TypeError,),
     "integer class indices"),
    ("ce_target_shape", lambda x, w: F.cross_entropy(x, [0, 1]), (ValueError,),
     r"cross_entropy: expected a target of shape \(4,\) for the input of shape \(4, 3\).*got a target of shape \(2,\)"),
    ("ce_target_shape_nd", lambda x, w: F.cross_entropy(x.reshape(2, 3, 2), np.zeros((2, 3), dtype=np.int64)),
     (ValueError,), r"expected a target of shape \(2, 2\) for the input of shape \(2, 3, 2\)"),
    ("ce_unbatched_target_shape", lambda x, w: F.cross_entropy(x[0], [0, 1]), (ValueError,),
     r"expected a target of shape \(\) for the input of shape \(3,\)"),
    ("ce_scalar_input", lambda x, w: F.cross_entropy(x[0, 0], 0), (ValueError,), "got a scalar"),
    ("ce_integer_logits", lambda x, w: F.cross_entropy(Tensor([[1, 2]]), [0]), (TypeError,),
     "cross_entropy: input must be a floating point tensor"),
    ("ce_weight_length", lambda x, w: F.cross_entropy(x, TARGETS, weight=[1.0, 2.0]), (ValueError,),
     r"cross_entropy: weight should have one entry for each of the 3 classes of the input of shape \(4, 3\), but "
     r"got a weight of shape \(2,\)"),
    ("ce_weight_2d", lambda x, w: F.cross_entropy(x, probs01(), weight=np.ones((1, 3))), (ValueError,),
     r"weight of shape \(1, 3\)"),
    ("nll_weight_length", lambda x, w: nn.NLLLoss(weight=np.ones(4))(x, TARGETS), (ValueError,),
     r"nll_loss: weight should have one entry for each of the 3 classes.*shape \(4,\)"),
    ("ce_ignore_index_with_probabilities", lambda x, w: F.cross_entropy(x, probs01(), ignore_index=0),
     (ValueError,), "ignore_index=0 is not supported for class-probability"),
    ("ce_bad_reduction", lambda x, w: F.cross_entropy(x, TARGETS, weight=w, reduction="avg"), (ValueError,),
     "'avg' is not a valid value for reduction"),
    ("nll_bad_reduction", lambda x, w: F.nll_loss(x, TARGETS, reduction="elementwise"), (ValueError,),
     "'elementwise' is not a valid value for reduction"),
    ("bce_logits_bad_reduction", lambda x, w: F.binary_cross_entropy_with_logits(x, probs01(), reduction=None),
     (ValueError,), "None is not a valid value for reduction"),
    ("CrossEntropyLoss_bad_reduction", lambda x, w: nn.CrossEntropyLoss(reduction="avg"), (ValueError,),
     "'avg' is not a valid value"),
    ("BCEWithLogitsLoss_bad_reduction", lambda x, w: nn.BCEWithLogitsLoss(reduction="mena"), (ValueError,),
     "'mena' is not a valid value"),
    ("ce_smoothing", lambda x, w: F.cross_entropy(x, TARGETS, label_smoothing=1.5), (ValueError,),
     "cross_entropy: label_smoothing must be between 0.0 and 1.0, got 1.5"),
    ("CrossEntropyLoss_smoothing", lambda x, w: nn.CrossEntropyLoss(label_smoothing=-0.1), (ValueError,),
     "CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0"),
    ("bce_logits_target_shape", lambda x, w: F.binary_cross_entropy_with_logits(x, np.zeros(4)), (ValueError,),
     r"binary_cross_entropy_with_logits: target size \(4,\) must be the same as input size \(4, 3\)"),
    ("bce_logits_pos_weight", lambda x, w: F.binary_cross_entropy_with_logits(x, probs01(), pos_weight=np.ones(4)),
     (ValueError,), r"pos_weight of shape \(4,\) does not broadcast to the target's shape \(4, 3\)"),
    ("bce_logits_weight_grows", lambda x, w: nn.BCEWithLogitsLoss(weight=np.ones((2, 4, 3)))(x, probs01()),
     (ValueError,), r"weight of shape \(2, 4, 3\) does not broadcast to the target's shape \(4, 3\)"),
    ("mse_bad_reduction", lambda x, w: F.mse_loss(x, probs01(), reduction="avg"), (ValueError,), "avg"),
]


@pytest.mark.parametrize("bad, errors, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_names_the_problem_and_changes_nothing(bad, errors, match):
    x = logits()
    w = Tensor(W3.copy(), requires_grad=True)
    before_x, before_w = x.data.copy(), w.data.copy()
    with pytest.raises(errors[0], match=match) as info:
        bad(x, w)
    for kind in errors:
        assert isinstance(info.value, kind)
    np.testing.assert_array_equal(x.data, before_x)
    np.testing.assert_array_equal(w.data, before_w)
    assert x.grad is None and w.grad is None and x._version == 0 and w._version == 0


def test_a_failed_call_leaves_the_module_usable():
    loss = nn.CrossEntropyLoss(weight=W3)
    state = {k: v.data.copy() for k, v in loss.state_dict().items()}
    with pytest.raises(IndexError):
        loss(logits(), [0, 5, 1, 2])
    assert {k: v.data.tolist() for k, v in loss.state_dict().items()} == {k: v.tolist() for k, v in state.items()}
    assert loss(logits(), TARGETS).item() == pytest.approx(ref_cross_entropy(logits().data, TARGETS, weight=W3),
                                                           rel=1e-6)


# ---- a makemore-style character model ------------------------------------------------------------------

CHARS = ".abcdefghijklmnopqrstuvwxyz"  # '.' (0) starts and ends every word: 27 tokens
BLOCK = 3


def tiny_corpus(n_words=60, seed=0):
    """Pronounceable synthetic names (consonant-vowel syllables), seeded: a corpus with structure to learn."""
    rng = np.random.default_rng(seed)
    consonants, vowels = "bdklmnrst", "aeiou"
    return ["".join(rng.choice(list(consonants)) + rng.choice(list(vowels)) for _ in range(rng.integers(1, 4)))
            + ("n" if rng.random() < 0.3 else "") for _ in range(n_words)]


def dataset(words):
    """(contexts of BLOCK previous tokens, next token), as int64 arrays."""
    X, Y = [], []
    for word in words:
        context = [0] * BLOCK
        for ch in word + ".":
            X.append(context)
            Y.append(CHARS.index(ch))
            context = context[1:] + [CHARS.index(ch)]
    return np.array(X, dtype=np.int64), np.array(Y, dtype=np.int64)


def initial_weights(emb=8, hidden=64, seed=1):
    """float32 weights; the output layer starts tiny so that every one of the 27 classes starts near 1/27."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    return {"C": rng.standard_normal((27, emb)).astype(f32),
            "W1": (rng.standard_normal((BLOCK * emb, hidden)) / math.sqrt(BLOCK * emb)).astype(f32),
            "b1": np.zeros(hidden, dtype=f32),
            "W2": (rng.standard_normal((hidden, 27)) * 0.01).astype(f32),
            "b2": np.zeros(27, dtype=f32)}


def train_makemore(torch, nn, F, optim, weights, X, Y, steps, lr=0.5):
    """The same code runs on seedgrad (``import autograd as torch``) and on PyTorch."""
    C, W1, b1, W2, b2 = (nn.Parameter(torch.tensor(weights[k])) for k in ("C", "W1", "b1", "W2", "b2"))
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    opt = optim.SGD([C, W1, b1, W2, b2], lr=lr)
    losses = []
    for _ in range(steps):
        emb = C[Xt]  # (N, BLOCK, emb): rows of the embedding table picked by an int64 tensor
        h = torch.tanh(emb.view(-1, W1.shape[0]) @ W1 + b1)
        logits = h @ W2 + b2  # (N, 27)
        loss = F.cross_entropy(logits, Yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_makemore_trains_with_an_embedding_table_and_cross_entropy():
    X, Y = dataset(tiny_corpus())
    losses = train_makemore(autograd, nn, F, optim, initial_weights(), X, Y, steps=300)
    assert X.dtype == np.int64 and len(X) > 100
    assert losses[0] == pytest.approx(-math.log(1 / 27), abs=0.02)  # near-uniform at the start: ln 27 ≈ 3.2958
    assert losses[-1] < 1.5 and losses[-1] < losses[100] < losses[10] < losses[0]
    assert all(np.isfinite(losses))
