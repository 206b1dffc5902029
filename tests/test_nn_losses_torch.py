"""The losses against PyTorch, where it is installed: every row of test_nn_losses' table (value, and the
gradients of the input and of whatever else PyTorch differentiates), huge logits, float32, PyTorch's edge
cases, the modules' buffers, and the makemore model ported with ``import autograd as torch`` giving the
same losses as real torch for 20 SGD steps."""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor

torch = pytest.importorskip("torch")

from test_nn_losses import (  # noqa: E402  (the same table and model, also run without torch)
    IDS,
    ROWS,
    dataset,
    differentiable,
    initial_weights,
    row_arrays,
    tiny_corpus,
    train_makemore,
)

TF = torch.nn.functional


def torch_value(name, value, fn):
    """A row's array as a torch tensor: class indices as int64, everything else as floats."""
    if name == "target" and np.asarray(value).dtype.kind in "iu":
        return torch.from_numpy(np.asarray(value, dtype=np.int64))
    return torch.tensor(value)


def run_both(fn, x, target, options, grad_names, dtype=np.float64):
    """The loss and the gradients of `grad_names` (of Σ w·loss for fixed random w), ours and torch's."""
    arrays = {"input": x.astype(dtype), "target": target}
    if np.asarray(target).dtype.kind == "f":
        arrays["target"] = np.asarray(target, dtype=dtype)
    for k in ("weight", "pos_weight"):
        if k in options:
            arrays[k] = np.asarray(options[k], dtype=dtype)
    ours = {k: (Tensor(v, requires_grad=k in grad_names) if k != "target" or np.asarray(v).dtype.kind == "f"
                else v) for k, v in arrays.items()}
    theirs = {k: torch_value(k, v, fn) for k, v in arrays.items()}
    for k in grad_names:
        theirs[k].requires_grad_(True)
    rest = {k: v for k, v in options.items() if k not in ("weight", "pos_weight")}

    def go(lib, values):
        kw = {k: values[k] for k in ("weight", "pos_weight") if k in values}
        return getattr(lib, fn)(values["input"], values["target"], **kw, **rest)

    a, b = go(F, ours), go(TF, theirs)
    w = np.random.default_rng(7).standard_normal(a.shape).astype(dtype)
    (a * w).sum().backward()
    (b * torch.from_numpy(w)).sum().backward()
    return (a.data, {k: ours[k].grad for k in grad_names}), (b.detach().numpy(), {k: theirs[k].grad.numpy()
                                                                                   for k in grad_names})


def torch_differentiates(fn, target, options):
    """What PyTorch has a derivative for: the input, a float target, and the weight of probability targets
    in cross_entropy (its other weights cannot require grad)."""
    names = [n for n in differentiable(fn, target, options) if n in ("input", "target")]
    if fn == "cross_entropy" and isinstance(target, str) and "weight" in options:
        names.append("weight")
    return names


@pytest.mark.parametrize("fn, shape, target, options", [r[1:] for r in ROWS], ids=IDS)
def test_row_matches_torch(fn, shape, target, options):
    grad_names = torch_differentiates(fn, target, options)
    x, target, options = row_arrays(fn, shape, target, options)
    (ours, our_grads), (theirs, their_grads) = run_both(fn, x, target, options, grad_names)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    for name in grad_names:
        np.testing.assert_allclose(our_grads[name], their_grads[name], rtol=1e-10, atol=1e-14, err_msg=name)


CLASS_ROWS = [r for r in ROWS if r[1] in ("cross_entropy", "binary_cross_entropy_with_logits")]


