"""Integrity of the engine: version counters, per-thread grad mode, edge semantics, errors by name.

Each case is one that gave a silently wrong answer (or the wrong error) before, checked against
numbers worked out by hand or against PyTorch's documented behaviour.
"""

from __future__ import annotations

import math
import threading
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import Value

# ---- version counters: a tensor saved for backward and changed in place makes backward raise --------


def _w():
    return ag.tensor([1.0, 2.0, 3.0], requires_grad=True)


IN_PLACE = [  # (name, how the saved tensor is changed between forward and backward)
    ("mul_", lambda w: w.mul_(2.0)),
    ("add_", lambda w: w.add_(1.0)),
    ("copy_", lambda w: w.copy_(np.zeros(3))),
    ("zero_", lambda w: w.zero_()),
    ("setitem", lambda w: w.__setitem__(0, 5.0)),
]


@pytest.mark.parametrize("name, change", IN_PLACE, ids=[row[0] for row in IN_PLACE])
def test_in_place_change_of_a_saved_tensor_makes_backward_raise(name, change):
    w, x = _w(), ag.tensor([4.0, 5.0, 6.0])
    loss = (w * x * w).sum()  # mul saved w: its gradient 2 w x needs the w of the forward pass
    with ag.no_grad():
        change(w)
    with pytest.raises(RuntimeError, match=r"'mul'.*changed in place.*version 1, expected version 0"):
        loss.backward()


def test_a_change_the_backward_does_not_need_is_allowed():
    w = _w()
    loss = (w + 1.0).sum()  # add saves nothing: d/dw = 1 whatever w is now (PyTorch allows this too)
    with ag.no_grad():
        w.mul_(10.0)
    loss.backward()
    assert w.grad.tolist() == [1.0, 1.0, 1.0]


def test_exp_saves_its_output_and_checks_it():
    w = _w()
    y = w.exp()
    loss = y.sum()
    with ag.no_grad():
        y.add_(1.0)  # the saved output e^w is now wrong
    with pytest.raises(RuntimeError, match="'exp'"):
        loss.backward()


def test_optimizer_step_between_forward_and_backward_raises():
    optim = pytest.importorskip("optim")
    w = _w()
    loss = (w * w).sum()
    w.grad = np.ones(3, dtype=np.float32)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_in_place_on_a_leaf_that_requires_grad_is_refused_while_recording():
    w = _w()
    with pytest.raises(RuntimeError, match="mul_: a leaf tensor that requires grad"):
        w.mul_(2.0)
    assert w.tolist() == [1.0, 2.0, 3.0] and w._version == 0  # unchanged


def test_data_assignment_is_the_escape_hatch():
    w = _w()
    loss = (w * w).sum()
    w.data = np.zeros(3, dtype=np.float32)  # a new array: the saved one is intact, as documented
    loss.backward()
    assert w.grad.tolist() == [2.0, 4.0, 6.0]


# ---- grad mode is per thread ---------------------------------------------------------------------------


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, done = threading.Event(), threading.Event()

    def evaluate():
        with ag.no_grad():
            inside.set()
            done.wait(5)

    t = threading.Thread(target=evaluate)
    t.start()
    inside.wait(5)
    y = _w() * 2.0  # the main thread records while the other is inside no_grad
    done.set()
    t.join()
    assert y.requires_grad and y.grad_fn is not None


def test_overlapping_no_grad_blocks_in_two_threads_leave_recording_on():
    barrier = threading.Barrier(2)
    results = []

    def worker(first: bool):
        with ag.no_grad():
            barrier.wait(5)  # both inside at once
            if first:
                barrier.wait(5)
        if not first:
            barrier.wait(5)  # leaves before the other: the bug left recording off for the process
        results.append(ag.is_grad_enabled() and (_w() * 1.0).requires_grad)

    threads = [threading.Thread(target=worker, args=(f,)) for f in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True, True] and ag.is_grad_enabled()


def test_a_no_grad_object_is_reusable_and_reentrant():
    guard = ag.no_grad()
    with guard:
        with guard:
            assert not ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    with guard:
        assert not (_w() * 2.0).requires_grad


@pytest.mark.parametrize("decorate", [lambda f: ag.no_grad(f), lambda f: ag.no_grad()(f),
                                      lambda f: ag.inference_mode()(f)], ids=["bare", "called", "inference"])
def test_no_grad_as_a_decorator(decorate):
    @decorate
    def f(w):
        return w * 2.0

    assert not f(_w()).requires_grad and ag.is_grad_enabled()


def test_an_exception_inside_restores_the_mode():
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            raise ZeroDivisionError
    assert ag.is_grad_enabled()
    with pytest.raises(ValueError):
        with ag.detect_anomaly():
            raise ValueError
    assert not ag.is_anomaly_enabled()


def test_enable_grad_inside_no_grad():
    with ag.no_grad():
        with ag.enable_grad():
            assert (_w() * 2.0).requires_grad
        assert not (_w() * 2.0).requires_grad


# ---- edge semantics as PyTorch --------------------------------------------------------------------


def test_value_relu_keeps_nan():
    assert math.isnan(Value(float("nan")).relu().data)


@pytest.mark.parametrize("op", ["relu", "tanh", "sigmoid", "exp", "abs", "sqrt", "softplus", "clamp"])
def test_nan_propagates_through_tensor_ops(op):
    x = ag.tensor([float("nan"), 1.0])
    out = getattr(x, op)(0.0, 2.0) if op == "clamp" else getattr(x, op)()
    assert math.isnan(out.tolist()[0])


def test_max_with_nan_is_nan():
    assert math.isnan(ag.tensor([1.0, float("nan"), 3.0]).max().item())


def test_empty_tensors_as_pytorch():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no stray numpy warning
        assert math.isnan(ag.tensor([]).mean().item())
        batch = ag.zeros(0, 3)
        assert batch.sum(dim=0).tolist() == [0.0, 0.0, 0.0]
        assert batch.mean(dim=1).shape == (0,)
        assert math.isnan(batch.mean(dim=0).tolist()[0])


ERRORS = [  # (what the user wrote, the op the error must name)
    (lambda: ag.ones(3) - ag.ones(4), r"sub: shapes \(3,\) and \(4,\)"),
    (lambda: ag.ones(3) / ag.ones(4), r"div: shapes \(3,\) and \(4,\)"),
    (lambda: ag.ones(2, 3).unsqueeze(4), "unsqueeze: dimension out of range"),
    (lambda: ag.ones(2, 3).sum(dim=5), "sum: dimension out of range"),
    (lambda: __import__("nn").functional.softmax(ag.ones(2, 3), dim=2), "softmax: dimension out of range"),
]


@pytest.mark.parametrize("action, match", ERRORS)
def test_errors_name_the_op_the_user_wrote(action, match):
    with pytest.raises(ValueError, match=match):
        action()


def test_a_bad_dim_is_both_index_and_value_error():
    with pytest.raises(IndexError):
        ag.ones(2, 3).unsqueeze(4)
    with pytest.raises(ValueError):
        ag.ones(2, 3).unsqueeze(4)


def test_detect_anomaly_names_a_division_div():
    x = ag.tensor([1.0, 0.0], requires_grad=True)
    with ag.detect_anomaly(), pytest.raises(RuntimeError, match="'div'.*forward"):
        (1.0 / x).sum()


def test_requires_grad_on_an_int_tensor_is_refused_afterwards_too():
    t = ag.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad = True
    with pytest.raises(TypeError, match="floating point"):
        t.requires_grad_()
    assert not t.requires_grad
