"""Optimizers and in-place writes (the "Integrity" issue).

- Frozen (``requires_grad=False``) and unused (``.grad is None``) parameters are skipped at step():
  freeze-then-fine-tune works, checked by hand and against torch.optim when torch is installed.
- ``load_state_dict`` checks the kind, shape and dtype of every state entry before changing
  anything; a refused load leaves the optimizer exactly as it was.
- Every in-place write of the library bumps the written tensor's ``_version`` (optimizer steps,
  BatchNorm's running statistics), so that autograd can refuse a backward() through stale values;
  Value parameters (no version) keep working.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, Value

ALL = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.1)),
    (optim.Adagrad, dict(lr=0.1, weight_decay=0.1)),
    (optim.Adadelta, dict(lr=1.0, weight_decay=0.1)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    (optim.Adam, dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    (optim.AdamW, dict(lr=0.01, weight_decay=0.1)),
]
IDS = [cls.__name__ for cls, _ in ALL]


# ---- frozen and unused parameters are skipped -------------------------------------------------------


def test_frozen_parameter_is_skipped_even_with_an_old_gradient():
    """SGD(lr=0.1, weight_decay=0.1): the trainable b moves by hand-computed amounts; the frozen a,
    which still holds a gradient from before it was frozen, moves not at all (not even by decay)."""
    a = Tensor(np.array([1.0, 2.0]), requires_grad=False)
    b = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1, weight_decay=0.1)  # a frozen parameter is accepted, as in PyTorch
    a.grad, b.grad = np.array([5.0, 5.0]), np.array([1.0, 2.0])
    opt.step()
    assert a.data.tolist() == [1.0, 2.0] and a._version == 0 and a not in opt.state
    # b - 0.1 * (g + 0.1 * b) = [1 - 0.1 * 1.1, -1 - 0.1 * 1.9]
    np.testing.assert_allclose(b.data, [0.89, -1.19], rtol=1e-15)
    assert opt.state_dict()["state"].keys() == {1}


def test_frozen_parameter_with_a_bad_gradient_does_not_block_the_step():
    """step() checks the gradients of the parameters it updates; a frozen one is not among them."""
    a = Tensor(np.ones(3), requires_grad=False)
    b = Tensor(np.ones(2), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = np.ones(7), np.ones(2)  # a's gradient has the wrong shape: irrelevant
    opt.step()
    assert a.data.tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(b.data, [0.9, 0.9])  # Adam's first step is lr·sign(g)


def mlp(seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    for p in model.parameters():
        p.data[...] = rng.standard_normal(p.shape)
    return model


def fit(model, opt, batches):
    for x, y in batches:
        opt.zero_grad()
        ((model(Tensor(x)) - Tensor(y)) ** 2).mean().backward()
        opt.step()


BATCHES = [(np.random.default_rng(k).standard_normal((5, 3)), np.random.default_rng(k + 100).standard_normal((5, 2)))
           for k in range(6)]


@pytest.mark.parametrize("cls, options", ALL, ids=IDS)
def test_freeze_then_fine_tune(cls, options):
    """Phase 1: the first layer frozen, the optimizer built over all parameters: the first layer
    stays bit-identical, gets no state and no version bumps. Phase 2: unfrozen, it trains, and its
    state starts then (step 1) while the second layer's continues."""
    model = mlp()
    first, second = model[0], model[2]
    frozen = [(p.data.copy(), p._version) for p in first.parameters()]
    first.requires_grad_(False)
    opt = cls(model.parameters(), **options)
    fit(model, opt, BATCHES[:3])
    for p, (data, version) in zip(first.parameters(), frozen):
        assert np.array_equal(p.data, data) and p._version == version and p not in opt.state and p.grad is None
    assert all(opt.state[p]["step"] == 3 for p in second.parameters())

    first.requires_grad_(True)
    fit(model, opt, BATCHES[3:])
    assert not np.array_equal(first.weight.data, frozen[0][0])
    assert opt.state[first.weight]["step"] == 3 and opt.state[second.weight]["step"] == 6


