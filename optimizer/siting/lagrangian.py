"""Lagrangian site screening for the p-median (Beasley 1985 style), before the MIP.

Relaxing "each demand point is assigned once" with multipliers ``lambda_i`` gives the bound
``L(lambda) = sum_i lambda_i + sum of the p smallest rho_j``, ``rho_j = sum_i min(0, c_ij -
lambda_i)``, ``c_ij = w_i d_ij``. Forcing site ``j`` open raises the bound by at least
``rho_j - rho_[p]`` (it replaces the worst of the p chosen), so when ``L + rho_j - rho_[p]``
exceeds a known solution's cost ``UB``, no solution using ``j`` is better than ``UB`` and ``j``
is dropped. The MIP then runs on the remaining sites, starting from the ``UB`` solution, and
its proof of optimality holds for the full problem.
"""

from __future__ import annotations

import numpy as np


def screen_p_median_sites(
    cost: np.ndarray, p: int, upper_bound: float, *, iterations: int = 300
) -> tuple[np.ndarray, float, np.ndarray]:
    """Sites that may belong to a p-median solution costing less than ``upper_bound``.

    Args:
        cost: dense (n_demand, n_sites) weighted costs ``w_i × minutes``, all finite.
        p: number of sites to open.
        upper_bound: cost of a known solution.
        iterations: subgradient iterations.

    Returns:
        (bool mask of sites to keep, best Lagrangian lower bound, the ``p`` sites the
        relaxation chose at that bound — often a good start for a local search).
    """
    n_sites = cost.shape[1]
    keep = np.ones(n_sites, dtype=bool)
    multipliers = np.sort(cost, axis=1)[:, min(p, n_sites - 1)]
    best_bound, step_scale, stall = -np.inf, 2.0, 0
    best_chosen = np.arange(p)
    for _ in range(iterations):
        reduced = np.minimum(cost - multipliers[:, None], 0.0)
        rho = reduced.sum(axis=0)
        order = np.argsort(rho, kind="stable")
        chosen = order[:p]
        bound = float(multipliers.sum() + rho[chosen].sum())
        keep &= bound + rho - rho[order[p - 1]] <= upper_bound + 1e-9 * max(1.0, upper_bound)
        if bound > best_bound + 1e-12:
            best_bound, best_chosen, stall = bound, chosen, 0
        else:
            stall += 1
            if stall >= 20:
                step_scale, stall = step_scale / 2, 0
        gradient = 1.0 - (reduced[:, chosen] < 0).sum(axis=1)
        norm = float(gradient @ gradient)
        if norm == 0 or best_bound >= upper_bound - 1e-9 or step_scale < 1e-4:
            break
        multipliers = multipliers + step_scale * (upper_bound - bound) / norm * gradient
    return keep, best_bound, best_chosen
