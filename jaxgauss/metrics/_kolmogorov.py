"""Host-side null distributions of the two-sample Kolmogorov-Smirnov statistic.

P-values are a few scalars per column, so they are computed on the host in float64 numpy
(no scipy at run time). Two distributions are offered, chosen as ``scipy.stats.ks_2samp``
chooses them, so that the p-values agree with scipy's:

* **asymptotic** (``method="asymp"``): ``P(D_m >= d)`` for the *one-sample* two-sided statistic
  ``D_m`` with ``m = round(n1 n2 / (n1 + n2))``, evaluated with the regimes of Simard & L'Ecuyer
  (2011): Ruben-Gambino's closed forms at the extremes, twice the one-sided Smirnov tail
  (Birnbaum & Tingey, 1951, an exact finite sum) for large ``m d^2``, the Durbin matrix
  (Marsaglia, Tsang & Wang, 2003) for small ``m``, and the Pelz-Good (1976) expansion otherwise.
* **exact** (``method="exact"``): the probability that a uniformly random monotone lattice path
  from ``(0, 0)`` to ``(n1, n2)`` leaves the band ``|i/n1 - j/n2| < d`` (Hodges, 1958), computed
  by a dynamic programme over anti-diagonals of the lattice restricted to the band.

References:
  R. Simard and P. L'Ecuyer (2011), "Computing the two-sided Kolmogorov-Smirnov distribution",
  Journal of Statistical Software 39(11).
  G. Marsaglia, W. W. Tsang and J. Wang (2003), "Evaluating Kolmogorov's distribution",
  Journal of Statistical Software 8(18).
  W. Pelz and I. J. Good (1976), "Approximating the lower tail-areas of the Kolmogorov-Smirnov
  one-sample statistic", JRSS B 38(2).
  J. L. Hodges (1958), "The significance probability of the Smirnov two-sample test",
  Arkiv for Matematik 3(43).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["asymp_pvalue", "exact_pvalue", "kolmogorov_sf"]

_LOG_2PI = math.log(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


def _log_factorial_over_power(n: int) -> float:
    """``log(n! / n**n)`` without forming either huge number."""
    return math.lgamma(n + 1) - n * math.log(n)


def _smirnov_sf(n: int, x: float) -> float:
    """One-sided ``P(D_n^+ >= x)`` by the Birnbaum-Tingey sum (all terms positive)."""
    if x <= 0.0:
        return 1.0
    if x >= 1.0:
        return 0.0
    jmax = int(math.floor(n * (1.0 - x)))
    j = np.arange(jmax + 1, dtype=np.float64)
    # log C(n, j) by a running sum of log((n - i + 1) / i).
    steps = np.log((n - j[1:] + 1.0) / j[1:])
    log_binom = np.concatenate([[0.0], np.cumsum(steps)])
    a = 1.0 - x - j / n
    b = x + j / n
    with np.errstate(divide="ignore"):
        log_terms = log_binom + (n - j) * np.log(a) + (j - 1.0) * np.log(b)
    log_terms = np.where(a <= 0.0, -np.inf, log_terms)
    top = np.max(log_terms)
    if not np.isfinite(top):
        return 0.0
    return float(x * math.exp(top) * np.sum(np.exp(log_terms - top)))


def _durbin_cdf(n: int, x: float) -> float:
    """``P(D_n <= x)`` by the Durbin matrix method (Marsaglia, Tsang & Wang, 2003)."""
    nx = n * x
    k = int(math.ceil(nx))
    h = k - nx
    m = 2 * k - 1
    idx = np.arange(1, m + 1, dtype=np.float64)
    log_fact = np.array([math.lgamma(i + 1.0) for i in range(m + 1)])
    # Entries H[i, j] = 1/(i - j + 1)! for i - j + 1 >= 0, with corrected first column and last row.
    i_minus_j = np.arange(m)[:, None] - np.arange(m)[None, :] + 1
    mat = np.where(i_minus_j >= 0, np.exp(-log_fact[np.clip(i_minus_j, 0, m)]), 0.0)
    edge = (1.0 - h**idx) * np.exp(-log_fact[1 : m + 1])
    corner = (1.0 - 2.0 * h**m + max(2.0 * h - 1.0, 0.0) ** m) * math.exp(-log_fact[m])
    mat[:, 0] = edge
    mat[-1, :] = edge[::-1]
    mat[-1, 0] = corner
    # Power by squaring, renormalising to keep the numbers in range; the log scale is tracked.
    result = np.eye(m)
    log_result = 0.0
    base = mat
    log_base = 0.0
    e = n
    while e > 0:
        if e & 1:
            result = result @ base
            log_result += log_base
            s = np.max(np.abs(result))
            result /= s
            log_result += math.log(s)
        e >>= 1
        if e:
            base = base @ base
            log_base *= 2.0
            s = np.max(np.abs(base))
            base /= s
            log_base += math.log(s)
    value = result[k - 1, k - 1]
    if value <= 0.0:
        return 0.0
    return math.exp(math.log(value) + log_result + _log_factorial_over_power(n))


def _pelz_good_cdf(n: int, x: float) -> float:
    """``P(D_n <= x)`` by the Pelz-Good asymptotic expansion to order ``n**-1.5``."""
    z = math.sqrt(n) * x
    z2 = z * z
    if -(math.pi**2) / (8.0 * z2) < -708.0:
        return 0.0
    p2 = math.pi**2
    kmax = int(math.ceil(16.0 * z / math.pi))
    odd = 2.0 * np.arange(1, kmax + 1, dtype=np.float64) - 1.0  # 1, 3, 5, ...
    w_odd = np.exp(-(odd**2) * p2 / (8.0 * z2))
    o2 = odd**2
    k0 = _SQRT_2PI / z * np.sum(w_odd)
    k1 = _SQRT_2PI / (6.0 * z**4) * np.sum((p2 * o2 / 4.0 - z2) * w_odd)
    c2 = 6.0 * z**6 + 2.0 * z**4 + (2.0 * z**4 - 5.0 * z2) * p2 * o2 / 4.0
    c2 = c2 + p2**2 * (1.0 - 2.0 * z2) * o2**2 / 16.0
    k2 = _SQRT_2PI / (72.0 * z**7) * np.sum(c2 * w_odd)
    c3 = -30.0 * z**6 - 90.0 * z**8 + p2 * (135.0 * z**4 - 96.0 * z**6) * o2 / 4.0
    c3 = c3 + p2**2 * (212.0 * z**4 - 60.0 * z2) * o2**2 / 16.0
    c3 = c3 + p2**3 * (5.0 - 30.0 * z2) * o2**3 / 64.0
    k3 = _SQRT_2PI / (6480.0 * z**10) * np.sum(c3 * w_odd)
    ints = np.arange(1, kmax + 1, dtype=np.float64)
    w_int = np.exp(-(ints**2) * p2 / (2.0 * z2))
    k2 -= p2 * _SQRT_2PI / (36.0 * z**3) * np.sum(ints**2 * w_int)
    k3 += p2 * _SQRT_2PI / (216.0 * z**6) * np.sum((3.0 * z2 - p2 * ints**2) * ints**2 * w_int)
    rn = math.sqrt(n)
    return k0 + k1 / rn + k2 / n + k3 / (n * rn)


def kolmogorov_sf(n: int, x: float) -> float:
    """``P(D_n >= x)`` for the one-sample two-sided Kolmogorov-Smirnov statistic ``D_n``."""
    if x >= 1.0:
        return 0.0
    if x <= 0.0:
        return 1.0
    t = n * x
    if t <= 1.0:  # Ruben-Gambino: 1/(2n) <= x <= 1/n
        if t <= 0.5:
            return 1.0
        cdf = math.exp(_log_factorial_over_power(n) + n * math.log(2.0 * t - 1.0))
        return float(np.clip(1.0 - cdf, 0.0, 1.0))
    if t >= n - 1:  # Ruben-Gambino upper extreme
        return float(np.clip(2.0 * (1.0 - x) ** n, 0.0, 1.0))
    if x >= 0.5:  # exactly twice the one-sided tail
        return float(np.clip(2.0 * _smirnov_sf(n, x), 0.0, 1.0))
    nx2 = t * x
    if n <= 140:
        if nx2 <= 4.0:
            return float(np.clip(1.0 - _durbin_cdf(n, x), 0.0, 1.0))
        return float(np.clip(2.0 * _smirnov_sf(n, x), 0.0, 1.0))
    if nx2 >= 370.0:
        return 0.0
    if nx2 >= 2.2:
        return float(np.clip(2.0 * _smirnov_sf(n, x), 0.0, 1.0))
    if nx2 >= 18.0:
        return 0.0
    if n <= 100_000 and n * x**1.5 <= 1.4:
        cdf = _durbin_cdf(n, x)
    else:
        cdf = _pelz_good_cdf(n, x)
    return float(np.clip(1.0 - cdf, 0.0, 1.0))


def asymp_pvalue(statistic: np.ndarray, n1: int, n2: int) -> np.ndarray:
    """Asymptotic two-sided p-values ``(d,)`` for statistics ``(d,)`` of samples of n1, n2 rows."""
    big, small = max(n1, n2), min(n1, n2)
    m = int(np.round(big * small / (big + small)))
    return np.array([kolmogorov_sf(m, float(s)) for s in np.atleast_1d(statistic)])


def _equal_n_pvalue(n: int, h: int) -> float:
    """``P(D_{n,n} >= h/n)`` by reflection: ``2 sum_k (-1)^(k+1) C(2n, n-kh) / C(2n, n)``."""
    log_center = 2.0 * math.lgamma(n + 1.0)
    total = 0.0
    for k in range(n // h, 0, -1):  # smallest terms first
        r = math.exp(log_center - math.lgamma(n - k * h + 1.0) - math.lgamma(n + k * h + 1.0))
        total = r - total  # alternating sum evaluated from the tail: r_1 - (r_2 - (r_3 - ...))
    return 2.0 * total


def _lattice_pvalues(n1: int, n2: int, bands: np.ndarray) -> np.ndarray:
    """Probability that a random path from (0,0) to (n1,n2) touches ``|i n2 - j n1| >= band``.

    ``bands`` is ``(c,)`` integers (one per column, all >= 1). ``Q(i, j)``, the chance that a
    uniform path from the origin to ``(i, j)`` has already left the band, obeys
    ``Q = 1`` outside the band and ``Q(i, j) = (i Q(i-1, j) + j Q(i, j-1)) / (i + j)`` inside;
    it is swept along anti-diagonals ``s = i + j`` inside the widest band only, vectorised over
    columns.
    """
    total = n1 + n2
    bmax = int(bands.max())
    width = (2 * (bmax - 1)) // total + 2
    offsets = np.arange(width)
    band = bands[:, None]
    prev = np.zeros((bands.shape[0], width))
    prev_lo = 0  # s = 0: the single point i = 0, inside (Q = 0)
    for s in range(1, total + 1):
        lo = max(-((bmax - 1 - s * n1) // total), s - n2, 0)  # ceil((s n1 - bmax + 1) / total)
        i = lo + offsets
        j = s - i
        left = i - 1 - prev_lo  # (i - 1, j) on the previous diagonal
        down = i - prev_lo  # (i, j - 1)
        q_left = np.where((left >= 0) & (left < width), prev[:, np.clip(left, 0, width - 1)], 1.0)
        q_down = np.where((down >= 0) & (down < width), prev[:, np.clip(down, 0, width - 1)], 1.0)
        new = (i * q_left + j * q_down) / s
        outside = np.abs(i * total - s * n1)[None, :] >= band
        valid = (i <= n1) & (j >= 0)
        prev = np.where(outside | ~valid[None, :], 1.0, new)
        prev_lo = lo
    return prev[:, n1 - prev_lo]


def exact_pvalue(statistic: np.ndarray, n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact two-sided p-values for statistics ``(d,)``; also returns the statistics rounded to
    the lattice ``h / lcm(n1, n2)`` on which the exact distribution lives (as scipy reports)."""
    stat = np.atleast_1d(np.asarray(statistic, dtype=np.float64))
    g = math.gcd(n1, n2)
    lcm = (n1 // g) * n2
    h = np.round(stat * lcm).astype(np.int64)
    rounded = h / lcm
    p = np.ones_like(stat)
    pos = h > 0
    if np.any(pos):
        if n1 == n2:
            p[pos] = [_equal_n_pvalue(n1, int(hh)) for hh in h[pos]]
        else:
            p[pos] = _lattice_pvalues(n1, n2, h[pos] * g)
    return np.clip(p, 0.0, 1.0), rounded
