"""argv: folder. Peak resident memory of an out-of-core fit of a file much larger than a chunk."""

import json
import resource
import sys
from pathlib import Path

import jax
import numpy as np

import jaxgauss as jg

jax.config.update("jax_enable_x64", True)
folder = Path(sys.argv[1])
rng = np.random.default_rng(0)
d, chunk = 8, 20_000
small, big = folder / "small.npy", folder / "big.npy"
np.save(small, rng.normal(size=(30_000, d)))
with open(big, "wb") as f:  # 1.2e6 x 8 float64 = 77 MB, written in pieces
    np.lib.format.write_array_header_1_0(
        f, {"descr": "<f8", "fortran_order": False, "shape": (1_200_000, d)}
    )
    for i in range(60):
        f.write((rng.normal(size=(chunk, d)) + 3.0 * (i % 2)).tobytes())
init = jg.fit_gmm(
    jax.random.key(0), np.load(small)[:5000], 2, covariance_type="diag", max_iter=0
).params
kw = dict(covariance_type="diag", chunk_rows=chunk, params_init=init, max_iter=3, tol=0.0)
jg.fit_gmm_chunked(jax.random.key(0), small, 2, **kw)  # compiles every program once
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
fit = jg.fit_gmm_chunked(jax.random.key(0), big, 2, **kw)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    json.dumps(
        {
            "growth_mb": after - before,
            "file_mb": big.stat().st_size / 2**20,
            "n_iter": int(fit.n_iter),
        }
    )
)
