"""Learning-rate schedulers against hand-computed values and against torch.optim.lr_scheduler."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optim
from autograd import Tensor, Value
from optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR

# scheduler, options, the learning rates of epochs 0, 1, 2, ... for a start of 1.0 (worked by hand)
HAND = [
    (StepLR, dict(step_size=3, gamma=0.5), [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]),
    (StepLR, dict(step_size=2), [1.0, 1.0, 0.1, 0.1, 0.01, 0.01]),
    (ExponentialLR, dict(gamma=0.5), [1.0, 0.5, 0.25, 0.125, 0.0625]),
    # eta_min + (1 - eta_min)(1 + cos(pi t / 4)) / 2 with eta_min = 0.1, cos(pi/4) = 0.70710678...
    (CosineAnnealingLR, dict(T_max=4, eta_min=0.1),
     [1.0, 0.86819805153, 0.55, 0.23180194847, 0.1, 0.23180194847, 0.55]),
    (CosineAnnealingLR, dict(T_max=2), [1.0, 0.5, 0.0, 0.5, 1.0]),
]


@pytest.mark.parametrize("scheduler, options, expected", HAND, ids=[f"{s.__name__}-{o}" for s, o, _ in HAND])
def test_matches_hand_computed_values(scheduler, options, expected):
    opt = optim.SGD([Value(0.0)], lr=1.0)
    sched = scheduler(opt, **options)
    lrs = []
    for _ in expected:
        lrs.append(sched.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == lrs[-1]
        opt.step()
        sched.step()
    np.testing.assert_allclose(lrs, expected, rtol=1e-10, atol=1e-12)
    assert sched.last_epoch == len(expected)


def test_each_group_has_its_own_base_lr():
    opt = optim.SGD([{"params": [Value(0.0)], "lr": 1.0}, {"params": [Value(0.0)], "lr": 0.1}])
    sched = ExponentialLR(opt, gamma=0.5)
    sched.step()
    assert sched.base_lrs == [1.0, 0.1]
    assert sched.get_last_lr() == [0.5, 0.05]
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0, 0.1]


def test_the_scheduled_lr_is_used_by_the_optimizer():
    x = Value(0.0)
    opt = optim.SGD([x], lr=1.0)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):  # steps of lr 1, 0.5, 0.25 with gradient -1
        x.grad = -1.0
        opt.step()
        sched.step()
    assert x.data == 1.75


def test_state_dict_round_trip():
    opt = optim.Adam([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    sched = CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
    for _ in range(4):
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 4 and saved["base_lrs"] == [0.1]

    opt2 = optim.Adam([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    sched2 = CosineAnnealingLR(opt2, T_max=10, eta_min=0.01)
    opt2.load_state_dict(opt.state_dict())  # the current lr lives in the optimizer (PyTorch's order)
    sched2.load_state_dict(saved)
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert opt2.param_groups[0]["lr"] == sched.get_last_lr()[0]


def test_resuming_with_last_epoch():
    opt = optim.SGD([Value(0.0)], lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, step_size=2, last_epoch=3)
    opt.param_groups[0].update(initial_lr=1.0, lr=0.1)  # as restored from a checkpoint of epoch 3
    sched = StepLR(opt, step_size=2, last_epoch=3)  # continues at epoch 4, where the rate decays
    assert sched.last_epoch == 4 and sched.get_last_lr() == [pytest.approx(0.01)]


@pytest.mark.parametrize("scheduler, options", [
    (StepLR, dict(step_size=0)),
    (StepLR, dict(step_size=1.5)),
    (CosineAnnealingLR, dict(T_max=0)),
])
def test_invalid_options(scheduler, options):
    with pytest.raises(ValueError, match=scheduler.__name__):
        scheduler(optim.SGD([Value(0.0)]), **options)


def test_needs_an_optimizer():
    with pytest.raises(TypeError, match="not an Optimizer"):
        StepLR([Value(0.0)], step_size=1)


# ---- step by step: schedulers compose and follow an lr changed by hand (as in PyTorch) ------------

# schedulers (name, options) on one optimizer with lr 0.1, an lr set by hand after construction
# (or None), and the learning rates of epochs 1, 2, ... (worked by hand)
HAND_STEPWISE = [
    # every epoch × 0.9, every second epoch × 0.5 as well
    ([("ExponentialLR", dict(gamma=0.9)), ("StepLR", dict(step_size=2, gamma=0.5))], None,
     [0.09, 0.0405, 0.03645, 0.0164025, 0.01476225, 0.0066430125]),
    ([("StepLR", dict(step_size=2, gamma=0.5))], 1.0, [1.0, 0.5, 0.5, 0.25]),
    ([("ExponentialLR", dict(gamma=0.5))], 1.0, [0.5, 0.25, 0.125]),
    # the cosine of T_max = 4 rescaled to start at 1.0 (the closed form with base_lr = 1.0) down to
    # the bottom; just past it the climb is base_lr·(1 − cos(π/4))/2 with base_lr = 0.1 (as PyTorch)
    ([("CosineAnnealingLR", dict(T_max=4))], 1.0, [0.85355339059, 0.5, 0.14644660941, 0.0, 0.014644660941]),
]


@pytest.mark.parametrize("specs, manual_lr, expected", HAND_STEPWISE,
                         ids=[f"{'+'.join(n for n, _ in s)}-lr={m}" for s, m, _ in HAND_STEPWISE])
def test_step_by_step_hand_computed(specs, manual_lr, expected):
    opt = optim.SGD([Value(0.0)], lr=0.1)
    scheds = [getattr(optim.lr_scheduler, name)(opt, **options) for name, options in specs]
    if manual_lr is not None:
        opt.param_groups[0]["lr"] = manual_lr
    lrs = []
    for _ in expected:
        opt.step()
        for sched in scheds:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(lrs, expected, rtol=1e-10, atol=1e-12)
    assert scheds[-1].get_last_lr() == [lrs[-1]]


ALONE = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=7, gamma=0.9)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=1e-3)),
    ("CosineAnnealingLR", dict(T_max=50, eta_min=1e-4)),
]


@pytest.mark.parametrize("name, options", ALONE, ids=[f"{n}-{o}" for n, o in ALONE])
def test_alone_step_by_step_equals_the_closed_form(name, options):
    opt = optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}])
    sched = getattr(optim.lr_scheduler, name)(opt, **options)
    for epoch in range(3 * options.get("T_max", 10)):  # past T_max too: the cosine climbs back
        np.testing.assert_allclose(sched.get_last_lr(), sched._get_closed_form_lr(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"epoch {epoch}")
        sched.step()


# (schedulers on one optimizer, (epoch, lr) set by hand in group 0 before that epoch's steps, or None)
TORCH_ROWS = [([row], None) for row in ALONE] + [
    ([("ExponentialLR", dict(gamma=0.9)), ("StepLR", dict(step_size=2, gamma=0.5))], None),
    ([("StepLR", dict(step_size=3, gamma=0.5)), ("ExponentialLR", dict(gamma=0.9))], None),
    ([("CosineAnnealingLR", dict(T_max=5)), ("ExponentialLR", dict(gamma=0.9))], None),
    ([("ExponentialLR", dict(gamma=0.95)), ("CosineAnnealingLR", dict(T_max=4, eta_min=1e-3))], None),
    ([("StepLR", dict(step_size=2, gamma=0.5)), ("CosineAnnealingLR", dict(T_max=3))], None),
    ([("StepLR", dict(step_size=2, gamma=0.5))], (0, 1.0)),
    ([("StepLR", dict(step_size=3, gamma=0.5))], (4, 0.5)),
    ([("ExponentialLR", dict(gamma=0.9))], (3, 0.5)),
    ([("CosineAnnealingLR", dict(T_max=6))], (2, 0.5)),
    ([("CosineAnnealingLR", dict(T_max=3, eta_min=0.01))], (4, 0.2)),  # just past the bottom
]


def _lr_trajectory(opt, module, specs, manual, epochs):
    """The groups' learning rates after each of `epochs` epochs (and the last scheduler's view)."""
    scheds = [getattr(module, name)(opt, **options) for name, options in specs]
    lrs = []
    for epoch in range(epochs):
        if manual is not None and manual[0] == epoch:
            opt.param_groups[0]["lr"] = manual[1]
        opt.step()
        for sched in scheds:
            sched.step()
        lrs.append([group["lr"] for group in opt.param_groups] + scheds[-1].get_last_lr())
    return lrs


@pytest.mark.parametrize("specs, manual", TORCH_ROWS,
                         ids=[f"{'+'.join(f'{n}{o}' for n, o in s)}-manual={m}" for s, m in TORCH_ROWS])
def test_matches_torch(specs, manual):
    torch = pytest.importorskip("torch")
    ours_opt = optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}])
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    their_opt = torch.optim.SGD([{"params": [p], "lr": 0.1}, {"params": [q], "lr": 0.03}])
    epochs = 3 * max(options.get("T_max", 10) for _, options in specs)  # past T_max: the cosine climbs back
    ours = _lr_trajectory(ours_opt, optim.lr_scheduler, specs, manual, epochs)
    theirs = _lr_trajectory(their_opt, torch.optim.lr_scheduler, specs, manual, epochs)
    for epoch, (a, b) in enumerate(zip(ours, theirs), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=f"epoch {epoch}")


@pytest.mark.parametrize("name, options", [
    ("StepLR", dict(step_size=2, gamma=0.5)),  # resumes at epoch 4, a multiple of step_size
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
])
def test_resuming_with_last_epoch_matches_torch(name, options):
    torch = pytest.importorskip("torch")
    ours_opt = optim.SGD([Value(0.0)], lr=0.3)
    their_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3)
    lrs = []
    for opt, module in [(ours_opt, optim.lr_scheduler), (their_opt, torch.optim.lr_scheduler)]:
        opt.param_groups[0]["initial_lr"] = 1.0
        sched = getattr(module, name)(opt, last_epoch=3, **options)
        lrs.append([sched.get_last_lr()[0]])
        for _ in range(12):
            opt.step()
            sched.step()
            lrs[-1].append(sched.get_last_lr()[0])
    np.testing.assert_allclose(*lrs, rtol=1e-9, atol=1e-12)


def test_cosine_closed_form_is_the_documented_formula():
    opt = optim.SGD([Value(0.0)], lr=0.5)
    sched = CosineAnnealingLR(opt, T_max=8, eta_min=0.05)
    for t in range(20):
        assert sched.get_last_lr()[0] == pytest.approx(0.05 + 0.45 * (1 + math.cos(math.pi * t / 8)) / 2)
        sched.step()
