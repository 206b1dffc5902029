"""`Module`, `Parameter` and the containers `Sequential`, `ModuleList` and `ModuleDict` (PyTorch's semantics).

A module is a tree: its attributes that are `Parameter`s, buffers (state that is saved but not
trained, e.g. BatchNorm's running statistics) and sub-`Module`s are registered, in assignment order,
so that `parameters()`, `state_dict()`, `train()`/`eval()` can walk the tree. Names are PyTorch's
dotted paths (``"0.weight"``, ``"encoder.norm.running_mean"``), so a state_dict loads into the
equivalent PyTorch model.

Registered values are *also* stored as ordinary instance attributes, so ``self.weight`` is a plain
attribute lookup (PyTorch goes through ``__getattr__``, which is slower).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor


class Parameter(Tensor):
    """A tensor that a `Module` registers as trainable: ``requires_grad=True``, float32 unless the data
    is already a float array/tensor of another precision (or `dtype` is given)."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True, dtype=None):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        if dtype is None:
            array = data.data if isinstance(data, Tensor) else data
            if not (isinstance(array, np.ndarray | np.generic) and array.dtype.kind == "f"):
                dtype = np.float32
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` returns (PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError, ValueError):
    """A state_dict does not fit the model. A RuntimeError as in PyTorch, and a ValueError because the
    input is bad; nothing was loaded."""


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (PyTorch's ``_addindent``)."""
    lines = text.split("\n")
    return (
        lines[0] if len(lines) == 1 else "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])
    )


def _fits(value: np.ndarray, dtype: np.dtype) -> bool:
    """Whether numeric `value` converts to `dtype` without losing more than rounding: anything into a
    float, but into an integer (or bool) dtype only values that survive the round trip unchanged."""
    if dtype.kind == "f":
        return True
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf cast to garbage, caught below
        return bool(np.array_equal(value.astype(dtype), value))


def _to_dtype(args: tuple, kwargs: dict) -> np.dtype | None:
    """The dtype of ``Module.to(*args, **kwargs)`` (PyTorch's forms: ``to(dtype)``, ``to(tensor)``,
    ``to(device, dtype)``, ``to(device=..., dtype=..., non_blocking=...)``), or None for a device only."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"Module.to: unexpected keyword argument(s) {sorted(unknown)}")
    device, dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, bool):  # the positional non_blocking flag
            continue
        if isinstance(arg, str) or type(arg).__name__ == "device":
            device = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        elif dtype is None:
            dtype = arg
        else:
            raise TypeError(f"Module.to: got two dtypes, {dtype!r} and {arg!r}")
    if device is not None and str(device) != "cpu":
        raise ValueError(f"Module.to: seedgrad runs on the CPU only (it has no devices), got device {str(device)!r}")
    if dtype is None:
        return None
    try:
        dtype = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"Module.to: {dtype!r} is not a dtype") from e
    if dtype.kind != "f":
        raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
    return dtype


class Module:
    """Base class of every layer and model: subclasses call ``super().__init__()``, assign their
    parameters and sub-modules as attributes, and define ``forward``.

    >>> class TwoLayer(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = Linear(2, 8)
    ...         self.out = Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> [name for name, _ in TwoLayer().named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["training"] = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ---- registration ------------------------------------------------------------------------

    def _registries(self) -> tuple[dict, dict, dict]:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(
                f"cannot assign parameters, buffers or modules to {type(self).__name__} before "
                "Module.__init__() call; call super().__init__() first in __init__"
            )
        return d["_parameters"], d["_buffers"], d["_modules"]

    def _forget(self, name: str, keep: dict | None = None) -> None:
        """Unregister `name` from every registry but `keep`. The caller then assigns into `keep`:
        re-assigning a name of the same kind replaces it where it is, keeping its place in
        `parameters()` and the state_dict (as PyTorch); a name that changes kind moves to the end."""
        for registry in self._registries():
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent.discard(name)

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if isinstance(value, Parameter):
            parameters = self._registries()[0]
            self._forget(name, keep=parameters)
            parameters[name] = value
        elif isinstance(value, Module):
            modules = self._registries()[2]
            self._forget(name, keep=modules)
            modules[name] = value
        elif "_parameters" in d:
            if name in d["_parameters"]:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                        "(nn.Parameter or None expected)"
                    )
                d["_parameters"][name] = None
            elif name in d["_modules"]:
                if value is not None:
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as child module '{name}' "
                        "(nn.Module or None expected)"
                    )
                d["_modules"][name] = None
            elif name in d["_buffers"]:
                if value is not None and not isinstance(value, Tensor):
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)"
                    )
                d["_buffers"][name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if "_parameters" in self.__dict__:
            self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register `param` (or None: a declared but absent parameter, e.g. ``bias=False``)."""
        self._check_name(name, "parameter", self._registries()[0])
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' as parameter '{name}' "
                "(nn.Parameter or None expected)"
            )
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register state that is not trained but belongs to the model (saved in the state_dict
        unless ``persistent=False``), e.g. BatchNorm's running mean."""
        self._check_name(name, "buffer", self._registries()[1])
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' as buffer '{name}' (Tensor or None expected)"
            )
        self._forget(name, keep=self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register `module` (or None) as the child `name`; ``self.name = module`` does the same."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", self._registries()[2])
        self._forget(name, keep=self._modules)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def _check_name(self, name: str, kind: str, registry: dict) -> None:
        """PyTorch's checks: a non-empty string without ".", not an attribute of another kind (a
        method, a plain attribute or a registered value of another registry)."""
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if name not in registry and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    # ---- walking the tree --------------------------------------------------------------------

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module (name `prefix`) and every descendant, depth first in
        registration order. Each module comes once, under its first name (modules already in `memo`,
        a set of modules, are skipped); with ``remove_duplicate=False`` a module shared by several
        parents comes under each of its names. PyTorch's signature and order."""
        memo = set() if memo is None else memo
        if self in memo:  # Module hashes by identity
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every descendant, each once (see `named_modules`)."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules, each once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Tensor]]:
        # NOTE: deduplicated by id(): Tensor.__eq__ is elementwise, so `in`/`==` cannot be used.
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) in registration order; a shared parameter appears once (under
        each of its names with ``remove_duplicate=False``)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) in registration order, persistent or not (as PyTorch)."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn(module)`` on every descendant, then on this module (e.g. custom initialization)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients -----------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on every module."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode is expected to be a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is the identity, BatchNorm uses its running statistics."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (set them to None, or to zeros)."""
        for param in self.parameters():
            if set_to_none or param.grad is None:
                param.grad = None
            else:
                param.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Make every parameter require a gradient or not (``False`` freezes the module: optimizers
        skip parameters whose ``.grad`` stays None)."""
        for param in self.parameters():
            if hasattr(param, "requires_grad_"):
                param.requires_grad_(requires_grad)
            else:
                param.requires_grad = bool(requires_grad)
        return self

    def to(self, *args, **kwargs) -> Module:
        """``to(dtype)``, ``to(tensor)`` (its dtype) or ``to(device="cpu", dtype=None)``: cast the
        floating-point parameters and buffers to `dtype` in place; integer buffers (e.g.
        ``num_batches_tracked``) keep theirs. Returns the module.

        As PyTorch, a Parameter stays the same object (its ``.data`` and ``.grad`` are replaced),
        so an optimizer built before the cast still updates it. Each cast tensor's ``_version`` is
        bumped: a backward through a forward made before the cast raises instead of using the
        old values. seedgrad has no devices: ``"cpu"`` is accepted and does nothing.
        """
        dtype = _to_dtype(args, kwargs)
        if dtype is not None:
            self._cast(dtype)
        return self

    def _cast(self, dtype) -> Module:
        for module in self.modules():
            for registry in (module._parameters, module._buffers):
                for tensor in registry.values():
                    # NOTE: buffers are cast in place too (PyTorch gives a buffer a new tensor object;
                    # keeping it keeps a buffer shared by two modules shared).
                    if tensor is not None and tensor.dtype.kind == "f" and tensor.dtype != dtype:
                        tensor.data = tensor.data.astype(dtype)
                        tensor._version += 1
                        if tensor.grad is not None:
                            tensor.grad = tensor.grad.astype(dtype)
        return self

    def double(self) -> Module:
        """Convert floating-point parameters and buffers to float64 (e.g. for gradcheck)."""
        return self._cast(np.dtype(np.float64))

    def float(self) -> Module:
        """Convert floating-point parameters and buffers to float32."""
        return self._cast(np.dtype(np.float32))

    # ---- saving and loading ------------------------------------------------------------------

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by its dotted name (PyTorch's keys and order: a
        module's own parameters, then its buffers, then its children's).

        The values are detached *copies* (PyTorch returns references to the live tensors; a copy never
        changes behind your back when training continues). ``keep_vars=True`` gives the live tensors.

        A module or parameter used in several places is saved under each of its names, as PyTorch
        does, so the checkpoint of a model with tied weights loads into the same PyTorch model.
        """
        out: OrderedDict[str, Tensor] = OrderedDict()
        for module_prefix, module in self.named_modules(prefix=prefix, remove_duplicate=False):
            dot = f"{module_prefix}." if module_prefix else ""
            for name, param in module._parameters.items():
                if param is not None:
                    out[dot + name] = param if keep_vars else Tensor(param.data.copy())
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent:
                    out[dot + name] = buffer if keep_vars else Tensor(buffer.data.copy())
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy the values of `state_dict` (Tensors, numpy arrays or anything ``np.asarray`` accepts,
        e.g. CPU torch tensors) into this model's parameters and buffers, keeping their dtypes.

        Missing or unexpected keys (with ``strict=True``), shape mismatches and values that the
        model's dtype cannot hold exactly (always: e.g. 5.7 into the integer ``num_batches_tracked``,
        which a plain cast would silently truncate to 5) raise a `StateDictError` that lists all of
        them, and then nothing has been loaded. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to arrays, got {type(state_dict).__name__}"
            )
        targets = self.state_dict(keep_vars=True)
        missing = [key for key in targets if key not in state_dict]
        unexpected = [key for key in state_dict if key not in targets]
        problems, staged = [], []
        for key, target in targets.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            try:
                value = np.asarray(value.data if isinstance(value, Tensor) else value)
            except (TypeError, ValueError, RuntimeError) as e:  # e.g. a ragged list
                problems.append(f"{key}: cannot be read as an array ({e})")
                continue
            if value.dtype.kind not in "biuf":
                problems.append(f"{key}: expected numbers, got an array of dtype {value.dtype}")
            elif value.shape != target.shape:
                problems.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}"
                )
            elif not _fits(value, target.dtype):
                problems.append(
                    f"{key}: the values (dtype {value.dtype}) do not fit the model's dtype {target.dtype} "
                    "exactly (a non-integral, non-finite or out-of-range value for an integer buffer?)"
                )
            elif not target.data.flags.writeable:
                problems.append(f"{key}: the model's array is read-only, so it cannot be loaded in place")
            else:
                staged.append((target, value))
        if strict and missing:
            problems.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing))
        if strict and unexpected:
            problems.insert(
                int(bool(strict and missing)),
                "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected),
            )
        if problems:
            raise StateDictError(
                f"Error(s) in loading state_dict for {type(self).__name__} (nothing was loaded):\n\t"
                + "\n\t".join(problems)
            )
        # Only now, with every value checked, write in place (references to the tensors, e.g. an
        # optimizer's, stay valid). A value that shares memory with a model array (say, another
        # parameter's live tensor from ``state_dict(keep_vars=True)``) is copied first, so that no
        # write changes a value not yet loaded. Each write bumps the tensor's version: a backward
        # through a forward made before the load raises instead of using the old values.
        arrays = [target.data for target, _ in staged]
        staged = [
            (target, value.copy() if any(np.may_share_memory(value, a) for a in arrays) else value)
            for target, value in staged
        ]
        for target, value in staged:
            np.copyto(target.data, value, casting="unsafe")
            target._version += 1
        return IncompatibleKeys(missing, unexpected)

    # ---- printing ----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown inside this module's parentheses, e.g. ``in_features=2, out_features=8``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_addindent(repr(module), 2)}" for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = type(self).__name__ + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: integer indexing (negative too), assignment and deletion
    by index, len, iteration, append."""

    def _index(self, i: int) -> str:
        n = len(self._modules)
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of range for {type(self).__name__} of length {n}")
        return list(self._modules)[i % n]

    def __getitem__(self, index: int | slice):
        if isinstance(index, slice):
            return self._slice(list(self._modules.items())[index])
        return self._modules[self._index(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(self._index(index), module)  # keeps its name and its place

    def __delitem__(self, index: int | slice) -> None:
        names = list(self._modules)[index] if isinstance(index, slice) else [self._index(index)]
        for name in names:
            delattr(self, name)
        # PyTorch renumbers what is left "0", "1", ... (even a Sequential built from an OrderedDict).
        self._reset(list(self._modules.values()))

    def _reset(self, modules: list[Module]) -> None:
        """Make `modules` the contents, named "0", "1", ..."""
        for name in list(self._modules):
            delattr(self, name)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module):
        self.add_module(str(len(self)), module)
        return self


class Sequential(_ModuleSequence):
    """Modules applied one after the other: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``;
    their names are "0", "1", ... (or the keys of an OrderedDict). Indexable (a slice gives a
    Sequential), iterable, with a length."""

    def __init__(self, *modules: Module | OrderedDict):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def _slice(self, items: list[tuple[str, Module]]) -> Sequential:
        return Sequential(OrderedDict(items))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _slice(self, items: list[tuple[str, Module]]) -> ModuleList:
        return ModuleList(module for _, module in items)

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._reset(items)

    def __repr__(self) -> str:
        # Runs of identical modules are shown once, "(0-2): 3 x Linear(...)", as in PyTorch 2.
        reprs = [repr(module) for module in self]
        if not reprs:
            return "ModuleList()"
        blocks: list[list] = []
        for i, text in enumerate(reprs):
            if blocks and blocks[-1][2] == text:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, text])
        lines = [
            _addindent(f"({a}): {text}" if a == b else f"({a}-{b}): {b - a + 1} x {text}", 2)
            for a, b, text in blocks
        ]
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """Modules by name, registered (a plain dict would hide their parameters), in insertion order:
    ``ModuleDict({"encoder": Linear(4, 2), "decoder": Linear(2, 4)})``. PyTorch's API: ``d[key]``,
    ``d[key] = module``, ``del d[key]``, ``len``, iteration over the keys, ``in``, `keys`, `values`,
    `items`, `update`, `pop`, `clear`. A key must be a valid module name: a string without ".",
    not the name of an attribute such as ``"keys"`` or ``"train"``."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove `key` and return its module (KeyError if absent)."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping (its order) or an iterable of (key, module) pairs."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                "ModuleDict.update should be called with an iterable of key/value pairs, but got "
                + type(modules).__name__
            )
        if isinstance(modules, Mapping | ModuleDict):
            for key, module in modules.items():
                self[key] = module
            return
        for j, pair in enumerate(modules):
            if not isinstance(pair, Iterable):
                raise TypeError(
                    f"ModuleDict update sequence element #{j} should be Iterable; is {type(pair).__name__}"
                )
            pair = tuple(pair)
            if len(pair) != 2:
                raise ValueError(f"ModuleDict update sequence element #{j} has length {len(pair)}; 2 is required")
            self[pair[0]] = pair[1]
