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


# ==== LambdaLR, MultiStepLR, LinearLR, OneCycleLR, ReduceLROnPlateau ==================================

from optim.lr_scheduler import LambdaLR, LinearLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau  # noqa: E402


def halve(t):
    return 0.5**t


def harmonic(t):
    return 1 / (t + 1)


# scheduler, options, the learning rates of epochs 0, 1, 2, ... for a start of 1.0 (worked by hand)
HAND_NEW = [
    (LambdaLR, dict(lr_lambda=halve), [1.0, 0.5, 0.25, 0.125]),
    (LambdaLR, dict(lr_lambda=harmonic), [1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5]),
    (MultiStepLR, dict(milestones=[2, 4], gamma=0.5), [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25]),
    (MultiStepLR, dict(milestones=[3, 1, 1]), [1.0, 0.01, 0.01, 0.001, 0.001]),  # a repeated milestone: γ²
    # s + (e − s)·min(t, T)/T
    (LinearLR, dict(start_factor=0.5, total_iters=4), [0.5, 0.625, 0.75, 0.875, 1.0, 1.0]),
    (LinearLR, dict(start_factor=1.0, end_factor=0.5, total_iters=2), [1.0, 0.75, 0.5, 0.5]),
    (LinearLR, dict(), [1 / 3, 7 / 15, 9 / 15, 11 / 15, 13 / 15, 1.0, 1.0]),
    (LinearLR, dict(start_factor=0.25, total_iters=0), [0.25, 0.25, 0.25]),
]


@pytest.mark.parametrize("scheduler, options, expected", HAND_NEW,
                         ids=[f"{s.__name__}-{o}" for s, o, _ in HAND_NEW])
def test_new_schedulers_match_hand_computed_values(scheduler, options, expected):
    test_matches_hand_computed_values(scheduler, options, expected)


# OneCycleLR(max_lr=1, total_steps=10, div_factor=4, final_div_factor=2): initial_lr 0.25, min_lr 0.125
ONE_CYCLE_HAND = [
    # linear, pct_start 0.5: phase 1 ends at step 0.5·10 − 1 = 4 (0.25 → 1), phase 2 at 9 (1 → 0.125)
    (dict(pct_start=0.5, anneal_strategy="linear"),
     [0.25, 0.4375, 0.625, 0.8125, 1.0, 0.825, 0.65, 0.475, 0.3, 0.125]),
    # three phases, linear, pct_start 0.3: ends at 2 (→ 1), 2·3 − 2 = 4 (→ 0.25), 9 (→ 0.125)
    (dict(pct_start=0.3, anneal_strategy="linear", three_phase=True),
     [0.25, 0.625, 1.0, 0.625, 0.25, 0.225, 0.2, 0.175, 0.15, 0.125]),
    # cos, pct_start 0.5: r_b + (r_a − r_b)(1 + cos πp)/2
    (dict(pct_start=0.5),
     [0.25 + 0.75 * (1 - math.cos(math.pi * t / 4)) / 2 for t in range(5)]
     + [0.125 + 0.875 * (1 + math.cos(math.pi * (t - 4) / 5)) / 2 for t in range(5, 10)]),
]


@pytest.mark.parametrize("options, expected", ONE_CYCLE_HAND, ids=["linear", "three_phase", "cos"])
def test_one_cycle_hand_computed(options, expected):
    opt = optim.SGD([Value(0.0)], lr=123.0, momentum=0.9)  # the constructor replaces the lr
    sched = OneCycleLR(opt, max_lr=1.0, total_steps=10, div_factor=4.0, final_div_factor=2.0, **options)
    lrs, momenta = [], []
    for _ in expected:
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    # the momentum moves the other way: 0.95 at the start, 0.85 at the peak, back to 0.95 at the end
    peak = 2 if options.get("three_phase") else 4
    assert momenta[0] == pytest.approx(0.95) and momenta[peak] == pytest.approx(0.85)
    assert momenta[-1] == pytest.approx(0.95)
    assert opt.param_groups[0]["initial_lr"] == 0.25 and opt.param_groups[0]["min_lr"] == 0.125


def test_one_cycle_steps_past_the_total_raise():
    opt = optim.SGD([Value(0.0)], lr=0.1)
    sched = OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=3, cycle_momentum=False)
    assert sched.total_steps == 6
    for _ in range(6):
        sched.step()  # step 6 = total_steps is still allowed (as PyTorch)
    with pytest.raises(ValueError, match="OneCycleLR: Tried to step 7 times. The specified number of total steps is 6"):
        sched.step()


