"""Layers: a gradcheck table (float64, every layer, inputs and parameters), bad input, Dropout and
BatchNorm semantics checked against values computed by hand."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, manual_seed


def rand(*shape, seed=0, requires_grad=True):
    data = np.random.default_rng(seed).standard_normal(shape)
    return Tensor(data, requires_grad=requires_grad, dtype=np.float64)


# (id, module factory, input shape, train mode). Every layer gets its inputs and parameters checked.
GRADCHECK_CASES = [
    ("linear", lambda: nn.Linear(4, 3), (5, 4), True),
    ("linear_no_bias", lambda: nn.Linear(4, 3, bias=False), (5, 4), True),
    ("linear_1d_input", lambda: nn.Linear(4, 3), (4,), True),
    ("linear_3d_input", lambda: nn.Linear(4, 3), (2, 5, 4), True),
    ("flatten", lambda: nn.Flatten(), (2, 3, 4), True),
    ("identity", lambda: nn.Identity(), (3, 4), True),
    ("relu", lambda: nn.ReLU(), (3, 4), True),
    ("tanh", lambda: nn.Tanh(), (3, 4), True),
    ("sigmoid", lambda: nn.Sigmoid(), (3, 4), True),
    ("leaky_relu", lambda: nn.LeakyReLU(0.1), (3, 4), True),
    ("gelu", lambda: nn.GELU(), (3, 4), True),
    ("gelu_tanh", lambda: nn.GELU(approximate="tanh"), (3, 4), True),
    ("softmax", lambda: nn.Softmax(dim=1), (3, 4), True),
    ("softmax_dim0", lambda: nn.Softmax(dim=0), (3, 4), True),
    ("log_softmax", lambda: nn.LogSoftmax(dim=-1), (3, 4), True),
    ("dropout_train", lambda: nn.Dropout(0.3), (4, 5), True),
    ("dropout_eval", lambda: nn.Dropout(0.3), (4, 5), False),
    ("batchnorm1d_2d", lambda: nn.BatchNorm1d(3), (6, 3), True),
    ("batchnorm1d_3d", lambda: nn.BatchNorm1d(3), (4, 3, 5), True),
    ("batchnorm1d_eval", lambda: nn.BatchNorm1d(3), (6, 3), False),
    ("batchnorm1d_no_affine", lambda: nn.BatchNorm1d(3, affine=False), (6, 3), True),
    ("batchnorm1d_untracked", lambda: nn.BatchNorm1d(3, track_running_stats=False), (6, 3), True),
    ("batchnorm2d", lambda: nn.BatchNorm2d(2), (3, 2, 3, 2), True),
    ("batchnorm2d_eval", lambda: nn.BatchNorm2d(2), (3, 2, 3, 2), False),
    ("layernorm", lambda: nn.LayerNorm(4), (3, 4), True),
    ("layernorm_2d_shape", lambda: nn.LayerNorm((3, 4)), (2, 3, 4), True),
    ("mlp", lambda: nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.LayerNorm(5), nn.Linear(5, 2)),
     (4, 3), True),
]


@pytest.mark.parametrize("factory, shape, training", [c[1:] for c in GRADCHECK_CASES],
                         ids=[c[0] for c in GRADCHECK_CASES])
def test_gradcheck_layer(factory, shape, training):
    manual_seed(0)
    layer = factory().double().train(training)
    for p in layer.parameters():  # non-trivial affine parameters, so their gradients mean something
        p.data[...] = np.random.default_rng(1).uniform(0.5, 1.5, p.shape)
    for b in layer.buffers():
        if b.dtype.kind == "f":
            b.data[...] = np.random.default_rng(2).uniform(0.5, 1.5, b.shape)
    x = rand(*shape)
    params = list(layer.parameters())

    def f(x, *params):
        manual_seed(0)  # the same dropout mask at every evaluation
        return layer(x)

    assert gradcheck(f, [x, *params])


def test_gradcheck_fails_for_a_wrong_backward():
    """Test the tester: a layer with a deliberately wrong vjp must fail."""
    from autograd import Function, GradcheckError

    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # missing factor 2

    def wrong_square(x):
        return WrongSquare.apply(x)

    with pytest.raises(GradcheckError):
        gradcheck(wrong_square, [rand(3)])


def test_parameters_are_float32_by_default():
    for layer in [nn.Linear(3, 2), nn.BatchNorm1d(3), nn.LayerNorm(3)]:
        assert all(p.dtype == np.float32 for p in layer.parameters())
    out = nn.Linear(3, 2)(Tensor(np.ones((4, 3), dtype=np.float32)))
    assert out.dtype == np.float32


def test_double_and_float_convert_parameters_and_buffers():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).double()
    bn = model[1]
    assert all(t.dtype == np.float64 for t in [*model.parameters(), bn.running_mean, bn.running_var])
    assert model[1].num_batches_tracked.dtype == np.int64
    model.float()
    assert all(p.dtype == np.float32 for p in model.parameters())


# ---- Linear --------------------------------------------------------------------------------------


def test_linear_computes_x_wt_plus_b():
    layer = nn.Linear(3, 2)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-6)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)


def test_linear_default_init_bound_is_one_over_sqrt_fan_in():
    manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound
    # U(-b, b) has standard deviation b / sqrt(3)
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.02 * bound


@pytest.mark.parametrize("shape", [(5, 3), (5,), (2, 4, 5)])
def test_linear_wrong_input_width_names_layer_expected_and_got(shape):
    layer = nn.Linear(4, 2)
    with pytest.raises(ValueError, match=r"Linear\(in_features=4.*expected.*4.*got.*" + str(shape[-1])):
        layer(Tensor(np.ones(shape)))


def test_linear_accepts_numpy_input_and_no_gradient_for_data():
    layer = nn.Linear(2, 1)
    out = layer(np.ones((3, 2), dtype=np.float32))
    out.sum().backward()
    assert layer.weight.grad.shape == (1, 2)


def test_flatten():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, -1)(x).shape == (24,)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4)


def test_activation_values():
    x = Tensor(np.array([-2.0, -0.5, 0.0, 0.5, 2.0]))
    np.testing.assert_allclose(nn.ReLU()(x).data, [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(nn.LeakyReLU()(x).data, [-0.02, -0.005, 0, 0.5, 2])
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)))
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x.data))
    from math import erf

    np.testing.assert_allclose(nn.GELU()(x).data, [v * 0.5 * (1 + erf(v / np.sqrt(2))) for v in x.data])
    s = nn.Softmax(dim=0)(x).data
    np.testing.assert_allclose(s, np.exp(x.data) / np.exp(x.data).sum())
    np.testing.assert_allclose(nn.LogSoftmax(dim=0)(x).data, x.data - np.log(np.exp(x.data).sum()))
    tanh_gelu = [0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v**3))) for v in x.data]
    np.testing.assert_allclose(nn.GELU(approximate="tanh")(x).data, tanh_gelu)


def test_activation_gradients_at_zero_follow_pytorch():
    for layer, expected in [(nn.ReLU(), 0.0), (nn.LeakyReLU(0.2), 0.2), (nn.GELU(), 0.5)]:
        x = Tensor(np.zeros(1), requires_grad=True)
        layer(x).sum().backward()
        assert x.grad[0] == pytest.approx(expected)


def test_sigmoid_and_softmax_are_finite_for_huge_inputs():
    x = Tensor(np.array([[-1000.0, 0.0, 1000.0]]))
    assert np.isfinite(nn.Sigmoid()(x).data).all()
    np.testing.assert_allclose(nn.Softmax()(x).data, [[0, 0, 1]])
    assert np.isfinite(nn.LogSoftmax()(x).data).all()


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU(approximate="fast")


# ---- Dropout -------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_dropout_probability_outside_0_1_is_a_value_error(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.functional.dropout(Tensor(np.ones(3)), p)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_preserves_the_mean_and_drops_a_fraction_p(p):
    manual_seed(0)
    x = Tensor(np.ones(200_000, dtype=np.float32))
    y = nn.Dropout(p)(x).data
    assert abs(y.mean() - 1.0) < 0.02 * max(1.0, p / (1 - p))
    assert abs((y == 0).mean() - p) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)  # kept units are scaled by 1/(1-p)


def test_dropout_is_identity_in_eval_and_p1_gives_zeros():
    x = Tensor(np.random.default_rng(0).standard_normal((5, 5)))
    d = nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(d(x).data, x.data)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros((5, 5)))
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x.data)


def test_dropout_gradient_uses_the_same_mask():
    manual_seed(3)
    x = Tensor(np.ones((50,)), requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # dy/dx = m/(1-p) = y for x = 1


def test_dropout_is_reproducible_with_manual_seed():
    x = Tensor(np.ones(100))
    manual_seed(7)
    a = nn.Dropout()(x).data
    manual_seed(7)
    np.testing.assert_array_equal(a, nn.Dropout()(x).data)


# ---- BatchNorm -----------------------------------------------------------------------------------


def test_batchnorm_training_normalizes_with_biased_variance_and_updates_running_stats_by_hand():
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])
    bn = nn.BatchNorm1d(2).double()
    y = bn(Tensor(x)).data
    mean, biased = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(biased + 1e-5))
    # running = 0.9 * initial + 0.1 * batch, with the unbiased variance (n / (n - 1))
    np.testing.assert_allclose(bn.running_mean.data, 0.9 * 0 + 0.1 * mean)
    np.testing.assert_allclose(bn.running_var.data, 0.9 * 1 + 0.1 * biased * 4 / 3)
    assert int(bn.num_batches_tracked.data) == 1
    # by hand for channel 0: mean 3, sum of squares 14, unbiased 14/3
    assert bn.running_mean.data[0] == pytest.approx(0.3)
    assert bn.running_var.data[0] == pytest.approx(0.9 + 0.1 * 14 / 3)


def test_batchnorm_eval_uses_running_stats():
    bn = nn.BatchNorm1d(2).double()
    bn.running_mean.data[...] = [1.0, -1.0]
    bn.running_var.data[...] = [4.0, 0.25]
    bn.weight.data[...] = [2.0, 1.0]
    bn.bias.data[...] = [0.5, 0.0]
    bn.eval()
    x = np.array([[3.0, 0.0]])  # a batch of one is fine in eval
    y = bn(Tensor(x)).data
    np.testing.assert_allclose(y, [[2 * (3 - 1) / np.sqrt(4 + 1e-5) + 0.5, (0 + 1) / np.sqrt(0.25 + 1e-5)]])
    assert int(bn.num_batches_tracked.data) == 0  # eval never updates


def test_batchnorm_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((5, 3)) * (i + 1) + i for i in range(4)]
    bn = nn.BatchNorm1d(3, momentum=None).double()
    for b in batches:
        bn(Tensor(b))
    np.testing.assert_allclose(bn.running_mean.data, np.mean([b.mean(0) for b in batches], axis=0))
    np.testing.assert_allclose(bn.running_var.data, np.mean([b.var(0, ddof=1) for b in batches], axis=0))


def test_batchnorm_momentum_over_several_steps():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=0.3).double()
    rm, rv = np.zeros(2), np.ones(2)
    for _ in range(3):
        b = rng.standard_normal((6, 2))
        bn(Tensor(b))
        rm = 0.7 * rm + 0.3 * b.mean(0)
        rv = 0.7 * rv + 0.3 * b.var(0, ddof=1)
    np.testing.assert_allclose(bn.running_mean.data, rm)
    np.testing.assert_allclose(bn.running_var.data, rv)


def test_batchnorm2d_statistics_over_n_h_w():
    x = np.random.default_rng(0).standard_normal((3, 2, 4, 5)) * 3 + 1
    bn = nn.BatchNorm2d(2).double()
    y = bn(Tensor(x)).data
    mean, var = x.mean((0, 2, 3), keepdims=True), x.var((0, 2, 3), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), atol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * x.var((0, 2, 3), ddof=1))


def test_batchnorm1d_3d_input_statistics_over_n_and_l():
    x = np.random.default_rng(0).standard_normal((3, 2, 4))
    bn = nn.BatchNorm1d(2).double()
    bn(Tensor(x))
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * x.mean((0, 2)))


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    np.testing.assert_allclose(bn(Tensor(x)).data, [[-1, -1], [1, 1]], atol=1e-4)
    assert bn.running_mean is None and "running_mean" not in bn.state_dict()


@pytest.mark.parametrize("layer, shape", [(nn.BatchNorm1d(3), (1, 3)), (nn.BatchNorm1d(3), (1, 3, 1)),
                                          (nn.BatchNorm2d(3), (1, 3, 1, 1))])
def test_batchnorm_batch_of_one_in_training_is_a_value_error_and_changes_nothing(layer, shape):
    before = {k: v.data.copy() for k, v in layer.state_dict().items()}
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, got input"):
        layer(Tensor(np.ones(shape)))
    for k, v in layer.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


@pytest.mark.parametrize("layer, shape, match", [
    (nn.BatchNorm1d(3), (4, 5), "expected 3 channels"),
    (nn.BatchNorm1d(3), (4, 3, 2, 2), "2D or 3D"),
    (nn.BatchNorm2d(3), (4, 3), "4D"),
    (nn.LayerNorm(4), (2, 3), r"\(\*, 4\)"),
])
def test_normalization_wrong_shapes(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer(Tensor(np.ones(shape)))


def test_layernorm_values_and_same_in_eval():
    x = np.random.default_rng(0).standard_normal((3, 5)) * 4 + 2
    ln = nn.LayerNorm(5).double()
    expected = (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(ln(Tensor(x)).data, expected, atol=1e-12)
    np.testing.assert_allclose(ln.eval()(Tensor(x)).data, expected, atol=1e-12)


def test_layernorm_without_affine_has_no_parameters():
    assert list(nn.LayerNorm(4, elementwise_affine=False).parameters()) == []
    assert [n for n, _ in nn.LayerNorm(4, bias=False).named_parameters()] == ["weight"]


def test_reprs_match_pytorch():
    assert repr(nn.Linear(2, 3)) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(nn.BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
    assert repr(nn.LayerNorm(4)) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.LeakyReLU(0.2, True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(nn.Dropout(0.1, inplace=True)) == "Dropout(p=0.1, inplace=True)"


# (id, out-of-place version, "in-place" version): same values, and the input is left unchanged
INPLACE_CASES = [
    ("ReLU", lambda x: nn.ReLU()(x), lambda x: nn.ReLU(inplace=True)(x)),
    ("LeakyReLU", lambda x: nn.LeakyReLU(0.2)(x), lambda x: nn.LeakyReLU(0.2, inplace=True)(x)),
    ("Dropout", lambda x: nn.Dropout(0.5)(x), lambda x: nn.Dropout(0.5, inplace=True)(x)),
    ("F.relu", F.relu, lambda x: F.relu(x, inplace=True)),
    ("F.leaky_relu", F.leaky_relu, lambda x: F.leaky_relu(x, 0.01, True)),
    ("F.dropout", F.dropout, lambda x: F.dropout(x, 0.5, True, True)),
]


@pytest.mark.parametrize("plain, inplace", [c[1:] for c in INPLACE_CASES], ids=[c[0] for c in INPLACE_CASES])
def test_inplace_is_accepted_and_computed_out_of_place(plain, inplace):
    x = rand(4, 5)
    before = x.data.copy()
    manual_seed(3)
    expected = plain(x).data
    manual_seed(3)
    y = inplace(x)
    np.testing.assert_array_equal(y.data, expected)
    np.testing.assert_array_equal(x.data, before)
    y.sum().backward()
    assert x.grad is not None


def test_functional_dropout_generator_is_keyword_only():
    with pytest.raises(TypeError):
        F.dropout(Tensor(np.ones(3)), 0.5, True, False, np.random.default_rng(0))


def test_functional_dropout_accepts_a_generator():
    x = Tensor(np.ones(100))
    a = nn.functional.dropout(x, 0.5, generator=np.random.default_rng(4)).data
    b = nn.functional.dropout(x, 0.5, generator=np.random.default_rng(4)).data
    np.testing.assert_array_equal(a, b)


def test_deepcopy_gives_an_independent_model():
    import copy

    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    clone = copy.deepcopy(model)
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight is not model[0].weight
    clone(Tensor(np.ones((4, 2), dtype=np.float32))).sum().backward()
    assert model[0].weight.grad is None and int(model[1].num_batches_tracked.data) == 0
