"""Straightforward textbook implementations, the baseline our engine is measured against.

Shapley: the marginal-contribution formula with a Python loop over coalitions and players.
Pre-nucleolus: the sequence of LPs of Maschler, Peleg and Shapley (1979) with every coalition as a
row in every LP (no constraint generation). Benchmark-only code.
"""

from __future__ import annotations

from math import factorial

import numpy as np
from scipy.optimize import linprog


def shapley(values: np.ndarray, n: int) -> np.ndarray:
    weight = [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)]
    phi = [0.0] * n
    for mask in range(1 << n):
        size = bin(mask).count("1")
        for i in range(n):
            if not mask >> i & 1:
                phi[i] += weight[size] * (values[mask | 1 << i] - values[mask])
    return np.array(phi)


def prenucleolus(cost: np.ndarray, n: int) -> np.ndarray:
    grand = (1 << n) - 1
    masks = np.arange(1, grand)
    rows = ((masks[:, None] >> np.arange(n)) & 1).astype(float)
    free = np.ones(len(masks), dtype=bool)
    eq_rows, eq_rhs = [np.ones(n)], [cost[grand]]
    x = np.zeros(n)
    for _ in range(n):
        a_ub = np.hstack([rows[free], np.ones((free.sum(), 1))])
        a_eq = np.hstack([np.array(eq_rows), np.zeros((len(eq_rows), 1))])
        result = linprog(
            np.r_[np.zeros(n), -1.0],
            A_ub=a_ub,
            b_ub=cost[masks[free]],
            A_eq=a_eq,
            b_eq=eq_rhs,
            bounds=[(None, None)] * (n + 1),
            method="highs",
        )
        x, t = result.x[:n], result.x[n]
        tight = np.flatnonzero(free)[result.ineqlin.marginals < -1e-7]
        for k in tight:
            eq_rows.append(rows[k])
            eq_rhs.append(cost[masks[k]] - t)
            free[k] = False
        if np.linalg.matrix_rank(np.array(eq_rows)) >= n or not free.any():
            break
        span = np.array(eq_rows)
        residual = rows - rows @ np.linalg.pinv(span) @ span
        free &= np.linalg.norm(residual, axis=1) > 1e-9
    return np.linalg.lstsq(np.array(eq_rows), np.array(eq_rhs), rcond=None)[0] if len(eq_rows) >= n else x
