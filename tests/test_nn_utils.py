"""clip_grad_norm_ and clip_grad_value_, for Tensor and Value parameters."""

import math

import numpy as np
import pytest

from autograd import Tensor, Value
from nn.utils import clip_grad_norm_, clip_grad_value_


def tensors_with_grads():
    a = Tensor(np.zeros(2), requires_grad=True)
    b = Tensor(np.zeros((2, 2)), requires_grad=True)
    a.grad = np.array([3.0, -4.0])
    b.grad = np.array([[1.0, -2.0], [0.0, 2.0]])
    return [a, b]


ALL = np.array([3.0, -4.0, 1.0, -2.0, 0.0, 2.0])  # every gradient entry, for the expected norms


@pytest.mark.parametrize("norm_type, expected", [
    (2, math.sqrt((ALL**2).sum())), (2.0, math.sqrt(34.0)), (1, np.abs(ALL).sum()), (math.inf, 4.0),
    (3, (np.abs(ALL) ** 3).sum() ** (1 / 3)),
])
def test_clip_grad_norm_returns_total_before_clipping_and_scales(norm_type, expected):
    params = tensors_with_grads()
    total = clip_grad_norm_(params, max_norm=1.0, norm_type=norm_type)
    assert float(total) == pytest.approx(expected) and total.item() == pytest.approx(expected)
    coef = 1.0 / (expected + 1e-6)
    np.testing.assert_allclose(params[0].grad, np.array([3.0, -4.0]) * coef)
    np.testing.assert_allclose(params[1].grad, np.array([[1.0, -2.0], [0.0, 2.0]]) * coef)


def test_clip_grad_norm_leaves_small_gradients_alone_and_works_in_place():
    params = tensors_with_grads()
    arrays = [p.grad for p in params]
    clip_grad_norm_(params, max_norm=100.0)
    np.testing.assert_allclose(params[0].grad, [3.0, -4.0])
    assert all(p.grad is a for p, a in zip(params, arrays))


def test_clip_grad_norm_with_values():
    x, y = Value(1.0), Value(2.0)
    x.grad, y.grad = 3.0, -4.0
    total = clip_grad_norm_([x, y], max_norm=1.0)
    assert total == pytest.approx(5.0)
    assert x.grad == pytest.approx(0.6, rel=1e-5) and y.grad == pytest.approx(-0.8, rel=1e-5)


def test_clip_grad_norm_mixed_single_and_missing_grads():
    t = Tensor(np.zeros(2), requires_grad=True)
    assert clip_grad_norm_([t], 1.0) == 0.0  # no gradient: nothing to clip
    t.grad = np.array([6.0, 8.0])
    assert clip_grad_norm_(t, 5.0) == pytest.approx(10.0)  # a single tensor is accepted
    np.testing.assert_allclose(t.grad, [3.0, 4.0], rtol=1e-5)


def test_clip_grad_norm_float32_gradients_stay_float32():
    t = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    t.grad = np.array([10.0, 0.0, 0.0], dtype=np.float32)
    clip_grad_norm_([t], 1.0)
    assert t.grad.dtype == np.float32 and t.grad[0] == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_nonfinite():
    t = Tensor(np.zeros(2), requires_grad=True)
    t.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="error_if_nonfinite"):
        clip_grad_norm_([t], 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    params = tensors_with_grads()
    v = Value(0.0)
    v.grad = -7.0
    clip_grad_value_([*params, v], 1.5)
    np.testing.assert_array_equal(params[0].grad, [1.5, -1.5])
    np.testing.assert_array_equal(params[1].grad, [[1.0, -1.5], [0.0, 1.5]])
    assert v.grad == -1.5
    with pytest.raises(ValueError):
        clip_grad_value_(params, -1)


# ---- torch_state_dict -------------------------------------------------------------------------------------

from collections import OrderedDict  # noqa: E402

import nn  # noqa: E402
from nn.utils import torch_state_dict  # noqa: E402


def _pair_of_models(torch):
    ours = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3))
    return ours, theirs


def test_torch_state_dict_loads_strictly_into_the_torch_model_and_back():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair_of_models(torch)
    ours.train()
    ours(Tensor(np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)))  # running stats move
    converted = torch_state_dict(ours.state_dict())
    assert isinstance(converted, OrderedDict) and list(converted) == list(theirs.state_dict())
    assert all(isinstance(v, torch.Tensor) for v in converted.values())
    assert converted["1.num_batches_tracked"].dtype == torch.int64 and converted["1.num_batches_tracked"].item() == 1
    assert converted["0.weight"].dtype == torch.float32
    result = theirs.load_state_dict(converted, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    ours.eval()
    theirs.eval()
    with torch.no_grad():
        np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-6)
    # and back: a fresh seedgrad model loads torch's state_dict as it is
    again = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    again.load_state_dict(theirs.state_dict())
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(again.state_dict()[key].data, value.data)
        assert again.state_dict()[key].dtype == value.dtype


def test_torch_state_dict_is_a_copy_in_float64_too():
    torch = pytest.importorskip("torch")
    model = nn.Linear(2, 2).double()
    converted = torch_state_dict(model.state_dict(keep_vars=True))
    assert converted["weight"].dtype == torch.float64
    model.weight.data[...] = 7.0
    assert not (converted["weight"].numpy() == 7.0).any()


@pytest.mark.parametrize("bad, error, match", [
    (nn.Linear(2, 2), TypeError, r"got a Module; pass its state: torch_state_dict\(model.state_dict\(\)\)"),
    ([1, 2], TypeError, "expected a state_dict"),
    ({1: np.zeros(2)}, TypeError, "keys are parameter names"),
    ({"w": np.array(["a"])}, TypeError, "w is an array of dtype <U1"),
])
def test_torch_state_dict_bad_input(bad, error, match):
    pytest.importorskip("torch")
    with pytest.raises(error, match=match):
        torch_state_dict(bad)


def test_torch_state_dict_without_torch_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match="torch_state_dict needs PyTorch.*pip install torch"):
        torch_state_dict(nn.Linear(2, 2).state_dict())
