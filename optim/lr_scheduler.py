"""Learning-rate schedulers: change each parameter group's ``lr`` once per epoch (PyTorch's API).

>>> opt = SGD(params, lr=0.1)
>>> scheduler = StepLR(opt, step_size=30, gamma=0.1)   # lr = 0.1 for epochs 0-29, 0.01 for 30-59, ...
>>> for epoch in range(100):
...     train_one_epoch(opt)                           # calls opt.step() for every batch
...     scheduler.step()                               # after the optimizer, once per epoch

Schedulers: `StepLR`, `MultiStepLR`, `ExponentialLR`, `CosineAnnealingLR`, `LinearLR` (warm-up),
`LambdaLR` (any factor f(t)), `OneCycleLR` (stepped once per *batch*) and `ReduceLROnPlateau` (stepped
with a validation metric: ``scheduler.step(val_loss)``), with PyTorch's signatures and defaults.

Each scheduler's docstring gives its closed form, lr(t) = f(base_lr, t) at epoch t = ``last_epoch``.
The implementation applies it step by step, as PyTorch does: `get_lr` computes the next rate from
each group's *current* ``lr`` (lr(t) from lr(t − 1)). For one scheduler alone the two agree (to
rounding), but only the step-by-step form lets schedulers compose (two schedulers on one optimizer
multiply their effects) and respect a learning rate changed by hand between epochs.
"""

from __future__ import annotations

import abc
import math
import numbers
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .optimizer import Optimizer

_EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from "
    "None, the closed form is used instead of the new chainable form, where available."
)


def _per_group(name: str, optimizer: Optimizer, value, scheduler: str) -> list:
    """`value` for each parameter group: a list or tuple of one per group, or one value for all
    (PyTorch's ``_format_param``)."""
    n = len(optimizer.param_groups)
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise ValueError(f"{scheduler}: {name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has {n}.")
        return list(value)
    return [value] * n


