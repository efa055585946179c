"""One of two processes of a CPU multi-host job (gloo collectives on 127.0.0.1).

argv: process_id port data.npy out_dir. Each process loads half of the rows, the two fit one
mixture on the global row-sharded array, then write disjoint row ranges of one sample.
"""

import json
import sys
from pathlib import Path

import jax

pid, port, data_path, out_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.config.update("jax_enable_x64", True)

import jaxgauss as jg  # noqa: E402

jg.distributed.initialize(coordinator_address=f"127.0.0.1:{port}", num_processes=2, process_id=pid)

import numpy as np  # noqa: E402
from jax.sharding import AxisType, NamedSharding  # noqa: E402
from jax.sharding import PartitionSpec as P  # noqa: E402

assert jax.process_count() == 2 and jax.device_count() == 2
data = np.load(data_path, mmap_mode="r")
half = data.shape[0] // 2
local = np.asarray(data[pid * half : (pid + 1) * half])  # this process reads its half only
mesh = jax.make_mesh((2,), ("rows",), axis_types=(AxisType.Auto,))
rows = NamedSharding(mesh, P("rows"))
x = jax.make_array_from_process_local_data(rows, local, data.shape)
fit = jg.fit_gmm(jax.random.key(0), x, 3, covariance_type="full")
synth = jg.distributed.sample(jax.random.key(1), fit.params, 4096, sharding=rows)
jg.distributed.write_npy(out_dir / "sample.npy", synth)
result = {
    "log_likelihood": float(fit.log_likelihood),
    "n_iter": int(fit.n_iter),
    "means": np.asarray(fit.params.means).tolist(),
    "weights": np.asarray(fit.params.weights).tolist(),
    "scales": np.asarray(fit.params.scales).tolist(),
    "shard_rows": [[s.index[0].start, s.index[0].stop] for s in synth.addressable_shards],
}
(out_dir / f"result{pid}.json").write_text(json.dumps(result))
