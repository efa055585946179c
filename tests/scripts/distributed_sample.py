"""Run with XLA_FLAGS=--xla_force_host_platform_device_count=4: sharded sampling checks."""

import jax
import numpy as np
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import jaxgauss as jg

jax.config.update("jax_enable_x64", True)
assert jax.device_count() == 4, jax.devices()
mesh = jax.make_mesh((2, 2), ("a", "b"))
p = jg.gaussian([0.0, 1.0, 2.0], [[2.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]])
key = jax.random.key(7)
for spec, offset in [
    (P("a"), 0),
    (P(("a", "b")), 5000),
    (P(("b", "a")), 3),
    (P(), 0),
    (P("a"), 3 * 2**31),
]:
    x = jg.distributed.sample(key, p, 4000, sharding=NamedSharding(mesh, spec), offset=offset)
    ref = np.asarray(jg.sample(key, p, 4000, offset=offset))
    assert np.array_equal(np.asarray(x), ref), (spec, offset)
    assert x.sharding.spec[0] == spec[0] if len(spec) else x.sharding.spec[0] is None
    devices = {s.device for s in x.addressable_shards}
    assert len(devices) == 4
    rows = 4000 // jg.distributed.row_shards(NamedSharding(mesh, spec))
    assert all(s.data.shape == (rows, 3) for s in x.addressable_shards)
    # Each shard was generated on its own device, and holds exactly its slice of the stream.
    for s in x.addressable_shards:
        assert s.data.devices() == {s.device}
        np.testing.assert_array_equal(np.asarray(s.data), ref[s.index[0]])
print("distributed sampling ok")