@pytest.mark.parametrize("cls, options", ALL, ids=IDS)
def test_freeze_then_fine_tune_matches_torch(cls, options):
    torch = pytest.importorskip("torch")
    ours = mlp()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.data))
    opt = cls(ours.parameters(), **options)
    torch_opt = getattr(torch.optim, cls.__name__)(theirs.parameters(), **options)

    def torch_fit(batches):
        for x, y in batches:
            torch_opt.zero_grad()
            ((theirs(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean().backward()
            torch_opt.step()

    for phase, (frozen, batches) in enumerate([(True, BATCHES[:3]), (False, BATCHES[3:])]):
        ours[0].requires_grad_(not frozen)
        theirs[0].requires_grad_(not frozen)
        fit(ours, opt, batches)
        torch_fit(batches)
        for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name} after phase {phase + 1}")


def test_value_parameters_still_work():
    """Values (the scalar engine) have no version counter; a mix with Tensors steps both."""
    x, w = Value(2.0), Tensor(np.array([1.0]), requires_grad=True)
    opt = optim.SGD([x, w], lr=0.25, momentum=0.5)
    for _ in range(2):
        x.grad, w.grad = 1.0, np.array([1.0])
        opt.step()
    # momentum: b1 = 1, b2 = 0.5 + 1 = 1.5; each parameter moves by -0.25 * (1 + 1.5) = -0.625
    assert x.data == 1.375 and isinstance(x.data, float) and not hasattr(x, "_version")
    assert w.data.tolist() == [0.375] and w._version == 2


# ---- every in-place write bumps the version ---------------------------------------------------------

# (optimizer, options, writes per step: the update, plus the decoupled decay θ ← θ − γλθ)
VERSION_ROWS = [
    (optim.SGD, {}, 1), (optim.SGD, dict(momentum=0.9, nesterov=True), 1), (optim.Adagrad, {}, 1),
    (optim.Adadelta, {}, 1), (optim.RMSprop, dict(momentum=0.9), 1), (optim.Adam, {}, 1),
    (optim.Adam, dict(weight_decay=0.1), 1), (optim.Adam, dict(weight_decay=0.1, decoupled_weight_decay=True), 2),
    (optim.AdamW, {}, 2), (optim.AdamW, dict(weight_decay=0.0), 1),
]


@pytest.mark.parametrize("cls, options, writes", VERSION_ROWS,
                         ids=[f"{c.__name__}{o or ''}" for c, o, _ in VERSION_ROWS])
def test_step_bumps_the_version_of_every_updated_parameter(cls, options, writes):
    w, scalar, unused = (Tensor(np.ones(s), requires_grad=True) for s in [(2, 3), (), (4,)])
    opt = cls([w, scalar, unused], **options)
    for step in (1, 2):
        w.grad, scalar.grad = np.ones((2, 3)), np.array(1.0)
        opt.step()
        assert (w._version, scalar._version, unused._version) == (step * writes, step * writes, 0)


def test_refused_step_bumps_nothing():
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1)
    a.grad, b.grad = np.ones(2), np.ones(2)  # b's gradient has the wrong shape
    with pytest.raises(ValueError, match="parameter 1 of param_groups"):
        opt.step()
    assert (a._version, b._version) == (0, 0)


def test_batchnorm_running_statistics_bump_their_versions():
    bn = nn.BatchNorm1d(2)
    x = Tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    buffers = [bn.running_mean, bn.running_var, bn.num_batches_tracked]
    bn(x)
    assert [b._version for b in buffers] == [1, 1, 1]
    bn.eval()
    bn(x)  # evaluation reads the statistics, writes nothing
    assert [b._version for b in buffers] == [1, 1, 1]
    bn.train()
    with pytest.raises(ValueError):
        bn(Tensor(np.ones((1, 2), dtype=np.float32)))  # refused: one value per channel
    assert [b._version for b in buffers] == [1, 1, 1]
    bn.reset_running_stats()
    assert [b._version for b in buffers] == [2, 2, 2]


def test_backward_after_a_step_through_the_old_weights_raises():
    """The point of the versions, end to end: a graph that saved w, then an optimizer step, then
    backward() must raise rather than use the new w (needs the engine's version check)."""
    probe = Tensor(np.ones(2), requires_grad=True)
    loss = (probe * probe).sum()
    probe._version += 1
    try:
        loss.backward()
    except RuntimeError:
        pass
    else:
        pytest.skip("this engine does not check versions at backward() yet")
    w = Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()  # saves w for its backward
    w.grad = np.ones(2)
    opt.step()
    with pytest.raises(RuntimeError):
        loss.backward()


# ---- load_state_dict checks every state entry before changing anything --------------------------------


def stepped_adam(**options):
    a, b = Tensor(np.zeros(3), requires_grad=True), Tensor(np.zeros((2, 2)), requires_grad=True)
    opt = optim.Adam([a, b], lr=0.01, **options)
    a.grad, b.grad = np.ones(3), np.ones((2, 2))
    opt.step()
    return opt


def with_change(change, **options):
    saved = stepped_adam(**options).state_dict()
    saved["param_groups"][0]["lr"] = 0.5  # valid, but must not be applied when the state is refused
    change(saved)
    return saved


def set_in(*path_and_value):
    *path, value = path_and_value

    def change(saved):
        target = saved
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BAD_STATES = [
    ("exp_avg a list", set_in("state", 0, "exp_avg", [0.0, 0.0, 0.0]),
     "the state of parameter 0: state 'exp_avg' must be a numpy array of shape (3,), got list"),
    ("exp_avg a number", set_in("state", 1, "exp_avg", 0.0),
     "the state of parameter 1: state 'exp_avg' must be a numpy array of shape (2, 2), got float"),
    ("exp_avg_sq a Tensor", set_in("state", 0, "exp_avg_sq", Tensor(np.zeros(3))),
     "state 'exp_avg_sq' must be a numpy array of shape (3,), got Tensor"),
    ("exp_avg None", set_in("state", 0, "exp_avg", None), "state 'exp_avg' must be a numpy array"),
    ("exp_avg wrong shape", set_in("state", 1, "exp_avg", np.zeros(4)),
     "state 'exp_avg' of parameter 1 has shape (4,), the parameter has shape (2, 2)"),
    ("exp_avg transposed-looking shape", set_in("state", 0, "exp_avg", np.zeros((3, 1))),
     "state 'exp_avg' of parameter 0 has shape (3, 1), the parameter has shape (3,)"),
    ("exp_avg complex", set_in("state", 0, "exp_avg", np.zeros(3, dtype=complex)),
     "state 'exp_avg' has dtype complex128; it must hold real numbers"),
    ("exp_avg strings", set_in("state", 0, "exp_avg", np.array(["a", "b", "c"])), "has dtype <U1"),
    ("exp_avg bools", set_in("state", 0, "exp_avg", np.zeros(3, dtype=bool)), "has dtype bool"),
    ("step a string", set_in("state", 0, "step", "1"), "'step' must be a whole number >= 0 (the count of steps"),
    ("step negative", set_in("state", 0, "step", -1), "'step' must be a whole number >= 0"),
    ("step fractional", set_in("state", 1, "step", 1.5), "the state of parameter 1: 'step' must be a whole number"),
    ("step nan", set_in("state", 0, "step", float("nan")), "'step' must be a whole number"),
    ("step a bool", set_in("state", 0, "step", True), "'step' must be a whole number"),
    ("step an array", set_in("state", 0, "step", np.array([1])), "'step' must be a whole number"),
    ("unexpected key", set_in("state", 0, "momentum_buffer", np.zeros(3)),
     "the state of parameter 0 has the unexpected entry 'momentum_buffer' (a Adam state has "
     "['exp_avg', 'exp_avg_sq', 'step'])"),
    ("state of a parameter a list", set_in("state", 0, [1, 2]), "the state of parameter 0 must be a dict, got list"),
    ("state for a missing parameter", set_in("state", 5, {"step": 1}), "state for parameter 5, which does not exist"),
    ("state not a dict", set_in("state", [1]), "'state' must be a dict, got list"),
    ("param_groups not a list", set_in("param_groups", {"lr": 1}), "'param_groups' must be a list of dicts"),
    ("params not indices", set_in("param_groups", 0, "params", ["a", "b"]),
     "group 0's 'params' must be a list of parameter indices, got ['a', 'b']"),
    ("params repeated", set_in("param_groups", 0, "params", [0, 0]), "group 0 repeats a parameter index: [0, 0]"),
    ("lr a string", set_in("param_groups", 0, "lr", "0.1"), "group 0: Invalid learning rate: 0.1"),
    ("eps None", set_in("param_groups", 0, "eps", None), "group 0: Invalid epsilon value: None"),
]


def snapshot(opt):
    return copy.deepcopy(opt.state_dict()), [dict(g) for g in opt.param_groups]


def assert_unchanged(opt, before):
    state_dict, groups = before
    after = opt.state_dict()
    assert after["param_groups"] == state_dict["param_groups"]
    assert [dict(g) for g in opt.param_groups] == groups
    assert after["state"].keys() == state_dict["state"].keys()
    for i, state in state_dict["state"].items():
        assert after["state"][i].keys() == state.keys()
        for key, value in state.items():
            assert np.array_equal(after["state"][i][key], value) and type(after["state"][i][key]) is type(value)


@pytest.mark.parametrize("change, message", [b[1:] for b in BAD_STATES], ids=[b[0] for b in BAD_STATES])
def test_bad_state_is_refused_and_changes_nothing(change, message):
    opt = stepped_adam()
    before = snapshot(opt)
    with pytest.raises(ValueError, match=r"^Adam\.load_state_dict: .*" + re.escape(message)):
        opt.load_state_dict(with_change(change))
    assert_unchanged(opt, before)
    # and it still steps exactly like an optimizer that never saw the bad state dict
    twin = stepped_adam()
    for o in (opt, twin):
        for p in o.param_groups[0]["params"]:
            p.grad = np.full(p.shape, 0.5)
        o.step()
    for p, q in zip(opt.param_groups[0]["params"], twin.param_groups[0]["params"]):
        assert np.array_equal(p.data, q.data)


GOOD_STATES = [
    ("integer arrays are cast", set_in("state", 0, "exp_avg", np.zeros(3, dtype=np.int64)), "exp_avg", np.float64),
    ("float32 arrays are cast", set_in("state", 1, "exp_avg_sq", np.ones((2, 2), np.float32)), "exp_avg_sq",
     np.float64),
    ("a float step that counts (PyTorch's)", set_in("state", 0, "step", 1.0), "step", float),
    ("a numpy integer step", set_in("state", 0, "step", np.int64(1)), "step", np.int64),
]


@pytest.mark.parametrize("change, key, kind", [g[1:] for g in GOOD_STATES], ids=[g[0] for g in GOOD_STATES])
def test_compatible_state_is_accepted(change, key, kind):
    opt = stepped_adam()
    opt.load_state_dict(with_change(change))
    value = opt.state[opt.param_groups[0]["params"][0 if key != "exp_avg_sq" else 1]][key]
    assert (value.dtype == kind) if isinstance(value, np.ndarray) else type(value) is kind
    assert opt.param_groups[0]["lr"] == 0.5


def test_sgd_momentum_buffer_may_be_none_but_not_a_list():
    """PyTorch's SGD state holds momentum_buffer=None until momentum is used; so does ours."""
    w = Tensor(np.ones(2), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = np.ones(2)
    opt.step()
    saved = opt.state_dict()
    assert saved["state"][0] == {"step": 1, "momentum_buffer": None}
    fresh = optim.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1, momentum=0.9)
    fresh.load_state_dict(saved)  # None: the buffer starts at the next step
    saved["state"][0]["momentum_buffer"] = [1.0, 1.0]
    with pytest.raises(ValueError, match=r"SGD\.load_state_dict: .*state 'momentum_buffer' must be a numpy array"):
        fresh.load_state_dict(saved)
    del saved["state"][0]["momentum_buffer"]
    saved["param_groups"][0]["momentum"] = 0.9
    fresh.load_state_dict(saved)  # an SGD state without the buffer (an older state dict) still loads
    p = fresh.param_groups[0]["params"][0]
    p.grad = np.ones(2)
    fresh.step()  # and steps with momentum: b₁ = g, p = 1 - 0.1 * 1
    assert p.data.tolist() == [0.9, 0.9] and fresh.state[p]["momentum_buffer"].tolist() == [1.0, 1.0]


def test_value_parameter_state_is_checked_with_its_shape():
    x = Value(1.0)
    opt = optim.Adagrad([x], lr=0.1)
    x.grad = 1.0
    opt.step()
    saved = opt.state_dict()
    saved["state"][0]["sum"] = np.ones(2)
    message = r"state 'sum' of parameter 0 has shape \(2,\), the parameter has shape \(1,\)"
    with pytest.raises(ValueError, match=message):
        optim.Adagrad([Value(1.0)], lr=0.1).load_state_dict(saved)
