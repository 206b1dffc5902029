"""`make figures`: regenerate the README's figures into docs/ (all computed with seedgrad itself).

- graph.png        the graph of the README's 30-second example after backward (needs Graphviz's dot)
- optimizers.png   SGD, momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam on Rosenbrock's valley
- boundary.png     a Tensor MLP's decision regions on the three spirals
- activations.png  activation spread across 10 layers for N(0, 0.01²), N(0, 1), Xavier and He init
"""

from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor, Value, draw_graph, no_grad  # noqa: E402
from demo import boundary  # noqa: E402
from nn.data import make_spirals  # noqa: E402

DOCS = Path(__file__).parent


def graph_figure() -> None:
    """The README's 30-second example, L = tanh(a*b + c), drawn after ``L.backward()``: exactly its code."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = Value(10.0, label="c")
    L = (a * b + c).tanh()
    L.backward()  # dL/da = (1 - tanh²(ab + c))·b = -0.0040228..., dL/db = 0.0026819...
    assert abs(a.grad - -0.0040228) < 1e-6 and abs(b.grad - 0.0026819) < 1e-6
    graph = draw_graph(L)
    (DOCS / "graph.dot").write_text(graph.source)
    if shutil.which("dot"):
        graph.graph_attr["dpi"] = "150"  # crisp on high-density screens
        graph.render(DOCS / "graph", format="png", cleanup=True)


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


OPTIMIZERS = {  # name: (class, options), learning rates picked by hand from a small grid
    "SGD": (optim.SGD, dict(lr=1e-3)),
    "momentum 0.9": (optim.SGD, dict(lr=1e-3, momentum=0.9)),
    "Nesterov 0.9": (optim.SGD, dict(lr=1e-3, momentum=0.9, nesterov=True)),
    "Adagrad": (optim.Adagrad, dict(lr=0.5)),
    "RMSprop": (optim.RMSprop, dict(lr=1e-2)),
    "Adadelta": (optim.Adadelta, dict(lr=1.0)),
    "Adam": (optim.Adam, dict(lr=5e-2)),
}


def optimizer_figure(steps: int = 1500) -> None:
    """Each optimizer moves two `Value`s down Rosenbrock's curved valley from (-1.2, 1)."""
    fig, (ax, curves) = plt.subplots(1, 2, figsize=(13, 5.5))
    xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
    ax.contour(xs, ys, rosenbrock(xs, ys), levels=np.logspace(-1, 3.5, 20), cmap="Greys", linewidths=0.6)
    for name, (cls, options) in OPTIMIZERS.items():
        x, y = Value(-1.2), Value(1.0)
        opt = cls([x, y], **options)
        path = [(x.data, y.data)]
        for _ in range(steps):
            loss = rosenbrock(x, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            path.append((x.data, y.data))
        path = np.array(path)
        ax.plot(path[:, 0], path[:, 1], lw=1.4, label=name)
        curves.plot(rosenbrock(path[:, 0], path[:, 1]), lw=1.4, label=name)
    ax.plot(1, 1, "k*", ms=14, label="minimum (1, 1)")
    ax.set(title=f"Optimizers on Rosenbrock's valley, {steps} steps from (-1.2, 1)", xlabel="x", ylabel="y",
           xlim=(-2, 2), ylim=(-1, 3))
    ax.legend(fontsize=8, loc="lower right")
    curves.set(title="loss per step", xlabel="step", ylabel="f(x, y)", yscale="log")
    curves.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(DOCS / "optimizers.png", dpi=110)
    plt.close(fig)


def boundary_figure() -> None:
    X, y = make_spirals(100, 3, random_state=0)
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 3))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(400):
        loss = F.cross_entropy(model(Tensor(X)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def predict(points: np.ndarray) -> np.ndarray:
        with no_grad():
            return model(Tensor(points.astype(np.float32))).data.argmax(axis=1).astype(float)

    fig, ax = plt.subplots(figsize=(6, 5))
    boundary(ax, predict, X, y, "A 2-100-100-3 MLP on three spirals (Adam, 400 steps)", steps=200,
             names=["spiral 0", "spiral 1", "spiral 2"])
    fig.tight_layout()
    fig.savefig(DOCS / "boundary.png", dpi=110)
    plt.close(fig)


def activations_figure(depth: int = 10, width: int = 256) -> None:
    """The spread of activations layer by layer: too small a scale dies out, too large saturates
    (tanh) or explodes (ReLU); Xavier suits tanh and He suits ReLU."""
    inits = {
        "N(0, 0.01²)": lambda w: nn.init.normal_(w, 0.0, 0.01),
        "N(0, 1)": lambda w: nn.init.normal_(w, 0.0, 1.0),
        "Xavier uniform": lambda w: nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh")),
        "He normal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    }
    autograd.manual_seed(0)
    x = autograd.randn(1000, width)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, activation in zip(axes, ("tanh", "relu")):
        for name, init in inits.items():
            h, stds = x, []
            with no_grad():
                for _ in range(depth):
                    layer = nn.Linear(width, width, bias=False)
                    init(layer.weight)
                    h = getattr(layer(h), activation)()
                    stds.append(float(h.data.std()))
            ax.plot(range(1, depth + 1), stds, marker="o", label=name)
        ax.set(title=f"{activation}: activation std per layer", xlabel="layer", yscale="log")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("std of activations")
    fig.tight_layout()
    fig.savefig(DOCS / "activations.png", dpi=110)
    plt.close(fig)


def main() -> None:
    graph_figure()
    optimizer_figure()
    boundary_figure()
    activations_figure()
    print(f"figures written to {DOCS.resolve()}/")


if __name__ == "__main__":
    main()