def test_one_cycle_cycles_adams_beta1():
    opt = optim.Adam([Tensor(np.ones(2), requires_grad=True)], lr=0.1, betas=(0.9, 0.99))
    OneCycleLR(opt, max_lr=0.5, total_steps=20)
    assert opt.param_groups[0]["betas"] == (0.95, 0.99)


# (id, metrics, options, lrs after each step, worked out by hand; start 1.0)
PLATEAU_HAND = [
    ("patience2", [1, 1, 1, 1, 0.5, 0.6, 0.7, 0.8, 0.9],
     dict(patience=2, factor=0.5, threshold=0, threshold_mode="abs"), [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]),
    ("cooldown", [1, 2, 2, 2, 2], dict(patience=0, factor=0.5, cooldown=2), [1, 0.5, 0.5, 0.5, 0.25]),
    # max mode, rel 10%: better means above best·1.1
    ("max_rel", [1.0, 1.05, 1.2, 1.1], dict(mode="max", patience=0, threshold=0.1), [1, 0.1, 0.1, 0.01]),
    ("min_lr", [1, 2, 3, 4], dict(patience=0, min_lr=0.05), [1, 0.1, 0.05, 0.05]),
    # abs threshold 0.5: 0.7 is not better than 1 − 0.5, 0.4 is
    ("min_abs", [1, 0.7, 0.4, 0.45], dict(patience=0, threshold=0.5, threshold_mode="abs"), [1, 0.1, 0.1, 0.01]),
    ("nan_is_bad", [1, float("nan"), float("nan")], dict(patience=1), [1, 1, 0.1]),
]


@pytest.mark.parametrize("metrics, options, expected", [p[1:] for p in PLATEAU_HAND], ids=[p[0] for p in PLATEAU_HAND])
def test_reduce_on_plateau_hand_computed(metrics, options, expected):
    opt = optim.SGD([Value(0.0)], lr=1.0)
    sched = ReduceLROnPlateau(opt, **options)
    lrs = []
    for m in metrics:
        opt.step()
        sched.step(m)
        lrs.append(opt.param_groups[0]["lr"])
        assert sched.get_last_lr() == [lrs[-1]]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert sched.last_epoch == len(metrics)


def test_reduce_on_plateau_takes_tensor_metrics():
    opt = optim.SGD([Value(0.0)], lr=1.0)
    sched = ReduceLROnPlateau(opt, patience=0)
    sched.step(Tensor(np.array(1.0)))
    sched.step(Tensor(np.array(2.0)))
    assert sched.best == 1.0 and opt.param_groups[0]["lr"] == pytest.approx(0.1)


# ---- against torch ----------------------------------------------------------------------------------

