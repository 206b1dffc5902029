"""nn.scalar: micrograd's Neuron/Layer/MLP over Value."""

import numpy as np
import pytest

from autograd import Value, manual_seed, topological_order
from nn.data import make_moons
from nn.scalar import MLP, Layer, Neuron


def test_mlp_2_16_16_1_has_337_parameters_and_a_linear_last_layer():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert all(isinstance(p, Value) for p in model.parameters())
    assert [n.nonlin for n in model.layers[-1].neurons] == [False]
    assert all(n.nonlin for layer in model.layers[:-1] for n in layer.neurons)
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2)")
    assert "LinearNeuron(16)" in repr(model)


def test_weights_uniform_from_the_seeded_generator_biases_zero():
    manual_seed(0)
    a = [p.data for p in MLP(3, [50, 50]).parameters()]
    manual_seed(0)
    b = [p.data for p in MLP(3, [50, 50]).parameters()]
    assert a == b
    n = Neuron(10_000)
    w = np.array([p.data for p in n.w])
    assert -1 <= w.min() and w.max() <= 1 and abs(w.mean()) < 0.03
    assert w.std() == pytest.approx(1 / 3**0.5, rel=0.03)  # U(-1, 1)
    assert n.b.data == 0.0
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    assert [p.data for p in Neuron(4, generator=g1).w] == [p.data for p in Neuron(4, generator=g2).w]


def test_neuron_forward_and_gradients():
    n = Neuron(2)
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -1.0, 0.5
    out = n([Value(1.0), Value(3.0)])  # 2 - 3 + 0.5 = -0.5 -> relu 0
    assert out.data == 0.0
    lin = Neuron(2, nonlin=False)
    lin.w[0].data, lin.w[1].data, lin.b.data = 2.0, -1.0, 0.5
    x = [Value(1.0), Value(3.0)]
    y = lin(x)
    y.backward()
    assert y.data == -0.5
    assert (lin.w[0].grad, lin.w[1].grad, lin.b.grad) == (1.0, 3.0, 1.0)
    assert (x[0].grad, x[1].grad) == (2.0, -1.0)


def test_layer_returns_list_or_single_value():
    assert len(Layer(3, 4)([1.0, 2.0, 3.0])) == 4
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value)


def test_zero_grad():
    model = MLP(2, [4, 1])
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_no_more_nodes_than_micrograd():
    """micrograd's neuron: sum((wi*xi for ...), b) -> per input one product and one sum, plus relu."""
    model = MLP(2, [16, 16, 1])
    out = model([Value(0.5), Value(-1.0)])
    nodes = [v for v in topological_order(out) if v._parents]  # operations (leaves are not counted)
    per_layer = [(2 * 2 + 1) * 16, (2 * 16 + 1) * 16, 2 * 16]  # 2 ops per input, relu per hidden neuron
    assert len(nodes) <= sum(per_layer)


def test_trains_on_moons_like_micrograd_demo():
    manual_seed(1337)
    X, y = make_moons(n_samples=30, noise=0.1, random_state=0)
    y = y * 2 - 1
    model = MLP(2, [8, 8, 1])

    def loss():
        scores = [model(list(map(Value, x))) for x in X]
        hinge = sum((1 + -yi * s).relu() for yi, s in zip(y.tolist(), scores)) * (1.0 / len(y))
        return hinge + 1e-4 * sum(p * p for p in model.parameters())

    first = loss().data
    for k in range(15):
        total = loss()
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 15) * p.grad * 0.5
    assert loss().data < 0.6 * first
