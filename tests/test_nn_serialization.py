"""nn.save / nn.load: .npz round trip, never pickle, foreign files rejected."""

import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor, manual_seed

MARKER = nn.serialization.MARKER


def model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def test_save_load_round_trip(tmp_path):
    manual_seed(0)
    a = model()
    a(Tensor(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)))
    path = tmp_path / "model.ckpt"
    nn.save(a.state_dict(), path)
    assert path.exists()  # exactly this path, no ".npz" appended
    loaded = nn.load(path)
    assert list(loaded) == list(a.state_dict())
    assert loaded["1.num_batches_tracked"].dtype == np.int64
    b = model()
    b.load_state_dict(loaded)
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_checkpoint_is_a_plain_npz_without_pickle(tmp_path):
    path = tmp_path / "m.npz"
    nn.save(model().state_dict(), path)
    with np.load(path, allow_pickle=False) as archive:
        assert "state/0.weight" in archive.files and int(archive[nn.serialization.MARKER]) == 2


@pytest.mark.parametrize("write", [
    lambda p: p.write_text("hello, not a checkpoint"),
    lambda p: p.write_bytes(pickle.dumps({"0.weight": np.ones(2)})),
    lambda p: np.save(p.open("wb"), np.ones(3)),
    lambda p: np.savez(p.open("wb"), weight=np.ones(3)),
    lambda p: np.savez(p.open("wb"), weight=np.array([{"a": 1}], dtype=object)),
    # a marker entry, but no version number: pickled objects, text, an array
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array([{"a": 1}], dtype=object)}),
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array("2")}),
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array([2, 2])}),
    # a valid marker, then a pickled entry or one outside the "state/" prefix
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array(2), "state/w": np.array([None], dtype=object)}),
    lambda p: np.savez(p.open("wb"), **{MARKER: np.array(2), "w": np.ones(2)}),
])
def test_foreign_files_are_rejected_with_value_error(tmp_path, write):
    path = tmp_path / "foreign.bin"
    write(path)
    with pytest.raises(ValueError, match="not a seedgrad checkpoint"):
        nn.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")


def test_save_rejects_non_arrays(tmp_path):
    with pytest.raises(TypeError, match="numeric"):
        nn.save({"w": "text"}, tmp_path / "x.npz")


def test_any_string_key_round_trips(tmp_path):
    """Keys are stored prefixed, so none can clash with np.savez's parameters or with the marker."""
    keys = ["file", "allow_pickle", "args", "kwds", "arr_0", MARKER, "state/x", "", "a.b/c"]
    state = {key: np.full(2, i) for i, key in enumerate(keys)}
    nn.save(state, tmp_path / "keys.npz")
    loaded = nn.load(tmp_path / "keys.npz")
    assert list(loaded) == keys
    for i, key in enumerate(keys):
        np.testing.assert_array_equal(loaded[key].data, i)


def test_other_format_versions_are_named(tmp_path):
    path = tmp_path / "v1.npz"
    np.savez(path.open("wb"), **{MARKER: np.array(1), "w": np.ones(2)})  # format 1: keys without prefix
    with pytest.raises(ValueError, match="format 1; this seedgrad reads format 2"):
        nn.load(path)
