"""Reproduces the float32 tail polynomial of ``jaxgauss.random._erfcinv32``.

``erfcinv(q)`` for ``w = -log(q (2 - q))`` in ``[5, 22.5]`` (``q`` from about ``3.4e-3`` down
to below ``2**-32``, the smallest ``q`` of the float32 normal transform) is fitted as a
degree-9 polynomial in ``t = sqrt(w) - 3.5``, by least squares weighted for relative error on
4,000 Chebyshev nodes in ``sqrt(w)``, against ``scipy.special.erfcinv`` in float64. Prints the
coefficients (highest degree first) and the worst relative error in float64 and when evaluated
in float32 as the library does.

Usage::

    python benchmarks/fit_erfcinv_tail.py
"""

from __future__ import annotations

import numpy as np
import scipy.special


def main() -> None:
    w_lo, w_hi, degree, centre = 5.0, 22.5, 9, 3.5
    nodes = np.cos(np.pi * (np.arange(4000) + 0.5) / 4000)
    sqrt_w = np.sqrt(w_lo) + (np.sqrt(w_hi) - np.sqrt(w_lo)) * (nodes + 1) / 2
    w = sqrt_w**2
    q = np.exp(-w) / (1 + np.sqrt(-np.expm1(-w)))  # the root of q (2 - q) = exp(-w) in (0, 1)
    y = scipy.special.erfcinv(q)
    coef = np.polynomial.polynomial.polyfit(sqrt_w - centre, y, degree, w=1 / y)
    fit = np.polynomial.polynomial.polyval(sqrt_w - centre, coef)
    t32 = (sqrt_w - centre).astype(np.float32)
    p32 = np.float32(coef[-1])
    for c in coef[-2::-1]:
        p32 = np.float32(c) + p32 * t32
    print("coefficients, highest degree first:")
    print(",\n".join(repr(float(c)) for c in coef[::-1]))
    print(
        f"max relative error: float64 {np.max(np.abs(fit / y - 1)):.2e}, "
        f"float32 evaluation {np.max(np.abs(p32 / y - 1)):.2e}"
    )


if __name__ == "__main__":
    main()
