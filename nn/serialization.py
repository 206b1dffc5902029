"""`save` and `load` a state_dict as a numpy ``.npz`` archive: plain arrays, never pickle, so loading
a checkpoint cannot run code.

Layout (format 2): a marker entry holding the format version identifies the file as a seedgrad
checkpoint, and every state_dict entry is stored under ``PREFIX + key``. The prefix means no key can
collide with the marker or with ``np.savez``'s own parameter names (``file``, ``allow_pickle``), which
are passed as keyword arguments.
"""

from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from autograd import Tensor

MARKER = "__seedgrad_checkpoint__"
PREFIX = "state/"
FORMAT_VERSION = 2  # 1 (no prefix) was only ever written during development and is not read


def save(state_dict: Mapping[str, object], path: str | os.PathLike) -> None:
    """Write a mapping of names to arrays (a state_dict) to `path` exactly (no suffix is added)."""
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be strings, got {key!r}")
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"save: {key!r} is not a numeric array (dtype {array.dtype}); only arrays are saved"
            )
        arrays[PREFIX + key] = array
    with open(path, "wb") as f:
        np.savez(f, **{MARKER: np.array(FORMAT_VERSION)}, **arrays)


def load(path: str | os.PathLike) -> OrderedDict[str, Tensor]:
    """Read a checkpoint written by `save`: an OrderedDict of names to Tensors, in the saved order.
    A file that is not a seedgrad checkpoint raises ValueError (and pickled data is never loaded)."""
    not_ours = f"load: {os.fspath(path)!r} is not a seedgrad checkpoint"
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, zipfile.BadZipFile, EOFError, OSError) as e:
        if isinstance(e, FileNotFoundError | IsADirectoryError | PermissionError):
            raise
        raise ValueError(f"{not_ours} (numpy cannot read it as .npz: {e})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{not_ours} (it holds a single array, not an .npz archive)")
    with archive:
        if MARKER not in archive.files:
            raise ValueError(f"{not_ours} (no {MARKER!r} entry; save checkpoints with nn.save)")
        version = _read(archive, MARKER, not_ours)
        if version.shape != () or version.dtype.kind not in "iu":
            raise ValueError(f"{not_ours} (its {MARKER!r} entry is not an integer format version)")
        if version != FORMAT_VERSION:
            raise ValueError(
                f"load: {os.fspath(path)!r} has checkpoint format {version}; this seedgrad reads "
                f"format {FORMAT_VERSION} (re-save it with this version)"
            )
        state = OrderedDict()
        for name in archive.files:
            if name == MARKER:
                continue
            if not name.startswith(PREFIX):
                raise ValueError(f"{not_ours} (unexpected entry {name!r})")
            state[name[len(PREFIX) :]] = Tensor(_read(archive, name, not_ours))
        return state


def _read(archive: np.lib.npyio.NpzFile, name: str, not_ours: str) -> np.ndarray:
    """One entry; an object array (which only pickle can load) gets numpy's bare ValueError, so say
    instead that this is not our file."""
    try:
        return archive[name]
    except ValueError as e:
        raise ValueError(f"{not_ours} ({e})") from None
