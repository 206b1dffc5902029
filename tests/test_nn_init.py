"""nn.init checked statistically against formulas written here from REFERENCE.md's table (not copied
from nn/init.py): for a weight of shape (out, in, *k), fan_in = in·Πk, fan_out = out·Πk.

| scheme  | normal std                   | uniform bound                |
| LeCun   | sqrt(1/fan_in)               | sqrt(3/fan_in)               |
| Xavier  | gain sqrt(2/(fan_in+fan_out)) | gain sqrt(6/(fan_in+fan_out)) |
| Kaiming | gain/sqrt(fan)               | gain sqrt(3/fan)             |
"""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, manual_seed
from nn import init

OUT, IN = 300, 200  # 60,000 samples: the sample std is within ~0.6% of the true one
SQRT2 = 2**0.5

# (id, initializer call, shape, distribution, expected bound (uniform) or std (normal))
CASES = [
    ("xavier_uniform", lambda t: init.xavier_uniform_(t), (OUT, IN), "uniform", (6 / (IN + OUT)) ** 0.5),
    ("xavier_uniform_tanh_gain", lambda t: init.xavier_uniform_(t, gain=init.calculate_gain("tanh")),
     (OUT, IN), "uniform", 5 / 3 * (6 / (IN + OUT)) ** 0.5),
    ("xavier_normal", lambda t: init.xavier_normal_(t), (OUT, IN), "normal", (2 / (IN + OUT)) ** 0.5),
    ("xavier_normal_gain", lambda t: init.xavier_normal_(t, gain=2.0), (OUT, IN), "normal",
     2 * (2 / (IN + OUT)) ** 0.5),
    ("kaiming_uniform_relu", lambda t: init.kaiming_uniform_(t, nonlinearity="relu"), (OUT, IN), "uniform",
     SQRT2 * (3 / IN) ** 0.5),
    ("kaiming_uniform_default_a0", lambda t: init.kaiming_uniform_(t), (OUT, IN), "uniform",
     SQRT2 * (3 / IN) ** 0.5),
    ("kaiming_uniform_a_sqrt5_is_linear_default", lambda t: init.kaiming_uniform_(t, a=5**0.5), (OUT, IN),
     "uniform", 1 / IN**0.5),
    ("kaiming_uniform_fan_out", lambda t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
     (OUT, IN), "uniform", SQRT2 * (3 / OUT) ** 0.5),
    ("kaiming_uniform_leaky_0.2", lambda t: init.kaiming_uniform_(t, a=0.2), (OUT, IN), "uniform",
     (2 / (1 + 0.04)) ** 0.5 * (3 / IN) ** 0.5),
    ("kaiming_normal_relu", lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (OUT, IN), "normal",
     (2 / IN) ** 0.5),
    ("kaiming_normal_fan_out", lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
     (OUT, IN), "normal", (2 / OUT) ** 0.5),
    ("kaiming_normal_tanh", lambda t: init.kaiming_normal_(t, nonlinearity="tanh"), (OUT, IN), "normal",
     5 / 3 / IN**0.5),
    ("kaiming_normal_conv", lambda t: init.kaiming_normal_(t, nonlinearity="relu"), (64, 16, 5, 5), "normal",
     (2 / (16 * 25)) ** 0.5),
    ("xavier_uniform_conv", lambda t: init.xavier_uniform_(t), (64, 16, 5, 5), "uniform",
     (6 / (16 * 25 + 64 * 25)) ** 0.5),
    ("lecun_uniform", lambda t: init.lecun_uniform_(t), (OUT, IN), "uniform", (3 / IN) ** 0.5),
    ("lecun_normal", lambda t: init.lecun_normal_(t), (OUT, IN), "normal", (1 / IN) ** 0.5),
    ("lecun_normal_conv", lambda t: init.lecun_normal_(t), (64, 16, 5, 5), "normal", (1 / (16 * 25)) ** 0.5),
    ("normal_", lambda t: init.normal_(t, 0.0, 0.3), (OUT, IN), "normal", 0.3),
    ("uniform_symmetric", lambda t: init.uniform_(t, -0.7, 0.7), (OUT, IN), "uniform", 0.7),
]


