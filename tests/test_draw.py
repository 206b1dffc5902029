"""draw_graph: the DOT structure for both engines, the cut of large graphs, rendering with and
without Graphviz's `dot` program; sizing, the colour legend, Tensor records."""

import re
import shutil

import numpy as np
import pytest

from autograd import Tensor, Value, backward_steps, draw_graph

has_dot = shutil.which("dot") is not None


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, (x1, x2, w1, w2, b)


def records(dot):
    return [line for line in dot.source.splitlines() if "shape=record" in line]


def test_value_graph_structure():
    o, leaves = neuron()
    o.backward()
    dot = draw_graph(o)
    # 5 leaves, 2 products, 2 sums, n and o: one record per value, one ellipse per operation
    assert len(records(dot)) == 10
    ops = re.findall(r'label="?([^" ]*)"? shape=ellipse', dot.source)
    assert sorted(ops) == sorted(["*", "*", "+", "+", "tanh"])
    assert "o | data 0.7071 | grad 1.0000" in dot.source
    assert "w1 | data -3.0000 | grad 1.0000" in dot.source  # dL/dw1 = x1 * (1 - o^2) = 1
    assert "x1 | data 2.0000 | grad -1.5000" in dot.source
    assert dot.source.count("->") == 2 * 4 + 1 + 5  # two inputs per binary op, one per tanh, op -> value


def test_rankdir_and_record_orientation():
    o, _ = neuron()
    assert "rankdir=TB" in draw_graph(o, rankdir="TB").source
    assert "{" not in records(draw_graph(o, rankdir="TB"))[0]
    assert "{" in records(draw_graph(o, rankdir="LR"))[0]


def test_large_graphs_are_cut_with_a_note():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.001
    dot = draw_graph(y, max_nodes=50)
    assert len(records(dot)) == 50
    assert "more values not drawn (max_nodes=50)" in dot.source


def test_highlight_marks_the_current_backward_step():
    o, _ = neuron()
    steps = backward_steps(o)
    first = next(steps)
    dot = draw_graph(o, highlight=first)
    highlighted = [line for line in records(dot) if "fillcolor=yellow" in line]
    assert len(highlighted) == 1 and "o | data" in highlighted[0]
    list(steps)


def test_tensor_graph_with_parameter_names():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    loss = (x @ w + b).relu().sum()
    loss.backward()
    dot = draw_graph(loss, params={"fc.weight": w, "fc.bias": b})
    assert "fc.weight | 3x2 float64" in dot.source and "fc.bias | 2 float64" in dot.source
    assert re.search(r"\|grad\\\| ", dot.source) or "\\|grad\\|" in dot.source
    ops = re.findall(r'label="?([^" ]*)"? shape=ellipse', dot.source)
    assert sorted(ops) == ["add", "matmul", "relu", "sum"]


def test_not_a_node_is_a_type_error():
    with pytest.raises(TypeError, match="Value or a Tensor"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(Value(1.0), rankdir="XY")


@pytest.mark.skipif(not has_dot, reason="Graphviz's dot program is not installed")
def test_renders_svg(tmp_path):
    o, _ = neuron()
    svg = draw_graph(o).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "tanh" in svg
    assert "image/svg+xml" in draw_graph(o)._repr_mimebundle_()


def test_without_dot_rendering_names_the_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    o, _ = neuron()
    dot = draw_graph(o)
    assert "tanh" in dot.source
    assert dot._repr_mimebundle_() == {"text/plain": dot.source}
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        dot.pipe(format="svg")


def test_fits_a_notebook_column_and_explains_its_colours():
    o, _ = neuron()
    o.backward()
    dot = draw_graph(o)
    assert 'size="8.5,11"' in dot.source  # Graphviz shrinks a larger drawing to a notebook column
    assert " size=" not in draw_graph(o, size=None).source.replace("fontsize", "")
    legend = [line for line in dot.source.splitlines() if line.lstrip().startswith("legend")]
    assert len(legend) == 1 and "|grad| / the largest |grad| (1.5000)" in legend[0]
    assert "legend" not in draw_graph(o, legend=False).source
    assert "yellow: the current step" in draw_graph(o, highlight=o).source


def test_tensor_nodes_show_op_shape_and_gradient_norm():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    h = x @ w
    h.retain_grad()
    loss = h.relu().sum()
    loss.backward()
    src = draw_graph(loss, rankdir="TB").source
    assert "4x2 float64 | \\|grad\\| 2.828" in src  # ||ones(4, 2)|| = sqrt(8)
    assert "4x3 float64 | no grad (constant)" in src
    assert "norm of grad" in src and "rankdir=TB" in src
    assert re.search(r"label=matmul shape=ellipse", src)


def test_freed_intermediate_gradients_say_so():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    h = x @ w
    loss = h.relu().sum()
    assert "grad -" in draw_graph(loss).source  # before backward: nothing yet
    loss.backward()
    h.grad = None  # a plain backward() frees it, as PyTorch does (set here too, whatever the engine does)
    records_of_h = [r for r in records(draw_graph(loss)) if "4x2 float64" in r]
    assert records_of_h and all("grad not retained" in r for r in records_of_h)


def test_params_name_any_node_even_intermediate_ones():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    mean = x.mean(0, keepdims=True)
    xhat = x - mean
    loss = (xhat * xhat).sum()
    src = draw_graph(loss, params={"x": x, "mean": mean, "x-hat": xhat}).source
    assert "{mean | 1x2 float64" in src and "{x-hat | 3x2 float64" in src
