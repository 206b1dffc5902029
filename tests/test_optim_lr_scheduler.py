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
    sched2.load_state_dict(saved)
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()
    assert opt2.param_groups[0]["lr"] == sched.get_last_lr()[0]


def test_resuming_with_last_epoch():
    opt = optim.SGD([Value(0.0)], lr=1.0)
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(opt, step_size=2, last_epoch=3)
    opt.param_groups[0]["initial_lr"] = 1.0
    sched = StepLR(opt, step_size=2, last_epoch=3)  # continues at epoch 4
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


TORCH_ROWS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=7, gamma=0.9)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=1e-3)),
    ("CosineAnnealingLR", dict(T_max=50, eta_min=1e-4)),
]


@pytest.mark.parametrize("name, options", TORCH_ROWS, ids=[f"{n}-{o}" for n, o in TORCH_ROWS])
def test_matches_torch(name, options):
    torch = pytest.importorskip("torch")
    ours_opt = optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}])
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    their_opt = torch.optim.SGD([{"params": [p], "lr": 0.1}, {"params": [q], "lr": 0.03}])
    ours = getattr(optim.lr_scheduler, name)(ours_opt, **options)
    theirs = getattr(torch.optim.lr_scheduler, name)(their_opt, **options)
    for epoch in range(3 * options.get("T_max", 10)):  # past T_max too: the cosine climbs back
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"epoch {epoch}")
        their_opt.step()
        ours.step()
        theirs.step()


def test_cosine_closed_form_is_the_documented_formula():
    opt = optim.SGD([Value(0.0)], lr=0.5)
    sched = CosineAnnealingLR(opt, T_max=8, eta_min=0.05)
    for t in range(20):
        assert sched.get_last_lr()[0] == pytest.approx(0.05 + 0.45 * (1 + math.cos(math.pi * t / 8)) / 2)
        sched.step()
