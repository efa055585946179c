"""jaxgauss inside a jitted optax training step: gradients flow, nothing recompiles."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

import jaxgauss as jg


def _tril(raw):
    """Unconstrained (d, d) -> lower-triangular factor with a positive diagonal."""
    return jnp.tril(raw, -1) + jnp.diag(jax.nn.softplus(jnp.diagonal(raw)) + 1e-4)


def _jitted_step(opt, loss):
    """One optimizer step on ``loss(theta, data)``, jitted: what a user's training loop does."""

    @jax.jit
    def step(theta, state, data):
        value, grads = jax.value_and_grad(loss)(theta, data)
        updates, state = opt.update(grads, state)
        return optax.apply_updates(theta, updates), state, value

    return step


def test_maximum_likelihood_by_adam_recovers_the_moments():
    rng = np.random.default_rng(0)
    true_cov = np.array([[2.0, 0.6], [0.6, 0.5]])
    data = jnp.asarray(rng.multivariate_normal([1.0, -2.0], true_cov, size=2000))
    opt = optax.adam(0.05)
    theta = {"mean": jnp.zeros(2), "raw": jnp.zeros((2, 2))}
    state = opt.init(theta)

    def loss(theta, batch):
        return -jnp.mean(jg.log_prob(jg.GaussianParams(theta["mean"], _tril(theta["raw"])), batch))

    step = _jitted_step(opt, loss)

    for i in range(600):
        batch = data[(i % 10) * 200 : (i % 10 + 1) * 200]
        theta, state, value = step(theta, state, batch)
    assert step._cache_size() == 1
    cov = _tril(theta["raw"]) @ _tril(theta["raw"]).T
    mle_cov = np.cov(np.asarray(data).T, bias=True)
    # Adam with lr 0.05 on mini-batches hovers within a few standard errors of the full-data MLE.
    np.testing.assert_allclose(theta["mean"], np.asarray(data).mean(0), atol=0.1)
    np.testing.assert_allclose(cov, mle_cov, atol=0.15)
    assert np.isfinite(float(value))


def test_variational_fit_by_reparameterized_samples():
    """Reverse-KL variational inference: x ~ q by jg.sample, scored by jg.log_prob, minimizer q = p."""
    target = jg.gaussian(jnp.array([0.5, -1.0]), jnp.array([[1.0, 0.4], [0.4, 2.0]]))
    key = jax.random.key(0)
    opt = optax.adam(optax.cosine_decay_schedule(0.05, 500))
    theta = {"mean": jnp.array([3.0, 2.0]), "raw": jnp.zeros((2, 2))}
    state = opt.init(theta)

    def loss(theta, key):
        q = jg.GaussianParams(theta["mean"], _tril(theta["raw"]))
        x = jg.sample(key, q, 256)
        return jnp.mean(jg.log_prob(q, x) - jg.log_prob(target, x))

    step = _jitted_step(opt, loss)

    for i in range(500):
        theta, state, value = step(theta, state, jax.random.fold_in(key, i))
    assert step._cache_size() == 1
    cov = _tril(theta["raw"]) @ _tril(theta["raw"]).T
    np.testing.assert_allclose(theta["mean"], target.mean, atol=0.1)
    np.testing.assert_allclose(cov, target.covariance, atol=0.15)
    assert abs(float(value)) < 0.05