@pytest.mark.parametrize("fill, shape, kind, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_initializer_statistics(fill, shape, kind, expected):
    manual_seed(0)
    t = Tensor(np.zeros(shape, dtype=np.float32))
    assert fill(t) is t
    w = t.data.astype(np.float64)
    assert t.dtype == np.float32
    assert abs(w.mean()) < 0.03 * expected
    if kind == "uniform":
        assert np.abs(w).max() <= expected * (1 + 1e-6)
        assert np.abs(w).max() > 0.99 * expected  # the bound is reached, not some smaller one
        assert w.std() == pytest.approx(expected / 3**0.5, rel=0.02)  # U(-b, b) has std b/sqrt(3)
    else:
        assert w.std() == pytest.approx(expected, rel=0.02)
        assert abs(np.mean(np.abs(w) < expected) - 0.6827) < 0.01  # a normal, not a uniform of that std


@pytest.mark.parametrize("nonlinearity, param, expected", [
    ("linear", None, 1.0), ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv_transpose2d", None, 1.0),
    ("sigmoid", None, 1.0), ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
    ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))), ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ("leaky_relu", 0, math.sqrt(2)), ("selu", None, 0.75),
])
def test_calculate_gain_table(nonlinearity, param, expected):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(expected)


def test_constant_fills():
    t = Tensor(np.empty((3, 4)))
    assert (init.zeros_(t).data == 0).all()
    assert (init.ones_(t).data == 1).all()
    assert (init.constant_(t, 2.5).data == 2.5).all()


def test_uniform_and_normal_ranges():
    t = Tensor(np.empty(10_000))
    d = init.uniform_(t, 2.0, 3.0).data
    assert d.min() >= 2 and d.max() < 3
    assert init.normal_(t, 5.0, 0.1).data.mean() == pytest.approx(5.0, abs=0.01)


def test_generator_argument_and_manual_seed_reproduce():
    a = init.xavier_normal_(Tensor(np.empty((5, 4))), generator=np.random.default_rng(3)).data.copy()
    b = init.xavier_normal_(Tensor(np.empty((5, 4))), generator=np.random.default_rng(3)).data
    np.testing.assert_array_equal(a, b)
    manual_seed(11)
    c = nn.Linear(4, 5).weight.data.copy()
    manual_seed(11)
    np.testing.assert_array_equal(c, nn.Linear(4, 5).weight.data)


def test_initializers_work_on_parameters_without_recording_a_graph():
    layer = nn.Linear(3, 2)
    init.kaiming_normal_(layer.weight)
    assert layer.weight._parents == () and layer.weight.requires_grad


@pytest.mark.parametrize("call, match", [
    (lambda: init.xavier_uniform_(Tensor(np.empty(5))), "fewer than 2 dimensions"),
    (lambda: init.kaiming_normal_(Tensor(np.empty((2, 2))), mode="fan_avg"), "fan_avg"),
    (lambda: init.calculate_gain("swish"), "Unsupported nonlinearity swish"),
    (lambda: init.calculate_gain("leaky_relu", "big"), "negative_slope"),
])
def test_initializer_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# Every initializer writes into the tensor in place, so each must bump its version exactly once (a graph
# that saved the old weights then refuses to backpropagate); one row per public initializer.
WRITERS = [
    ("uniform_", lambda t: init.uniform_(t, -1, 1)),
    ("normal_", lambda t: init.normal_(t)),
    ("constant_", lambda t: init.constant_(t, 0.5)),
    ("zeros_", init.zeros_),
    ("ones_", init.ones_),
    ("xavier_uniform_", init.xavier_uniform_),
    ("xavier_normal_", init.xavier_normal_),
    ("kaiming_uniform_", init.kaiming_uniform_),
    ("kaiming_normal_", init.kaiming_normal_),
    ("lecun_uniform_", init.lecun_uniform_),
    ("lecun_normal_", init.lecun_normal_),
]


def test_version_table_covers_every_initializer():
    public = {name for name in dir(init) if name.endswith("_") and not name.startswith("_")}
    assert public == {name for name, _ in WRITERS}


@pytest.mark.parametrize("fill", [f for _, f in WRITERS], ids=[n for n, _ in WRITERS])
def test_initializers_bump_the_version_once(fill):
    weight = nn.Parameter(np.full((3, 4), 7.0, dtype=np.float32))
    assert weight._version == 0
    fill(weight)
    assert weight._version == 1 and not (weight.data == 7.0).all()  # written, and counted once
    fill(weight)
    assert weight._version == 2


def test_rejected_initializer_call_keeps_the_version():
    bias = nn.Parameter(np.zeros(4, dtype=np.float32))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_uniform_(bias)
    assert bias._version == 0 and (bias.data == 0).all()
