"""Run with XLA_FLAGS=--xla_force_host_platform_device_count=4: fits on row-sharded data."""

import jax
import numpy as np
from jax.sharding import AxisType, NamedSharding
from jax.sharding import PartitionSpec as P

import jaxgauss as jg
from jaxgauss import em

jax.config.update("jax_enable_x64", True)
assert jax.device_count() == 4
rng = np.random.default_rng(0)
x = np.concatenate(
    [
        rng.normal(size=(400, 3)),
        rng.normal(size=(400, 3)) + 3.0,
        0.5 * rng.normal(size=(400, 3)) - 3.0,
    ]
)
# Every covariance type on an Auto mesh; an Explicit mesh (jax.make_mesh's default) once.
cases = [(AxisType.Auto, c) for c in ("full", "tied", "diag", "spherical")] + [
    (AxisType.Explicit, "full")
]
for axis_type in (AxisType.Auto, AxisType.Explicit):
    mesh = jax.make_mesh((4,), ("rows",), axis_types=(axis_type,))
    xs = jax.device_put(x, NamedSharding(mesh, P("rows")))
    # Row blocks would each live on one device: sharded data keeps one E/M pass.
    assert em.blockable(x) and not em.blockable(xs)
    for ctype in [c for t, c in cases if t == axis_type]:
        one = jg.fit_gmm(jax.random.key(0), x, 3, covariance_type=ctype)
        sharded = jg.fit_gmm(jax.random.key(0), xs, 3, covariance_type=ctype)
        assert int(one.n_iter) == int(sharded.n_iter), ctype
        np.testing.assert_allclose(
            float(sharded.log_likelihood), float(one.log_likelihood), rtol=1e-12
        )
        for a, b in zip(jax.tree.leaves(sharded.params), jax.tree.leaves(one.params), strict=True):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-10)
    g1, g2 = (
        jg.fit_gaussian(x, shrinkage="ledoit_wolf"),
        jg.fit_gaussian(xs, shrinkage="ledoit_wolf"),
    )
    np.testing.assert_allclose(np.asarray(g2.scale_tril), np.asarray(g1.scale_tril), atol=1e-12)
print("sharded fit ok")
