"""Test configuration: float64 enabled for oracle comparisons; float32 tests pass float32 data."""

import jax

jax.config.update("jax_enable_x64", True)