TORCH_ROWS_NEW = [
    ([("LambdaLR", dict(lr_lambda=halve))], None),
    ([("LambdaLR", dict(lr_lambda=[halve, harmonic]))], None),
    ([("LambdaLR", dict(lr_lambda=harmonic))], (3, 0.5)),  # not chainable: the manual lr is overwritten
    ([("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.5))], None),
    ([("MultiStepLR", dict(milestones=[3]))], (2, 1.0)),
    ([("LinearLR", dict())], None),
    ([("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=7))], None),
    ([("LinearLR", dict(start_factor=1.0, end_factor=0.0, total_iters=4))], (2, 0.3)),
    ([("LinearLR", dict(start_factor=0.2, total_iters=3)), ("ExponentialLR", dict(gamma=0.9))], None),
    ([("LinearLR", dict(start_factor=0.5, total_iters=4)), ("MultiStepLR", dict(milestones=[2, 6]))], None),
    ([("MultiStepLR", dict(milestones=[1, 4], gamma=0.3)), ("CosineAnnealingLR", dict(T_max=6))], None),
    ([("LinearLR", dict(start_factor=0.25, total_iters=5)), ("StepLR", dict(step_size=3, gamma=0.5))], (4, 0.2)),
]


@pytest.mark.parametrize("specs, manual", TORCH_ROWS_NEW,
                         ids=[f"{'+'.join(f'{n}{o}' for n, o in s)}-manual={m}" for s, m in TORCH_ROWS_NEW])
def test_new_schedulers_match_torch(specs, manual):
    torch = pytest.importorskip("torch")
    ours_opt = optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}])
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    their_opt = torch.optim.SGD([{"params": [p], "lr": 0.1}, {"params": [q], "lr": 0.03}])
    ours = _lr_trajectory(ours_opt, optim.lr_scheduler, specs, manual, 15)
    theirs = _lr_trajectory(their_opt, torch.optim.lr_scheduler, specs, manual, 15)
    for epoch, (a, b) in enumerate(zip(ours, theirs), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15, err_msg=f"epoch {epoch}")


ONE_CYCLE_TORCH = [
    ("SGD", dict(max_lr=0.5, total_steps=30)),
    ("SGD", dict(max_lr=[0.5, 0.1], total_steps=25, pct_start=0.25, anneal_strategy="linear")),
    ("SGD", dict(max_lr=1.0, epochs=4, steps_per_epoch=7, three_phase=True, div_factor=10.0)),
    ("SGD", dict(max_lr=0.3, total_steps=17, base_momentum=[0.8, 0.7], max_momentum=0.99, final_div_factor=100.0)),
    ("SGD", dict(max_lr=0.3, total_steps=12, cycle_momentum=False, pct_start=0.5)),
    ("Adam", dict(max_lr=0.01, total_steps=40, three_phase=True, anneal_strategy="linear")),
    ("Adam", dict(max_lr=0.01, total_steps=9)),
]


@pytest.mark.parametrize("optimizer, options", ONE_CYCLE_TORCH, ids=[f"{o}-{k}" for o, k in ONE_CYCLE_TORCH])
def test_one_cycle_matches_torch(optimizer, options):
    torch = pytest.importorskip("torch")
    extra = {"momentum": 0.9} if optimizer == "SGD" else {}
    ours_opt = getattr(optim, optimizer)([{"params": [Tensor(np.zeros(1), requires_grad=True)]},
                                          {"params": [Tensor(np.zeros(1), requires_grad=True)]}], lr=0.1, **extra)
    their_opt = getattr(torch.optim, optimizer)([{"params": [torch.zeros(1, requires_grad=True)]},
                                                 {"params": [torch.zeros(1, requires_grad=True)]}], lr=0.1, **extra)
    ours, theirs = OneCycleLR(ours_opt, **options), torch.optim.lr_scheduler.OneCycleLR(their_opt, **options)
    key = "betas" if optimizer == "Adam" else "momentum"
    for step in range(ours.total_steps):
        for a, b in zip(ours_opt.param_groups, their_opt.param_groups):
            assert a["lr"] == pytest.approx(b["lr"], rel=1e-12, abs=1e-18), f"step {step}"
            np.testing.assert_allclose(np.ravel(a[key]), np.ravel(b[key]), rtol=1e-12, err_msg=f"step {step}")
            for name in ("initial_lr", "max_lr", "min_lr"):
                assert a[name] == pytest.approx(b[name], rel=1e-15)
        ours_opt.step()  # (no gradients: nothing moves, but torch wants the optimizer stepped first)
        their_opt.step()
        ours.step()
        theirs.step()
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


PLATEAU_TORCH = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(mode="max", patience=1, threshold=0.05),
    dict(patience=0, threshold_mode="abs", threshold=0.02, cooldown=2),
    dict(patience=1, min_lr=[0.01, 0.002], factor=0.2),
    dict(patience=0, eps=0.05, factor=0.5),
]


@pytest.mark.parametrize("options", PLATEAU_TORCH, ids=[str(o) for o in PLATEAU_TORCH])
def test_reduce_on_plateau_matches_torch(options):
    torch = pytest.importorskip("torch")
    ours_opt = optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}])
    their_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": 0.1},
                                 {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.03}])
    ours = ReduceLROnPlateau(ours_opt, **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(their_opt, **options)
    # a noisy loss that plateaus, improves a little, then climbs
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), np.full(8, 0.5), np.linspace(0.5, 0.49, 6),
                              np.linspace(0.5, 0.9, 10)]) + rng.normal(0, 0.005, 34)
    if options.get("mode") == "max":
        metrics = -metrics
    for epoch, m in enumerate(metrics):
        ours.step(float(m))
        theirs.step(float(m))
        state = (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch)
        assert state == (theirs.best, theirs.num_bad_epochs, theirs.cooldown_counter, theirs.last_epoch), epoch
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12, err_msg=f"epoch {epoch}")


