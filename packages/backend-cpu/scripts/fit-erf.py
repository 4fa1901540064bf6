#!/usr/bin/env python3
"""Coefficients of src/kernels/erf-float32.ts, and their error (needs numpy; not run by CI).

erf(x) for |x| < 1: its Taylor series, 12 terms (the first left out is below 1e-10).
erf(x) for 1 <= |x| < 4: 1 - e^(-x^2) R(x), with R(x) = erfc(x) e^(x^2) interpolated at the 12
Chebyshev nodes of [1, 4] (degree 11), written as a polynomial in s = (2x - 5) / 3.
For |x| >= 4, erf(x) rounds to +-1 in float32 (erfc(4) = 1.5e-8 is below half an ulp of 1).

Usage: /usr/bin/python3 packages/backend-cpu/scripts/fit-erf.py
"""
import math

import numpy as np
from numpy.polynomial import chebyshev as C

DEGREE = 11
k = np.arange(DEGREE + 1)
nodes = np.cos(np.pi * (k + 0.5) / (DEGREE + 1))
tail = C.cheb2poly(C.chebfit(nodes, [math.erfc(x) * math.exp(x * x) for x in (3 * nodes + 5) / 2], DEGREE))
taylor = [2 / math.sqrt(math.pi) * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(12)]

print("TAYLOR =", [float(c) for c in taylor])
print("TAIL =", [float(c) for c in tail])

xs = np.linspace(1e-6, 4, 400001)
approx = np.where(
    xs < 1,
    xs * np.polyval(taylor[::-1], xs * xs),
    1 - np.polyval(tail[::-1], (2 * xs - 5) / 3) * np.exp(-xs * xs),
)
exact = np.array([math.erf(x) for x in xs])
print("max relative error on (0, 4):", float(np.max(np.abs(approx - exact) / exact)))
