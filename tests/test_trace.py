"""backward_trace: the backward pass as data (each step's shares: upstream x local = contribution,
first or accumulated), for Value and Tensor graphs, leaving the gradients as backward() would."""

import numpy as np
import pytest
from graphs import karpathy, micrograd_expr

from autograd import BackwardTrace, Tensor, Value, backward_steps, backward_trace


def test_one_record_per_step_in_backward_steps_order():
    L, _ = karpathy()
    order = [n.label for n in backward_steps(karpathy()[0])]
    trace = backward_trace(L)
    assert isinstance(trace, BackwardTrace) and len(trace) == 7
    assert [s.name for s in trace] == order
    assert [s.index for s in trace] == list(range(7))
    assert trace[0].node is L and trace[0].grad == 1.0


def test_shares_are_upstream_times_local():
    L, n = karpathy()
    trace = backward_trace(L)
    by_name = {s.name: s for s in trace}
    root = by_name["L"]
    assert [(s.name, s.upstream, s.local, s.contribution, s.first) for s in root.shares] == [
        ("d", 1.0, -2.0, -2.0, True), ("f", 1.0, 4.0, 4.0, True)]
    e = by_name["e"]
    assert [(s.name, s.upstream, s.local, s.contribution) for s in e.shares] == [("a", -2.0, -3.0, 6.0),
                                                                                 ("b", -2.0, 2.0, -4.0)]
    assert by_name["a"].shares == [] and by_name["a"].is_leaf and by_name["a"].grad == 6.0
    for step in trace:
        for s in step.shares:
            assert s.contribution == pytest.approx(s.upstream * s.local)


def test_a_value_used_twice_gets_two_shares_the_second_accumulated():
    x = Value(3.0, label="x")
    y = x * x
    trace = backward_trace(y)
    shares = trace[0].shares
    assert [(s.local, s.contribution, s.first, s.before, s.after) for s in shares] == [
        (3.0, 3.0, True, 0.0, 3.0), (3.0, 3.0, False, 3.0, 6.0)]
    assert shares[1].accumulated and x.grad == 6.0


def test_micrograd_readme_expression():
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    g = micrograd_expr(a, b)
    trace = backward_trace(g)
    assert trace.step_of(a).grad == pytest.approx(138.8338, abs=1e-4)
    assert trace.step_of(b).grad == pytest.approx(645.5773, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4) and b.grad == pytest.approx(645.5773, abs=1e-4)
    into_a = [s for step in trace for s in step.shares if s.parent is a]
    assert into_a[0].first and all(s.accumulated for s in into_a[1:]) and len(into_a) > 3
    assert sum(s.contribution for s in into_a) == pytest.approx(a.grad)
    assert into_a[-1].after == pytest.approx(a.grad)
    text = str(trace)
    assert "138.8338" in text and "645.5773" in text and "accumulated" in text


def test_value_gradients_are_what_backward_leaves():
    # leaves accumulate onto the gradients they had, as with backward(); intermediates are this pass's
    a1, b1 = Value(-4.0), Value(2.0)
    a2, b2 = Value(-4.0), Value(2.0)
    for a, b in ((a1, b1), (a2, b2)):
        a.grad, b.grad = 1.5, -2.0
    g1, g2 = micrograd_expr(a1, b1), micrograd_expr(a2, b2)
    g1.backward()
    backward_trace(g2)
    assert (a2.grad, b2.grad) == (a1.grad, b1.grad)
    from autograd.draw import all_nodes

    assert [n.grad for n in all_nodes(g2)] == [n.grad for n in all_nodes(g1)]


def tensor_graph(retain=False):
    w = Tensor(np.arange(6.0).reshape(3, 2) / 10, requires_grad=True)
    b = Tensor(np.array([0.5, -0.5]), requires_grad=True)
    x = Tensor(np.linspace(-1, 1, 12).reshape(4, 3))
    h = x @ w + b
    if retain:
        h.retain_grad()
    r = h.relu()
    loss = (r * r).sum()
    return loss, dict(w=w, b=b, x=x, h=h, r=r)


def test_tensor_trace_records_shapes_norms_and_shares():
    loss, t = tensor_graph()
    trace = backward_trace(loss, params={"fc.weight": t["w"], "fc.bias": t["b"]})
    names = [s.name for s in trace]
    assert "fc.weight" in names and "fc.bias" in names
    for step in trace:
        for s in step.shares:
            assert s.local is None  # a Jacobian: never formed
            assert s.contribution.shape == s.parent.data.shape
    weight = trace.step_of(t["w"])
    np.testing.assert_allclose(weight.grad, t["w"].grad)
    # r * r: the two uses of r reach it as one summed share, marked as such
    square = trace.step_of(t["r"]).index - 1
    (share,) = [s for s in trace[square].shares if s.parent is t["r"]]
    assert share.uses == 2 and share.accumulated
    # the input x needs no gradient: it gets no share
    assert all(s.parent is not t["x"] for step in trace for s in step.shares)
    text = str(trace)
    assert "3x2" in text and "fc.weight" in text and "[[" not in text  # norms, not whole arrays


def test_tensor_gradients_are_what_backward_leaves():
    for retain in (False, True):
        loss1, t1 = tensor_graph(retain)
        loss2, t2 = tensor_graph(retain)
        loss1.backward()
        backward_trace(loss2)
        for k in t1:
            g1, g2 = t1[k].grad, t2[k].grad
            assert (g1 is None) == (g2 is None), (k, retain)
            if g1 is not None:
                np.testing.assert_allclose(g2, g1)


def test_a_tensor_leaf_accumulates_into_its_own_gradient_array():
    loss, t = tensor_graph()
    w = t["w"]
    w.grad = np.ones((3, 2))
    held = w.grad
    expected = np.ones((3, 2)) + _grad_of_w()
    backward_trace(loss)
    assert w.grad is held  # in place, as backward accumulates
    np.testing.assert_allclose(w.grad, expected)


def _grad_of_w():
    loss, t = tensor_graph()
    loss.backward()
    return t["w"].grad.copy()


def test_on_step_sees_live_gradients():
    L, n = karpathy()
    seen = []
    backward_trace(L, on_step=lambda step: seen.append((step.name, n["a"].grad)))
    assert seen[-1] == ("a", 6.0) and seen[0] == ("L", 0.0)


def test_retain_graph_and_errors():
    L, n = karpathy()
    backward_trace(L, retain_graph=True)
    backward_trace(L)
    assert n["a"].grad == 12.0  # two passes accumulate, as two backward() calls would
    with pytest.raises(RuntimeError, match="retain_graph"):
        backward_trace(L)
    with pytest.raises(RuntimeError, match="does not require grad"):
        backward_trace(Tensor(np.ones(3)).sum())


def test_chain_rule_text_and_unnamed_nodes():
    x = Value(2.0)
    y = (x * 3.0).tanh()
    trace = backward_trace(y)
    assert [s.name for s in trace][:2] == ["tanh", "*"]
    lines = trace.chain_rule(1)
    assert len(lines) == 2 and all(" x " in line for line in lines)
    assert "leaf 2.0000" in str(trace) or "leaf 3.0000" in str(trace)