@pytest.mark.parametrize("fn, shape, target, options", [r[1:] for r in CLASS_ROWS], ids=[r[0] for r in CLASS_ROWS])
def test_row_matches_torch_at_huge_logits(fn, shape, target, options):
    x, target, options = row_arrays(fn, shape, target, options)
    x = x * 1e4
    (ours, our_grads), (theirs, their_grads) = run_both(fn, x, target, options, ["input"])
    assert np.isfinite(ours).all() and np.isfinite(our_grads["input"]).all()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-8)
    np.testing.assert_allclose(our_grads["input"], their_grads["input"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("fn, shape, target, options", [r[1:] for r in ROWS], ids=IDS)
def test_row_matches_torch_in_float32(fn, shape, target, options):
    x, target, options = row_arrays(fn, shape, target, options)
    (ours, our_grads), (theirs, their_grads) = run_both(fn, x, target, options, ["input"], dtype=np.float32)
    assert ours.dtype == np.float32 and our_grads["input"].dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-6)
    np.testing.assert_allclose(our_grads["input"], their_grads["input"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn, options", [
    ("cross_entropy", {}), ("cross_entropy", {"label_smoothing": 0.2, "weight": [1.0, 2.0, 3.0]}),
    ("nll_loss", {"weight": [1.0, 2.0, 3.0]}),
])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_every_target_ignored_as_torch(fn, options, reduction):
    x = np.random.default_rng(0).standard_normal((4, 3))
    opts = {**{k: np.array(v) if k == "weight" else v for k, v in options.items()}, "reduction": reduction}
    (ours, g), (theirs, tg) = run_both(fn, x, np.full(4, -100), opts, ["input"])
    np.testing.assert_array_equal(ours, theirs)  # nan for the mean, zeros otherwise
    np.testing.assert_array_equal(g["input"], tg["input"])


def test_empty_batches_as_torch():
    empty_classes, empty_probs = np.zeros(0, dtype=np.int64), np.zeros((0, 3))
    for fn, target in [("cross_entropy", empty_classes), ("cross_entropy", empty_probs),
                       ("nll_loss", empty_classes), ("binary_cross_entropy_with_logits", empty_probs)]:
        for reduction in ("mean", "sum", "none"):
            (ours, _), (theirs, _) = run_both(fn, np.zeros((0, 3)), target, {"reduction": reduction}, ["input"])
            np.testing.assert_array_equal(ours, theirs)


def test_minus_inf_logits_as_torch():
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, 0.0, 2.0], [0.5, 0.0, -np.inf]])
    (ours, g), (theirs, tg) = run_both("cross_entropy", x, np.array([0, -100, 1]), {}, ["input"])
    np.testing.assert_allclose(ours, theirs)
    np.testing.assert_allclose(g["input"], tg["input"])


@pytest.mark.parametrize("make", [
    lambda lib: lib.CrossEntropyLoss(weight=lib_tensor(lib, [1.0, 2.0])),
    lambda lib: lib.CrossEntropyLoss(),
    lambda lib: lib.NLLLoss(weight=lib_tensor(lib, [1.0, 2.0]), ignore_index=1),
    lambda lib: lib.BCEWithLogitsLoss(pos_weight=lib_tensor(lib, [1.0, 2.0])),
    lambda lib: lib.BCEWithLogitsLoss(weight=lib_tensor(lib, [1.0, 2.0]), pos_weight=lib_tensor(lib, [3.0, 2.0])),
    lambda lib: lib.BCELoss(weight=lib_tensor(lib, [1.0, 2.0])),
])
def test_modules_have_torch_s_buffers_and_attributes(make):
    ours, theirs = make(nn), make(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name in ("reduction", "ignore_index", "label_smoothing"):
        assert getattr(ours, name, None) == getattr(theirs, name, None)
    assert repr(ours) == repr(theirs)


def lib_tensor(lib, values):
    return torch.tensor(values) if lib is torch.nn else Tensor(values)


def test_out_of_range_target_is_an_index_error_in_both():
    x = np.random.default_rng(0).standard_normal((2, 3))
    with pytest.raises(IndexError):
        TF.cross_entropy(torch.tensor(x), torch.tensor([0, 3]))
    with pytest.raises(IndexError):
        F.cross_entropy(Tensor(x), [0, 3])


def test_makemore_port_gives_torch_s_losses():
    X, Y = dataset(tiny_corpus())
    weights = initial_weights()
    ours = train_makemore(autograd, nn, F, optim, weights, X, Y, steps=20)
    theirs = train_makemore(torch, torch.nn, TF, torch.optim, weights, X, Y, steps=20)
    assert ours[0] == pytest.approx(math.log(27), abs=0.02)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)
    assert ours[-1] < ours[0] - 0.5