@pytest.mark.parametrize("name, options", [
    ("MultiStepLR", dict(milestones=[2, 4], gamma=0.5)),  # resumes at epoch 4, a milestone
    ("MultiStepLR", dict(milestones=[6])),
    ("LinearLR", dict(start_factor=0.2, total_iters=6)),
    ("LambdaLR", dict(lr_lambda=harmonic)),
])
def test_new_schedulers_resume_with_last_epoch_like_torch(name, options):
    test_resuming_with_last_epoch_matches_torch(name, options)


@pytest.mark.parametrize("name, options", [
    ("MultiStepLR", dict(milestones=[2, 4], gamma=0.5)),
    ("LinearLR", dict(start_factor=0.2, total_iters=6)),
    ("LambdaLR", dict(lr_lambda=harmonic)),
    ("StepLR", dict(step_size=3)),
])
def test_step_with_an_epoch_uses_the_closed_form_like_torch(name, options):
    torch = pytest.importorskip("torch")
    lrs = []
    for opt, module in [(optim.SGD([Value(0.0)], lr=0.3), optim.lr_scheduler),
                        (torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.3), torch.optim.lr_scheduler)]:
        sched = getattr(module, name)(opt, **options)
        lrs.append([])
        for epoch in (3, 1, 7, 4):
            opt.step()
            with pytest.warns(UserWarning, match="epoch parameter"):
                sched.step(epoch)
            lrs[-1].append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(*lrs, rtol=1e-12)


# ---- closed forms, state, errors ------------------------------------------------------------------------

@pytest.mark.parametrize("name, options", [
    ("MultiStepLR", dict(milestones=[2, 5, 5], gamma=0.5)),
    ("LinearLR", dict(start_factor=0.1, total_iters=7)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=3)),
    ("LambdaLR", dict(lr_lambda=halve)),
])
def test_new_schedulers_step_by_step_equal_the_closed_form(name, options):
    opt = optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}])
    sched = getattr(optim.lr_scheduler, name)(opt, **options)
    for epoch in range(15):
        np.testing.assert_allclose(sched.get_last_lr(), sched._get_closed_form_lr(), rtol=1e-12,
                                   err_msg=f"epoch {epoch}")
        sched.step()


