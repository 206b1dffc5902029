"""A micrograd-compatible multilayer perceptron over scalar `Value`s (Karpathy's micrograd/nn.py).

Every weight is its own `Value`, so the graph of one forward pass can be drawn node by node. The API is
micrograd's: ``MLP(2, [16, 16, 1])`` (337 parameters), ``model(x)`` for a list of numbers or Values,
``model.parameters()``, ``model.zero_grad()``. Weights are drawn from U(−1, 1) by the generator seeded
with ``autograd.manual_seed`` (or the `generator` given); biases start at 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Value
from autograd.rng import default_generator


class Module:
    """micrograd's base: parameters() and zero_grad()."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """act = Σ wᵢxᵢ + b, then relu(act) (or act itself when ``nonlin=False``)."""

    def __init__(self, nin: int, nonlin: bool = True, generator: np.random.Generator | None = None):
        rng = default_generator() if generator is None else generator
        self.w = [Value(w) for w in rng.uniform(-1.0, 1.0, nin).tolist()]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        # The same nodes as micrograd, no more: one product and one sum per input (starting from b).
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons reading the same inputs; returns a list (a single Value when nout == 1)."""

    def __init__(self, nin: int, nout: int, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes nin -> nouts[0] -> ... -> nouts[-1]; ReLU between layers, the last is linear."""

    def __init__(self, nin: int, nouts: Sequence[int], generator: np.random.Generator | None = None):
        sizes = [nin] + list(nouts)
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, generator=generator)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
