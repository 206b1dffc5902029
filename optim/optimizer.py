"""`Optimizer`: the base class every optimizer shares (PyTorch's interface, tinygrad's shape).

The base owns everything that is the same for all optimizers:

- ``param_groups``: a list of dicts, each with its ``"params"`` and its hyperparameters
  (the constructor's defaults, overridden per group);
- ``state``: per-parameter memory (momentum, moving averages, the step count t), created lazily
  the first time a parameter is updated;
- validation of hyperparameters (PyTorch's messages: ``ValueError: Invalid learning rate: -1.0``);
- ``zero_grad``, ``step``, ``add_param_group``, ``state_dict`` and ``load_state_dict`` (both ``step``
  and ``load_state_dict`` check everything before changing anything, so a failure changes nothing);
- skipping, at ``step``, parameters that do not require a gradient or have none (frozen layers);
- bumping a Tensor parameter's ``_version`` at every in-place write, so that a graph which saved the
  old values raises at ``backward()`` instead of giving a silently wrong gradient;
- the two gradient modifications every optimizer offers, applied before its own rule:
  ``maximize`` (g ← −g) and weight decay (L2: g ← g + λθ, or decoupled: θ ← θ − γλθ).

A subclass writes only the algorithm for one parameter: ``_init_state`` (its zero state) and
``_update(p, g, state, group)``, which changes the numpy array ``p`` in place.

Parameters may be `Tensor`s or scalar `Value`s (anything with ``.data`` and ``.grad``). The update
sees both the same way, as numpy arrays: a Tensor's own data array (so the update changes the
parameter in place), or for a Value a 1-element float64 array whose result is written back.
(1-element rather than 0-d: numpy turns 0-d results into scalars, which cannot be written into
with ``out=``; a 0-d Tensor is likewise seen through a 1-element view.) State arrays have the
parameter's shape and dtype.
"""

from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd.engine import enable_grad

# The valid range of each shared hyperparameter, with PyTorch's name for it in the error message.
_RANGES = {
    "lr": ("learning rate", 0.0, math.inf),
    "momentum": ("momentum value", 0.0, math.inf),
    "weight_decay": ("weight_decay value", 0.0, math.inf),
    "eps": ("epsilon value", 0.0, math.inf),
    "rho": ("rho value", 0.0, 1.0),
    "alpha": ("alpha value", 0.0, math.inf),
    "lr_decay": ("lr_decay value", 0.0, math.inf),
    "initial_accumulator_value": ("initial_accumulator_value value", 0.0, math.inf),
}


def check_hyperparameters(options: dict[str, Any]) -> None:
    """Raise ``ValueError`` naming the first hyperparameter outside its valid range."""
    for name, value in options.items():
        if name == "betas":
            # Exactly two: Adam unpacks (β₁, β₂) at its first step, too late for a clear message.
            if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
                raise ValueError(f"Invalid betas: {value!r}; expected two values (beta1, beta2)")
            for i, beta in enumerate(value):
                if not (isinstance(beta, numbers.Real) and 0.0 <= beta < 1.0):  # `not`: NaN is rejected too
                    raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        elif name in _RANGES:
            what, low, high = _RANGES[name]
            # `not`: NaN is rejected too; a string would raise TypeError in the comparison
            if not (isinstance(value, numbers.Real) and not isinstance(value, bool) and low <= value <= high):
                raise ValueError(f"Invalid {what}: {value}")


def _is_param(x: Any) -> bool:
    return hasattr(x, "data") and hasattr(x, "grad")


def _skipped(param: Any) -> bool:
    """Whether `step` leaves `param` alone: frozen (``requires_grad=False``) or unused (no ``.grad``).

    PyTorch only looks at ``.grad is None``, which is the same in the usual freezing recipe (freeze,
    then ``zero_grad()``); we also skip a frozen parameter that still holds an old gradient, so that
    freezing alone is enough. A Value has no ``requires_grad`` and always a gradient (0.0 at first).
    """
    return param.grad is None or not getattr(param, "requires_grad", True)


