"""Tests for the shared argument conversion in jaxgauss._checks."""

import numpy as np
import pytest

from jaxgauss import _checks


def test_borrow_shares_contiguous_float_buffers_only():
    # XLA wraps only suitably aligned buffers (otherwise DLPack copies), so align by hand.
    raw = np.empty(12 + 8)
    start = (-raw.ctypes.data % 64) // 8
    x = raw[start : start + 12].reshape(4, 3)
    x[...] = np.arange(12.0).reshape(4, 3)
    view = _checks.as_float_array(x, "x", borrow=True)
    assert view.unsafe_buffer_pointer() == x.ctypes.data
    np.testing.assert_array_equal(np.asarray(view), x)
    copy = _checks.as_float_array(x, "x")
    assert copy.unsafe_buffer_pointer() != x.ctypes.data
    # Not borrowable: strided, read-only, integer, big-endian -> an equal copy.
    readonly = x.copy()
    readonly.setflags(write=False)
    for y in (x[:, :2], readonly, x.astype(np.int64), x.astype(">f8")):
        assert _checks._borrow(y) is None
        # (big-endian input used to fail inside jnp.asarray with an obscure TypeError)
        got = _checks.as_float_array(y, "y", borrow=True)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(y, dtype=np.float64))


def test_borrow_keeps_type_errors():
    with pytest.raises(TypeError, match="x must be a real numeric array"):
        _checks.as_float_array(np.array(["a"]), "x", borrow=True)
