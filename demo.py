"""`make demo`: seedgrad end to end, in under two minutes.

1. micrograd's demo on the scalar engine: `nn.scalar.MLP(2, [16, 16, 1])` learns 100 moons points
   with the SVM loss, to 100 % training accuracy; the graph of one neuron is drawn.
2. The same kind of model on the Tensor engine: an `nn.Sequential` MLP learns CS231n's three spirals
   with `optim.Adam`, in a fraction of the time.
Pictures (decision boundaries, loss curves, the graph, a page stepping through the neuron's backward
pass) go into the folder printed at the end.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
import optim  # noqa: E402
from autograd import Tensor, Value, draw_graph, no_grad  # noqa: E402
from nn.data import make_moons, make_spirals  # noqa: E402
from nn.scalar import MLP  # noqa: E402

OUT = Path("out/demo")


def svm_loss(model: MLP, X: list, y: list) -> tuple[Value, float]:
    """mean(relu(1 - y * score)) + 1e-4 * |w|^2, and the accuracy (micrograd's demo.ipynb)."""
    scores = [model([Value(a) for a in row]) for row in X]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


CLASS_COLOURS = ["#e66101", "#5e3c99", "#1b9e77", "#d01c8b"]  # distinct also for colour-blind readers


def boundary(ax, predict, X: np.ndarray, y: np.ndarray, title: str, steps: int = 60, names=None) -> None:
    """Shade the plane by the class the model predicts (one flat colour per class, no in-between band),
    draw the decision boundary, and show the training points on top with a legend of the classes."""
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    zz = predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    classes = int(max(np.max(y), np.max(zz))) + 1
    colours = CLASS_COLOURS[:classes]
    # levels halfway between the class numbers: each region is exactly one class's colour
    ax.contourf(xx, yy, zz, levels=np.arange(classes + 1) - 0.5, colors=colours, alpha=0.22)
    ax.contour(xx, yy, zz, levels=np.arange(1, classes) - 0.5, colors="k", linewidths=0.8)
    for k in range(classes):
        label = names[k] if names else f"class {k}"
        ax.scatter(X[y == k, 0], X[y == k, 1], color=colours[k], s=18, edgecolors="k", linewidths=0.4, label=label)
    ax.legend(title="points: true class\nshade: predicted class", fontsize=8, title_fontsize=8, loc="best",
              framealpha=0.9)
    ax.set(title=title, xlabel="x1", ylabel="x2", xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))


def scalar_part() -> None:
    print("1. micrograd's demo on the scalar engine: MLP(2, [16, 16, 1]) over 100 moons points")
    X, labels = make_moons(100, noise=0.1, random_state=1, dtype=np.float64)
    y = (2 * labels - 1).tolist()
    autograd.manual_seed(1337)
    model = MLP(2, [16, 16, 1])
    print(f"   {len(model.parameters())} parameters (Value objects)")
    history = []
    start = time.perf_counter()
    bar = tqdm(range(100), desc="   training", unit="step", file=sys.stdout, mininterval=0.5,
               disable=not sys.stdout.isatty())  # quiet in logs: no redraws when not a terminal
    for k in bar:
        loss, accuracy = svm_loss(model, X.tolist(), y)
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= lr * p.grad
        history.append((loss.data, accuracy))
        bar.set_postfix(loss=f"{loss.data:.4f}", accuracy=f"{accuracy:.0%}")
    seconds = time.perf_counter() - start
    loss, accuracy = history[-1]
    print(f"   final loss {loss:.4f}, training accuracy {accuracy:.0%} in {seconds:.1f} s "
          f"({seconds / 100 * 1000:.0f} ms per step of forward, backward and update)")

    def predict(points: np.ndarray) -> np.ndarray:
        with no_grad():
            return np.array([model(row.tolist()).data > 0 for row in points], dtype=float)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    boundary(axes[0], predict, X, labels, f"Scalar engine: moons, accuracy {accuracy:.0%}",
             names=["class 0 (y = -1)", "class 1 (y = +1)"])
    axes[1].plot([h[0] for h in history])
    axes[1].set(title="SVM loss per step", xlabel="step", ylabel="loss", yscale="log")
    fig.tight_layout()
    fig.savefig(OUT / "moons_scalar.png", dpi=110)
    plt.close(fig)

    # One neuron of the first layer on one training point, one where its ReLU is active (a dead
    # ReLU passes no gradient, and the picture would be all zeros).
    neuron, point = next((nrn, row) for row in X for nrn in model.layers[0].neurons
                         if sum(w.data * v for w, v in zip(nrn.w, row)) + nrn.b.data > 0)
    x1, x2 = Value(point[0], label="x1"), Value(point[1], label="x2")
    for i, w in enumerate(neuron.w):
        w.label = f"w{i + 1}"
    neuron.b.label = "b"
    out = neuron([x1, x2])
    out.label = "o"  # o = relu(w1 x1 + w2 x2 + b)
    model.zero_grad()  # the training loop left its last gradients in the weights: draw this pass's alone
    steps = autograd.stepper(out)  # runs out.backward(), one frame per step
    steps.save(OUT / "neuron_backprop.html")
    print(f"   the backward pass through one neuron, step by step: {OUT / 'neuron_backprop.html'} (open in a browser)")
    graph = draw_graph(out)
    if shutil.which("dot"):
        graph.render(OUT / "neuron", format="svg", cleanup=True)
        print(f"   graph of one neuron: {OUT / 'neuron.svg'}")
    else:
        (OUT / "neuron.dot").write_text(graph.source)
        print(f"   graph of one neuron: {OUT / 'neuron.dot'} (install Graphviz, e.g. apt-get install graphviz, "
              "to get an SVG)")
    assert accuracy == 1.0, "the scalar MLP should separate the training moons"


def tensor_part() -> None:
    print("2. The Tensor engine: MLP 2-100-100-3 with Adam over 300 spiral points (CS231n)")
    X, y = make_spirals(100, 3, random_state=0)
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 3))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    inputs = Tensor(X)
    losses = []
    start = time.perf_counter()
    bar = tqdm(range(500), desc="   training", unit="step", file=sys.stdout, mininterval=0.5,
               disable=not sys.stdout.isatty())  # quiet in logs: no redraws when not a terminal
    for _ in bar:
        loss = F.cross_entropy(model(inputs), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{loss.item():.4f}")
    seconds = time.perf_counter() - start
    model.eval()
    with no_grad():
        accuracy = float((model(inputs).data.argmax(axis=1) == y).mean())
    print(f"   final loss {losses[-1]:.4f}, training accuracy {accuracy:.1%} in {seconds:.1f} s "
          f"({seconds / 500 * 1000:.1f} ms per step)")

    def predict(points: np.ndarray) -> np.ndarray:
        with no_grad():
            return model(Tensor(points.astype(np.float32))).data.argmax(axis=1).astype(float)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    boundary(axes[0], predict, X, y, f"Tensor engine: spirals, accuracy {accuracy:.1%}", steps=200,
             names=["spiral 0", "spiral 1", "spiral 2"])
    axes[1].plot(losses)
    axes[1].set(title="cross-entropy per step (Adam, lr 1e-2)", xlabel="step", ylabel="loss", yscale="log")
    fig.tight_layout()
    fig.savefig(OUT / "spirals_tensor.png", dpi=110)
    plt.close(fig)
    assert accuracy > 0.95, "the Tensor MLP should fit the spirals"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    scalar_part()
    tensor_part()
    print(f"Pictures written to {OUT.resolve()}/")


if __name__ == "__main__":
    main()
