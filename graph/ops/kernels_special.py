"""Numpy kernels of TensorFlow's special functions, without scipy: own series, continued
fractions, quadrature and asymptotic expansions, in float64 and cast back to the input dtype.

BesselI0e/I1e, Igamma/Igammac, Betainc, Zeta, Polygamma and Digamma. None has an ONNX form: a
Session runs them on the host part of a split signature.
"""

from __future__ import annotations

import math

import numpy as np
from ortflow.graph.ops.registry import kernel

__all__: list[str] = []


def _elementwise(fn, *arrays):
    """`fn` over broadcast float64 scalars, returned in the first input's dtype."""
    dtype = np.asarray(arrays[0]).dtype
    out = np.vectorize(fn, otypes=[np.float64])(*[np.asarray(a, np.float64) for a in arrays])
    return out.astype(dtype)


def _bessel_scaled(order: int, x: float) -> float:
    # exp(-|x|) I_n(|x|): the trapezoid rule on (1/pi) int_0^pi exp(|x|(cos t - 1)) cos(n t) dt
    # (spectrally accurate for this periodic integrand), or the asymptotic series past 50.
    ax = abs(x)
    if np.isnan(ax):
        return np.nan
    if np.isinf(ax):
        return 0.0
    if ax == 0.0:
        return 1.0 if order == 0 else 0.0
    if ax > 50.0:
        mu, term, total = 4.0 * order * order, 1.0, 1.0
        for k in range(1, 12):
            term *= -(mu - (2 * k - 1) ** 2) / (k * 8.0 * ax)
            total += term
        return total / np.sqrt(2.0 * np.pi * ax)
    t = np.linspace(0.0, np.pi, 257)
    f = np.exp(ax * (np.cos(t) - 1.0)) * np.cos(order * t)
    return float((f.sum() - 0.5 * (f[0] + f[-1])) * (t[1] - t[0]) / np.pi)


@kernel("BesselI0e")
def _bessel_i0e(node_def, inputs):
    return [_elementwise(lambda x: _bessel_scaled(0, x), inputs[0])]


@kernel("BesselI1e")
def _bessel_i1e(node_def, inputs):
    return [_elementwise(lambda x: np.copysign(_bessel_scaled(1, x), x), inputs[0])]


def _lower_gamma_series(a: float, x: float) -> float:
    term = total = 1.0 / a
    n = 0
    while abs(term) > abs(total) * 1e-16 and n < 10000:
        n += 1
        term *= x / (a + n)
        total += term
    return total * np.exp(-x + a * np.log(x) - _lgamma(a))


def _upper_gamma_fraction(a: float, x: float) -> float:
    # Modified Lentz on Q(a, x)'s continued fraction.
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return np.exp(-x + a * np.log(x) - _lgamma(a)) * h


def _lgamma(a: float) -> float:
    return math.lgamma(a)


def _igamma(a: float, x: float, upper: bool) -> float:
    if np.isnan(a) or np.isnan(x) or a <= 0 or x < 0:
        return np.nan
    if x == 0:
        return 1.0 if upper else 0.0
    if np.isinf(x):
        return 0.0 if upper else 1.0
    if x < a + 1.0:
        p = _lower_gamma_series(a, x)
        return 1.0 - p if upper else p
    q = _upper_gamma_fraction(a, x)
    return q if upper else 1.0 - q


@kernel("Igamma")
def _igamma_kernel(node_def, inputs):
    return [_elementwise(lambda a, x: _igamma(a, x, False), inputs[0], inputs[1])]


@kernel("Igammac")
def _igammac_kernel(node_def, inputs):
    return [_elementwise(lambda a, x: _igamma(a, x, True), inputs[0], inputs[1])]


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (tiny if abs(d) < tiny else d)
    h = d
    for m in range(1, 10000):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (tiny if abs(d) < tiny else d)
            c = 1.0 + num / c
            c = tiny if abs(c) < tiny else c
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if np.isnan(a) or np.isnan(b) or np.isnan(x) or a <= 0 or b <= 0 or x < 0 or x > 1:
        return np.nan
    if x == 0 or x == 1:
        return x
    front = np.exp(_lgamma(a + b) - _lgamma(a) - _lgamma(b) + a * np.log(x) + b * np.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


@kernel("Betainc")
def _betainc_kernel(node_def, inputs):
    return [_elementwise(_betainc, inputs[0], inputs[1], inputs[2])]


# B_2k / (2k)! for the Euler-Maclaurin tail of the Hurwitz zeta function.
_BERNOULLI_OVER_FACTORIAL = [1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160,
                             -691 / 1307674368000, 1 / 74724249600]


def _zeta(s: float, q: float) -> float:
    if np.isnan(s) or np.isnan(q) or s < 1:
        return np.nan
    if s == 1:
        return np.inf
    n = 12
    if q <= 0:
        if q == np.floor(q):
            return np.inf
        if s != np.floor(s):
            return np.nan  # negative bases need an integer power
        n += int(np.ceil(-q))  # sum directly past the negative terms
    total = sum((k + q) ** -s for k in range(n))
    a = n + q
    total += a ** (1 - s) / (s - 1) + 0.5 * a ** -s
    rising, power = s, a ** (-s - 1)  # s(s+1)...(s+2j-2) and a^(-s-2j+1)
    for j, coef in enumerate(_BERNOULLI_OVER_FACTORIAL):
        total += coef * rising * power
        rising *= (s + 2 * j + 1) * (s + 2 * j + 2)
        power /= a * a
    return total


@kernel("Zeta")
def _zeta_kernel(node_def, inputs):
    return [_elementwise(_zeta, inputs[0], inputs[1])]


def _digamma(x: float) -> float:
    if np.isnan(x) or (x <= 0 and x == np.floor(x)):
        return np.nan
    if x < 0:  # reflection
        return _digamma(1.0 - x) - np.pi / np.tan(np.pi * x)
    shift = 0.0
    while x < 10.0:
        shift -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    tail = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return shift + np.log(x) - 0.5 / x - tail


def _polygamma(n: float, x: float) -> float:
    if np.isnan(n) or n < 0 or n != np.floor(n):
        return np.nan
    if n == 0:
        return _digamma(x)
    k = int(n)
    return (-1.0) ** (k + 1) * math.factorial(k) * _zeta(k + 1.0, x)


@kernel("Polygamma")
def _polygamma_kernel(node_def, inputs):
    return [_elementwise(_polygamma, inputs[0], inputs[1])]


@kernel("Digamma")
def _digamma_kernel(node_def, inputs):
    return [_elementwise(_digamma, inputs[0])]
