"""`save` and `load` a state_dict as a numpy ``.npz`` archive: plain arrays, never pickle, so loading
a checkpoint cannot run code. A marker entry identifies the file as a seedgrad checkpoint."""

from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from autograd import Tensor

MARKER = "__seedgrad_checkpoint__"
FORMAT_VERSION = 1


def save(state_dict: Mapping[str, object], path: str | os.PathLike) -> None:
    """Write a mapping of names to arrays (a state_dict) to `path` exactly (no suffix is added)."""
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be strings, got {key!r}")
        if key == MARKER:
            raise ValueError(f"save: the key {MARKER!r} is reserved")
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"save: {key!r} is not a numeric array (dtype {array.dtype}); only arrays are saved"
            )
        arrays[key] = array
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
        version = int(archive[MARKER])
        if version > FORMAT_VERSION:
            raise ValueError(
                f"load: {os.fspath(path)!r} has checkpoint format {version}; this seedgrad reads "
                f"up to {FORMAT_VERSION}"
            )
        try:
            return OrderedDict((key, Tensor(archive[key])) for key in archive.files if key != MARKER)
        except ValueError as e:  # an entry holding pickled objects
            raise ValueError(f"{not_ours} ({e})") from None
