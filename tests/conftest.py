"""Test configuration: float64 enabled for oracle comparisons; float32 tests pass float32 data."""

import jax

jax.config.update("jax_enable_x64", True)

# Helper scripts run in subprocesses (simulated devices, multi-process jobs); never import them.
collect_ignore = ["scripts"]