class LRScheduler(abc.ABC):
    """Base class: keeps ``last_epoch`` (t, 0 after construction) and each group's ``base_lrs``.

    A subclass defines `get_lr`: the groups' learning rates at epoch ``last_epoch``, computed from
    their current ``lr`` (the rates of epoch ``last_epoch − 1``), and `_get_closed_form_lr`, the
    same rates from ``base_lrs`` alone (the formula a reader checks; not used by `step`).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__}: {type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                               "a scheduler with last_epoch >= 0; load the optimizer's state_dict first")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        # The constructor's step moves to the first epoch (0, or last_epoch + 1 when resuming). It
        # sets `_is_initial` so that a subclass can keep the groups' current rates instead of
        # applying one more transition to them (PyTorch does so for ExponentialLR and
        # CosineAnnealingLR, not for StepLR).
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    @abc.abstractmethod
    def get_lr(self) -> list[float]:
        """The learning rates of the groups at epoch ``last_epoch``, from their current ``lr``."""

    @abc.abstractmethod
    def _get_closed_form_lr(self) -> list[float]:
        """The learning rates at epoch ``last_epoch`` from ``base_lrs`` alone (the documented formula)."""

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set every group's ``lr``.

        ``step(epoch)`` (deprecated in PyTorch, kept for its code) jumps to `epoch` and sets the
        closed-form rates there instead of stepping from the current ones.
        """
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            warnings.warn(_EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
            values = self._get_closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last `step` (one per parameter group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (which has its own `state_dict`)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the learning rate by γ every `step_size` epochs: lr(t) = base_lr · γ^⌊t / step_size⌋.

    Applied step by step (as PyTorch): at every epoch t > 0 that is a multiple of `step_size`,
    lr ← γ · lr; at the other epochs lr is left as it is.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if not (isinstance(step_size, int) and step_size > 0):
            raise ValueError(f"StepLR: step_size must be a positive integer, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        # No `_is_initial` case, as in PyTorch: resuming at an epoch that is a multiple of step_size
        # applies that epoch's decay to the restored rate (which is the rate of the epoch before).
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by γ every epoch: lr(t) = base_lr · γᵗ.

    Applied step by step (as PyTorch): lr ← γ · lr at every epoch.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:  # epoch 0, or a resumed epoch whose rate was restored: keep it
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from base_lr down to η_min over T_max epochs (SGDR without restarts).

        lr(t) = η_min + (base_lr − η_min) · (1 + cos(π t / T_max)) / 2

    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017. Past
    T_max the rate climbs back along the cosine, as in PyTorch.

    Applied step by step (as PyTorch): the distance to η_min is scaled by the ratio of two
    consecutive values of the curve,

        lr ← η_min + (lr − η_min) · (1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max)),

    except just after the bottom of the curve (t − 1 = T_max, 3·T_max, ...), where that ratio would
    divide by 0; there the rate climbs by the curve's increment instead:

        lr ← lr + (base_lr − η_min) · (1 − cos(π / T_max)) / 2.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:  # epoch 0, or a resumed epoch whose rate was restored: keep it
            return self._current_lrs()
        # (PyTorch also has a closed-form case for the first step after resuming with last_epoch;
        # since its constructor step keeps the restored rate, as here, that case is never reached.)
        if (t - 1 - T) % (2 * T) == 0:  # just past the bottom: 1 + cos(π(t − 1)/T) = 0
            rise = (1 - math.cos(math.pi / T)) / 2
            return [lr + (base_lr - eta_min) * rise for lr, base_lr in zip(self._current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]  # PyTorch's order

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class LambdaLR(LRScheduler):
    """lr(t) = base_lr · f(t) for a function f of the epoch t (one per group, or one for all):
    ``LambdaLR(opt, lambda t: 0.95 ** t)``. Not chainable (it starts from ``base_lrs`` every epoch),
    as in PyTorch.

    `state_dict` stores no functions: a plain function or lambda is saved as None (re-create the
    scheduler with it before `load_state_dict`); a callable *object* has its ``__dict__`` saved.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
                 last_epoch: int = -1):
        n = len(optimizer.param_groups) if hasattr(optimizer, "param_groups") else 0
        if isinstance(lr_lambda, list | tuple):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: Expected {n} lr_lambdas, but got {len(lr_lambda)}")
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * n
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch (or a list of them), "
                                f"got {type(fn).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def _get_closed_form_lr(self) -> list[float]:
        return self.get_lr()

    def state_dict(self) -> dict[str, Any]:
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        lambdas = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        if len(lambdas) != len(self.lr_lambdas):
            raise ValueError(f"LambdaLR.load_state_dict: the state has {len(lambdas)} lr_lambdas, this "
                             f"scheduler has {len(self.lr_lambdas)}")
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, lambdas):
            if saved is not None:
                fn.__dict__.update(saved)


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by γ at each milestone epoch: lr(t) = base_lr · γ^(number of
    milestones ≤ t). A milestone listed twice multiplies by γ² (as PyTorch).

    Applied step by step (as PyTorch): at an epoch that is a milestone, lr ← γ^count · lr; at the
    other epochs lr is left as it is (so it composes with other schedulers).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1):
        milestones = list(milestones)
        bad = [m for m in milestones if not isinstance(m, numbers.Real) or m != int(m)]
        if bad:
            raise ValueError(f"MultiStepLR: milestones must be integer epochs, got {milestones}")
        self.milestones = Counter(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        count = self.milestones.get(self.last_epoch, 0)
        if not count:
            return self._current_lrs()
        return [lr * self.gamma**count for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = sum(count for m, count in self.milestones.items() if m <= self.last_epoch)
        return [base_lr * self.gamma**passed for base_lr in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(m): int(c) for m, c in dict(self.milestones).items()})  # e.g. from nn.load


class LinearLR(LRScheduler):
    """Warm-up (or cool-down) by a factor that goes linearly from `start_factor` to `end_factor` over
    `total_iters` epochs, then stays:

        lr(t) = base_lr · (s + (e − s) · min(t, T) / T)     (s = start_factor, e = end_factor, T = total_iters)

    Applied step by step (as PyTorch): lr ← s · lr at epoch 0, then at 0 < t ≤ T the ratio of
    consecutive factors, lr ← lr · (1 + (e − s) / (T·s + (t − 1)(e − s))); past T lr is left as it is.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("LinearLR: Starting multiplicative factor expected to be greater than 0 and less "
                             f"or equal to 1, got start_factor={start_factor}")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError(f"LinearLR: Ending multiplicative factor expected to be between 0 and 1, got "
                             f"end_factor={end_factor}")
        if not isinstance(total_iters, numbers.Real) or total_iters < 0:
            raise ValueError(f"LinearLR: total_iters must be a non-negative number of epochs, got {total_iters!r}")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        s, e, T, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
        if t == 0:
            return [lr * s for lr in self._current_lrs()]
        if self._is_initial or t > T:  # a resumed epoch whose rate was restored, or past the ramp
            return self._current_lrs()
        return [lr * (1.0 + (e - s) / (T * s + (t - 1) * (e - s))) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        s, e, T = self.start_factor, self.end_factor, self.total_iters
        progress = min(T, self.last_epoch) / T if T else 0.0  # T = 0: the start factor stays (as step by step)
        return [base_lr * (s + (e - s) * progress) for base_lr in self.base_lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin 2017, "Super-Convergence: Very Fast Training of Neural Networks
    Using Large Learning Rates"), stepped after every *batch*: the rate climbs from
    max_lr/div_factor to `max_lr` during the first `pct_start` of the `total_steps` (or
    ``epochs · steps_per_epoch``), then anneals to max_lr/(div_factor·final_div_factor); with
    `cycle_momentum` the momentum (SGD's ``momentum``, Adam's β₁) moves the opposite way, between
    `max_momentum` and `base_momentum`. ``three_phase=True`` follows the paper (up, down to the start,
    then the final annealing) instead of fastai's two phases.

    Within a phase from step a (rate r_a) to step b (rate r_b), at step t with p = (t − a)/(b − a):
    cos: r = r_b + (r_a − r_b)·(1 + cos(πp))/2;  linear: r = r_a + (r_b − r_a)·p. Phase 1 ends at step
    pct_start·total_steps − 1, the last phase at total_steps − 1. Not chainable, as in PyTorch.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"OneCycleLR: {type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            if not isinstance(total_steps, int) or isinstance(total_steps, bool) or total_steps <= 0:
                raise ValueError(f"OneCycleLR: Expected positive integer total_steps, but got {total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"OneCycleLR: Expected positive integer epochs, but got {epochs!r}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"OneCycleLR: Expected positive integer steps_per_epoch, but got {steps_per_epoch!r}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(f"OneCycleLR: Expected float between 0 and 1 pct_start, but got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy!r}")
        n = self.total_steps
        up = {"end_step": float(pct_start * n) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
              "start_momentum": "max_momentum", "end_momentum": "base_momentum"}
        if three_phase:
            self._schedule_phases = [
                up,
                {"end_step": float(2 * pct_start * n) - 2, "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": n - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                up,
                {"end_step": n - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group("max_lr", optimizer, max_lr, "OneCycleLR")
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(f"OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` "
                                 f"option enabled ({type(optimizer).__name__} has neither; pass "
                                 "cycle_momentum=False)")
            self.use_beta1 = "betas" in defaults
            max_momentums = _per_group("max_momentum", optimizer, max_momentum, "OneCycleLR")
            base_momentums = _per_group("base_momentum", optimizer, base_momentum, "OneCycleLR")
            if last_epoch == -1:
                for group, high, low in zip(optimizer.param_groups, max_momentums, base_momentums):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict, momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _phase_at(self, step: int) -> tuple[dict, float]:
        """The phase that `step` falls in, and how far into it (0 at its start, 1 at its end)."""
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: Tried to step {step} times. The specified number of total steps is "
                             f"{self.total_steps}")
        start = 0.0
        for i, phase in enumerate(self._schedule_phases):
            end = phase["end_step"]
            if step <= end or i == len(self._schedule_phases) - 1:
                if end == start:  # PyTorch divides by zero here
                    raise ValueError(
                        f"OneCycleLR: phase {i + 1} of the schedule is empty (it starts and ends at step {end}) "
                        f"with total_steps={self.total_steps}: choose pct_start so that pct_start * total_steps "
                        "is not 1 (or, with three_phase, such that no phase has zero length)")
                return phase, (step - start) / (end - start)
            start = end
        raise AssertionError("unreachable")

    def _rates(self) -> list[tuple[float, float | None]]:
        """(lr, momentum or None) of every group at step ``last_epoch``."""
        phase, pct = self._phase_at(self.last_epoch)
        out = []
        for group in self.optimizer.param_groups:
            lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
            momentum = (self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        if self.cycle_momentum else None)
            out.append((lr, momentum))
        return out

    def get_lr(self) -> list[float]:
        rates = self._rates()
        if self.cycle_momentum:  # a side effect, as in PyTorch
            for group, (_, momentum) in zip(self.optimizer.param_groups, rates):
                self._set_momentum(group, momentum)
        return [lr for lr, _ in rates]

    def _get_closed_form_lr(self) -> list[float]:
        return [lr for lr, _ in self._rates()]


class ReduceLROnPlateau(LRScheduler):
    """Divide the learning rate when a metric stops improving: ``scheduler.step(val_loss)`` once per
    epoch. After more than `patience` epochs without improvement (``mode="min"``: a value below
    best·(1 − threshold) with ``threshold_mode="rel"``, or below best − threshold with ``"abs"``;
    reversed for ``mode="max"``), lr ← max(lr · factor, min_lr), unless that changes it by less than
    `eps`; then `cooldown` epochs pass before bad epochs are counted again. PyTorch's algorithm.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | list[float] = 0, eps: float = 1e-8):
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: Factor should be < 1.0, got factor={factor}")
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"ReduceLROnPlateau: {type(optimizer).__name__} is not an Optimizer")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"ReduceLROnPlateau: expected {len(optimizer.param_groups)} min_lrs, got "
                                 f"{len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode {mode!r} is unknown! (use 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold mode {threshold_mode!r} is unknown! (use 'rel' or 'abs')")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return a > (best * (self.threshold + 1.0) if self.threshold_mode == "rel" else best + self.threshold)

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def step(self, metrics, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number, or a one-element Tensor) and reduce the rate if it has
        not improved for more than `patience` epochs."""
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), usually due to a new "
                    "param group being added to the optimizer. Please modify the `min_lrs` field to match the "
                    "length of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def get_lr(self) -> list[float]:
        return self._current_lrs()  # the rates change only in `step(metrics)`

    def _get_closed_form_lr(self) -> list[float]:
        return self._current_lrs()  # no closed form: it depends on the metrics seen

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