def _bump_version(param: Any) -> None:
    """Record an in-place write to a Tensor's array: backward() then refuses graphs that saved the
    old values. A Value is given a new float (not changed in place) and has no version."""
    if hasattr(param, "_version"):
        param._version += 1


def _check_param(param: Any) -> None:
    if not _is_param(param):
        raise TypeError(f"optimizer can only optimize Tensors or Values (objects with .data and .grad), "
                        f"but one of the params is {type(param).__name__}")
    if not isinstance(param.data, np.ndarray | numbers.Real):
        raise TypeError(f"optimizer: a parameter's .data must be a numpy array or a number, "
                        f"got {type(param.data).__name__}")
    if getattr(param, "_parents", ()):
        raise ValueError("can't optimize a non-leaf Tensor (a result of operations); optimize the leaves "
                         "it was computed from")


class Optimizer(abc.ABC):
    """Base class of all optimizers.

    Args:
        params: an iterable of parameters (Tensors or Values), or of dicts ``{"params": [...],
            "lr": ...}`` that give groups of parameters their own hyperparameters.
        defaults: the hyperparameters of a group that does not set them.

    >>> opt = SGD([{"params": model_weights}, {"params": biases, "lr": 1e-2}], lr=1e-3)
    >>> opt.zero_grad(); loss = f(); loss.backward(); opt.step()
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]):
        if _is_param(params):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors, "
                            f"Values or dicts, but got a single {type(params).__name__}; wrap it in a list")
        check_hyperparameters(defaults)
        self.defaults = dict(defaults)
        self.state: dict[Any, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- parameter groups ----------------------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (e.g. unfreezing layers later)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if _is_param(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of a set changes between runs; use a list instead")
        params = list(params)
        for param in params:
            _check_param(param)
        group = {**self.defaults, **param_group, "params": params}
        check_hyperparameters(group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError("some parameters appear more than once (in one group or in two groups)")
        self.param_groups.append(group)

    # ---- the training-loop calls ---------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget all gradients: a Tensor's grad becomes None (or zeros), a Value's grad 0.0."""
        for group in self.param_groups:
            for param in group["params"]:
                if not isinstance(param.data, np.ndarray):
                    param.grad = 0.0
                elif set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that requires and has a gradient, once; return ``closure()``'s loss
        if given. Frozen (``requires_grad=False``) and unused (``.grad is None``) parameters are skipped
        entirely: no update, no weight decay, no state, no step count (as PyTorch).

        ``closure`` re-evaluates the model and returns the loss (it should zero the gradients and
        call ``backward``); it runs with gradient recording on, even inside ``no_grad()``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_gradients()  # all of them first: a step either updates everything or nothing
        for group in self.param_groups:
            lr, weight_decay = group["lr"], group.get("weight_decay", 0)
            for param in group["params"]:
                if _skipped(param):
                    continue
                scalar = not isinstance(param.data, np.ndarray)
                p = _as_array(param)  # a Tensor's own array (changed in place), a Value's copy (written back)
                g = np.array([param.grad], dtype=np.float64) if scalar else np.atleast_1d(param.grad)
                state = self.state.get(param)
                if state is None:  # lazy state initialization
                    state = self.state[param] = {"step": 0, **self._init_state(p, group)}
                state["step"] += 1
                if group.get("maximize", False):
                    g = -g
                if weight_decay != 0:
                    if group.get("decoupled_weight_decay", False):  # AdamW
                        p *= 1 - lr * weight_decay  # θ ← θ − γλθ
                        _bump_version(param)
                    else:
                        g = g + weight_decay * p  # g ← g + λθ
                self._update(p, g, state, group)
                if scalar:
                    param.data = float(p[0])
                else:
                    _bump_version(param)
        return loss

    def _check_gradients(self) -> None:
        """Raise ``ValueError`` if a gradient cannot update its parameter; change nothing.

        numpy would broadcast a gradient of another shape into the update (silently, or failing
        halfway through a step, after earlier parameters and step counts have changed), so the shapes
        must be equal; a Value's gradient must be a real number.
        """
        name = type(self).__name__
        for i, group in enumerate(self.param_groups):
            for j, param in enumerate(group["params"]):
                grad, where = param.grad, f"parameter {j} of param_groups[{i}]"
                if _skipped(param):
                    continue
                if not isinstance(param.data, np.ndarray):  # a Value
                    if not isinstance(grad, numbers.Real) or isinstance(grad, bool):
                        raise ValueError(f"{name}.step: the gradient of {where} (a Value) must be a real "
                                         f"number, got {type(grad).__name__} of shape {np.shape(grad)}")
                    continue
                if np.shape(grad) != param.data.shape:
                    raise ValueError(f"{name}.step: the gradient of {where} has shape {np.shape(grad)}, the "
                                     f"parameter has shape {param.data.shape}; they must be equal")
                dtype = np.asarray(grad).dtype
                if dtype.kind not in "iuf":
                    raise ValueError(f"{name}.step: the gradient of {where} has dtype {dtype}; it must be "
                                     "a real-valued (integer or floating) array")

    # ---- what a subclass writes ----------------------------------------------------------------

    def _init_state(self, p: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """The state of a parameter before its first update (arrays like ``p``, usually zeros).

        Its keys, and ``"step"``, are also what `load_state_dict` accepts in a saved state: a key whose
        value is an array is required and must be an array like ``p``; a key whose value is None
        (a buffer made at the first update, like SGD's momentum) may be None or such an array.
        """
        return {}

    @abc.abstractmethod
    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Change ``p`` in place using the gradient ``g`` (read only) and ``state["step"]`` = t ≥ 1."""

    # ---- checkpoints ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """A copy of the state and the hyperparameters; parameters are referred to by index.

        ``{"optimizer": "Adam", "state": {0: {"step": 3, "exp_avg": array, ...}, ...},
        "param_groups": [{"lr": 0.001, ..., "params": [0, 1]}, ...]}``
        """
        index = {}
        groups = []
        for group in self.param_groups:
            ids = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: _copy_state(s) for p, s in self.state.items() if id(p) in index}
        return {"optimizer": type(self).__name__, "state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a `state_dict` (onto this optimizer's own parameters, matched by position).

        Everything is checked before anything changes: a state dict from another optimizer or from
        other parameters (different groups, counts or shapes), invalid hyperparameters, or a state
        entry of the wrong kind (a list or a number where an array of the parameter's shape belongs,
        a ``step`` that is not a count, an unknown key) raise ``ValueError`` naming the entry, and
        then the optimizer is exactly as before.
        """
        name = type(self).__name__
        prefix = f"{name}.load_state_dict"
        try:
            saved_name, saved_state, saved_groups = (state_dict["optimizer"], state_dict["state"],
                                                     state_dict["param_groups"])
        except (KeyError, TypeError):
            raise ValueError(f"{prefix}: not an optimizer state dict (needs 'optimizer', "
                             "'state' and 'param_groups')") from None
        if saved_name != name:
            raise ValueError(f"{prefix}: the state dict is from {saved_name}, not {name}")
        if not isinstance(saved_groups, list | tuple) or not all(isinstance(g, Mapping) for g in saved_groups):
            raise ValueError(f"{prefix}: 'param_groups' must be a list of dicts, got {saved_groups!r}")
        if not isinstance(saved_state, Mapping):
            raise ValueError(f"{prefix}: 'state' must be a dict, got {type(saved_state).__name__}")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{prefix}: loaded state dict has {len(saved_groups)} parameter "
                             f"groups, this optimizer has {len(self.param_groups)}")
        params, groups = {}, {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            indices = saved.get("params")
            if not isinstance(indices, list | tuple) or not all(_is_index(k) for k in indices):
                raise ValueError(f"{prefix}: group {i}'s 'params' must be a list of parameter indices, "
                                 f"got {indices!r}")
            if len(indices) != len(group["params"]):
                raise ValueError(f"{prefix}: parameter group {i} has {len(indices)} "
                                 f"parameters in the state dict, {len(group['params'])} here")
            if any(k in params for k in indices) or len(set(indices)) != len(indices):
                raise ValueError(f"{prefix}: group {i} repeats a parameter index: {list(indices)}")
            missing = set(self.defaults) - set(saved)
            if missing:
                raise ValueError(f"{prefix}: group {i} lacks the options {sorted(missing)}")
            try:
                check_hyperparameters(saved)
            except ValueError as error:
                raise ValueError(f"{prefix}: group {i}: {error}") from None
            params.update(zip(indices, group["params"]))
            # the group as it will be after loading (its options decide the state, e.g. amsgrad)
            groups.update((index, {**group, **saved}) for index in indices)
        state = {}
        for index, saved in saved_state.items():
            if index not in params:
                raise ValueError(f"{prefix}: state for parameter {index!r}, which does not exist")
            param = params[index]
            self._check_saved_state(index, saved, param, groups[index])
            dtype = param.data.dtype if isinstance(param.data, np.ndarray) else np.dtype(np.float64)
            state[param] = _copy_state(saved, dtype)
        # Everything checked: now change the optimizer.
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = state

    def _check_saved_state(self, index: int, saved: Any, param: Any, group: dict[str, Any]) -> None:
        """Raise ``ValueError`` naming the first entry of one saved parameter state that the next
        `step` could not use (or would use wrongly: numpy would broadcast a number or a list).

        The entries a fresh state has decide (see `_init_state`): arrays must be arrays of the
        parameter's shape (a Value's: (1,)) with real numbers, None-valued buffers may be None or such
        an array, ``step`` must be a count; any other key is refused.
        """
        where = f"{type(self).__name__}.load_state_dict: the state of parameter {index}"
        if not isinstance(saved, Mapping):
            raise ValueError(f"{where} must be a dict, got {type(saved).__name__}")
        fresh = self._init_state(_as_array(param), group)
        missing = {"step", *(k for k, v in fresh.items() if v is not None)} - set(saved)
        if missing:
            raise ValueError(f"{where} lacks {sorted(missing)}")
        shape = np.shape(param.data) or (1,)
        for key, value in saved.items():
            if key == "step":
                if not (isinstance(value, numbers.Real) and not isinstance(value, bool)
                        and math.isfinite(value) and value >= 0 and value == int(value)):
                    raise ValueError(f"{where}: 'step' must be a whole number >= 0 (the count of steps "
                                     f"taken), got {value!r}")
            elif key not in fresh:
                raise ValueError(f"{where} has the unexpected entry {key!r} (a {type(self).__name__} "
                                 f"state has {sorted({'step', *fresh})})")
            elif value is None and fresh[key] is None:
                continue
            elif not isinstance(value, np.ndarray):
                raise ValueError(f"{where}: state {key!r} must be a numpy array of shape {shape}, got "
                                 f"{type(value).__name__} {value!r:.60}")
            elif value.shape != shape:
                raise ValueError(f"{type(self).__name__}.load_state_dict: state '{key}' of parameter {index} "
                                 f"has shape {value.shape}, the parameter has shape {shape}")
            elif value.dtype.kind not in "iuf":
                raise ValueError(f"{where}: state {key!r} has dtype {value.dtype}; it must hold real numbers "
                                 f"(it is cast to the parameter's dtype)")

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params"]
        return "\n".join(lines + [")"])


def _is_index(k: Any) -> bool:
    return isinstance(k, numbers.Integral) and not isinstance(k, bool)


def _as_array(param: Any) -> np.ndarray:
    """The array an update changes: a Tensor's own data (0-d seen as 1-d), a Value's 1-element copy."""
    if isinstance(param.data, np.ndarray):
        return np.atleast_1d(param.data)
    return np.array([param.data], dtype=np.float64)


def _copy_state(state: dict[str, Any], dtype: np.dtype | None = None) -> dict[str, Any]:
    """A copy of one parameter's state: arrays copied (cast to `dtype` if given), numbers as they are."""
    return {k: np.array(v, dtype=dtype) if isinstance(v, np.ndarray) else v for k, v in state.items()}
