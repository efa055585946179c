"""Synthesizer.save / load: npz + JSON, bit-exact, atomic, no pickle, clear errors."""

import json

import numpy as np
import pandas as pd
import pytest

import jaxgauss as jg
from jaxgauss import persistence


def _table(n=120):
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.gamma(2.0, size=n),
            "k": rng.integers(0, 5, size=n),
            "c": pd.Categorical(rng.choice(["u", "v"], size=n)),
        }
    )


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    syn = jg.Synthesizer(
        "gmm", n_components=2, covariance_type="diag", constraints=["a < 2"], random_seed=5
    ).fit(_table())
    path = syn.save(tmp_path_factory.mktemp("m") / "model.npz")
    return syn, path


def test_round_trip_is_bit_exact(saved):
    syn, path = saved
    back = jg.Synthesizer.load(path)
    assert isinstance(back.params_, jg.GMMParams)
    assert back.params_.covariance_type == "diag"
    for a, b in zip(
        (syn.params_.weights, syn.params_.means, syn.params_.scales),
        (back.params_.weights, back.params_.means, back.params_.scales),
        strict=True,
    ):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert back.schema_ == syn.schema_ and back.options == syn.options
    assert back.model_ == syn.model_ and back.selection_ == syn.selection_
    pd.testing.assert_frame_equal(back.sample(300, seed=11), syn.sample(300, seed=11))


def test_gaussian_round_trip_and_ndarray(tmp_path):
    x = np.random.default_rng(0).normal(size=(50, 3))
    syn = jg.Synthesizer("gaussian").fit(x)
    back = jg.Synthesizer.load(syn.save(tmp_path / "g.npz"))
    assert isinstance(back.params_, jg.GaussianParams)
    np.testing.assert_array_equal(back.sample(300, seed=1), syn.sample(300, seed=1))


def test_file_is_plain_npz_without_pickle(saved):
    _, path = saved
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(npz["__jaxgauss__"].tobytes())
        assert all(npz[name].dtype != object for name in npz.files)
    assert meta["format"] == "jaxgauss" and meta["version"] == persistence.FORMAT_VERSION
    assert meta["kind"] == "Synthesizer" and meta["params"]["type"].endswith(":GMMParams")
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.npz"]  # no temp files


def test_truncated_file(saved, tmp_path):
    _, path = saved
    data = path.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        ValueError, match="not a valid jaxgauss Synthesizer file.*truncated or corrupt"
    ):
        jg.Synthesizer.load(bad)


def test_corrupt_file(saved, tmp_path):
    _, path = saved
    data = bytearray(path.read_bytes())
    # Flip bytes inside the stored arrays (after the first local header): the CRC check fails.
    for i in range(200, 260):
        data[i] ^= 0xFF
    bad = tmp_path / "corrupt.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a valid jaxgauss Synthesizer file"):
        jg.Synthesizer.load(bad)
    noise = tmp_path / "noise.npz"
    noise.write_bytes(b"\x00garbage" * 50)
    with pytest.raises(ValueError, match="not an .npz \\(zip\\) archive"):
        jg.Synthesizer.load(noise)


def test_foreign_files(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, weights=np.ones(3))
    with pytest.raises(ValueError, match="no __jaxgauss__ metadata"):
        jg.Synthesizer.load(other)
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    with pytest.raises(ValueError, match="not an .npz"):
        jg.Synthesizer.load(npy)
    wrong = tmp_path / "wrong.npz"
    persistence.save_arrays(wrong, {"kind": "Something"}, [])
    with pytest.raises(ValueError, match="it holds a 'Something'"):
        jg.Synthesizer.load(wrong)
    future = tmp_path / "future.npz"
    np.savez(
        future,
        __jaxgauss__=np.frombuffer(
            json.dumps({"format": "jaxgauss", "version": 99, "kind": "Synthesizer"}).encode(),
            np.uint8,
        ),
    )
    with pytest.raises(ValueError, match="format version 99 is not supported"):
        jg.Synthesizer.load(future)
    broken = tmp_path / "broken.npz"
    persistence.save_arrays(broken, {"kind": "Synthesizer", "options": {}}, [])
    with pytest.raises(ValueError, match="bad metadata"):
        jg.Synthesizer.load(broken)


def test_interrupted_save_leaves_nothing(saved, tmp_path, monkeypatch):
    syn, _ = saved

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        syn.save(tmp_path / "model.npz")
    assert list(tmp_path.iterdir()) == []


def test_unfitted_save_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="not fitted yet"):
        jg.Synthesizer().save(tmp_path / "x.npz")
    with pytest.raises(OSError):
        jg.Synthesizer.load(tmp_path / "missing.npz")