class Warmup:
    """A callable object as lr_lambda: its __dict__ is saved in the state_dict (as PyTorch)."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, t):
        return min(1.0, (t + 1) / self.steps)


def _make(name, opt):
    return {
        "LambdaLR": lambda: LambdaLR(opt, [Warmup(4), halve]),
        "MultiStepLR": lambda: MultiStepLR(opt, milestones=[2, 3, 3], gamma=0.5),
        "LinearLR": lambda: LinearLR(opt, start_factor=0.25, total_iters=6),
        "OneCycleLR": lambda: OneCycleLR(opt, max_lr=0.5, total_steps=12, three_phase=True),
        "ReduceLROnPlateau": lambda: ReduceLROnPlateau(opt, patience=1, cooldown=1),
    }[name]()


def _advance(sched, k):
    for i in range(k):
        sched.optimizer.step()
        if isinstance(sched, ReduceLROnPlateau):
            sched.step([1.0, 1.0, 0.9, 0.95, 0.97, 0.99, 1.2][i % 7])
        else:
            sched.step()


@pytest.mark.parametrize("name", ["LambdaLR", "MultiStepLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau"])
@pytest.mark.parametrize("through_a_file", [False, True], ids=["dict", "nn.save"])
def test_new_schedulers_state_dict_round_trip(name, through_a_file, tmp_path):
    import nn

    def two_groups():
        return optim.SGD([{"params": [Value(0.0)], "lr": 0.1}, {"params": [Value(0.0)], "lr": 0.03}], momentum=0.9)

    opt = two_groups()
    sched = _make(name, opt)
    if name == "LambdaLR":
        sched.lr_lambdas[0].steps = 6  # state of the callable object, restored by load_state_dict
    _advance(sched, 5)
    saved = sched.state_dict()
    assert "optimizer" not in saved
    if name == "LambdaLR":
        assert saved["lr_lambdas"] == [{"steps": 6}, None]  # no functions stored
    opt_saved = opt.state_dict()
    if through_a_file:
        nn.save({"sched": saved, "opt": opt_saved}, tmp_path / "ckpt.npz")
        loaded = nn.load(tmp_path / "ckpt.npz")
        saved, opt_saved = loaded["sched"], loaded["opt"]

    opt2 = two_groups()
    sched2 = _make(name, opt2)
    opt2.load_state_dict(opt_saved)
    sched2.load_state_dict(saved)
    if name == "LambdaLR":
        assert sched2.lr_lambdas[0].steps == 6
    for _ in range(5):
        _advance(sched, 1)
        _advance(sched2, 1)
        assert sched2.get_last_lr() == sched.get_last_lr()
        assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]
        assert [g["momentum"] for g in opt2.param_groups] == [g["momentum"] for g in opt.param_groups]


@pytest.mark.parametrize("scheduler, options, match", [
    (LambdaLR, dict(lr_lambda=[halve, halve]), "Expected 1 lr_lambdas, but got 2"),
    (MultiStepLR, dict(milestones=[2, 3.5]), r"milestones must be integer epochs, got \[2, 3.5\]"),
    (LinearLR, dict(start_factor=0), "Starting multiplicative factor expected to be greater than 0.*start_factor=0"),
    (LinearLR, dict(start_factor=1.5), "start_factor=1.5"),
    (LinearLR, dict(end_factor=-0.1), "Ending multiplicative factor expected to be between 0 and 1.*end_factor=-0.1"),
    (LinearLR, dict(total_iters=-1), "total_iters"),
    (OneCycleLR, dict(max_lr=1.0), r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (OneCycleLR, dict(max_lr=1.0, epochs=3), "total_steps OR"),
    (OneCycleLR, dict(max_lr=1.0, total_steps=0), "Expected positive integer total_steps, but got 0"),
    (OneCycleLR, dict(max_lr=1.0, total_steps=2.5), "total_steps, but got 2.5"),
    (OneCycleLR, dict(max_lr=1.0, epochs=0, steps_per_epoch=3), "Expected positive integer epochs, but got 0"),
    (OneCycleLR, dict(max_lr=1.0, epochs=2, steps_per_epoch=-3), "steps_per_epoch, but got -3"),
    (OneCycleLR, dict(max_lr=1.0, total_steps=10, pct_start=1.5),
     "Expected float between 0 and 1 pct_start, but got 1.5"),
    (OneCycleLR, dict(max_lr=1.0, total_steps=10, pct_start=0), "pct_start, but got 0"),  # an int (as PyTorch)
    (OneCycleLR, dict(max_lr=1.0, total_steps=10, anneal_strategy="exp"), "anneal_strategy must be one of"),
    (OneCycleLR, dict(max_lr=[1.0, 2.0], total_steps=10), "max_lr must have the same length as optimizer.param_groups"),
    # torch: ZeroDivisionError (phase 1 ends at step 0.1·10 − 1 = 0, where it starts)
    (OneCycleLR, dict(max_lr=1.0, total_steps=10, pct_start=0.1), "phase 1 of the schedule is empty"),
    (ReduceLROnPlateau, dict(factor=1.0), "Factor should be < 1.0, got factor=1.0"),
    (ReduceLROnPlateau, dict(mode="low"), "mode 'low' is unknown"),
    (ReduceLROnPlateau, dict(threshold_mode="pct"), "threshold mode 'pct' is unknown"),
    (ReduceLROnPlateau, dict(min_lr=[0.1, 0.2]), "expected 1 min_lrs, got 2"),
])
def test_new_schedulers_invalid_options(scheduler, options, match):
    opt = optim.SGD([Value(0.0)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=scheduler.__name__) as info:
        scheduler(opt, **options)
    assert info.match(match)


def test_lambda_lr_needs_functions():
    with pytest.raises(TypeError, match="LambdaLR: lr_lambda must be a function of the epoch.*got float"):
        LambdaLR(optim.SGD([Value(0.0)]), lr_lambda=0.5)


def test_one_cycle_needs_a_momentum_to_cycle():
    opt = optim.Adagrad([Value(0.0)])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1.*cycle_momentum=False"):
        OneCycleLR(opt, max_lr=0.1, total_steps=10)
    OneCycleLR(opt, max_lr=0.1, total_steps=10, cycle_momentum=False)


def test_new_schedulers_need_an_optimizer():
    for make in (lambda: OneCycleLR([Value(0.0)], max_lr=0.1, total_steps=3),
                 lambda: ReduceLROnPlateau([Value(0.0)]),
                 lambda: MultiStepLR([Value(0.0)], milestones=[1])):
        with pytest.raises(TypeError, match="not an Optimizer"):
            make()
