"""Statistics for the leaderboard: bootstrap intervals, ranks, paired tests.

The unit of every statistic here is the *problem instance* (one dataset at one noise level,
seeds already averaged): intervals resample problems, ranks are taken within a problem, and
the paired tests pair two methods on the problems both ran (Demšar 2006; SRBench).
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

#: the key of one problem instance in a per-problem table
INSTANCE = ("suite", "dataset", "noise")
DEFAULT_N_BOOT = 2000


def seed_for(*key: object, base: int = 0) -> int:
    """A stable seed from a key, so an interval does not depend on the order of the blocks."""
    return (zlib.crc32(repr(key).encode()) + base) % (2**32)


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    *,
    statistic: Callable[..., np.ndarray] = np.mean,
    n_boot: int = DEFAULT_N_BOOT,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over ``values`` (one value a problem).

    ``statistic`` must accept ``axis=``. NaNs are dropped first; no value gives ``(nan, nan)``.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (float("nan"), float("nan"))
    if x.size == 1 or np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    stats = statistic(x[idx], axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return (float(low), float(high))


def holm(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm–Bonferroni step-down adjusted p-values (NaNs stay NaN and are not counted)."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(p[idx], kind="stable")]
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted)
    return out


def wide(per_problem: pd.DataFrame, value: str) -> pd.DataFrame:
    """Instances × methods table of one per-problem value (NaN where a method has none)."""
    return per_problem.pivot(index=list(INSTANCE), columns="method", values=value)


def instance_ranks(table: pd.DataFrame, *, higher_is_better: bool) -> pd.DataFrame:
    """Ranks of the methods within each instance (1 = best, ties share the average rank).

    Only instances where every method has a value are kept, so every method is ranked on the
    same problems.
    """
    common = table.dropna(how="any")
    return common.rank(axis=1, ascending=not higher_is_better, method="average")


def friedman_p(table: pd.DataFrame) -> float:
    """Friedman test p-value over the instances common to all methods (NaN when undefined)."""
    common = table.dropna(how="any")
    if common.shape[1] < 3 or common.shape[0] < 2:
        return float("nan")
    from scipy.stats import friedmanchisquare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p = friedmanchisquare(*[common[c].to_numpy() for c in common.columns]).pvalue
        except ValueError:
            return float("nan")
    return float(p) if np.isfinite(p) else 1.0


def wilcoxon_pair(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Two-sided Wilcoxon signed-rank test of ``a - b``; return ``(p, W+, W-)``.

    Zero differences are dropped (Wilcoxon's rule); no nonzero difference gives ``p = 1``.
    """
    from scipy.stats import rankdata, wilcoxon

    d = np.asarray(a, float) - np.asarray(b, float)
    d = d[d != 0]
    if d.size == 0:
        return (1.0, 0.0, 0.0)
    ranks = rankdata(np.abs(d))
    w_plus, w_minus = float(ranks[d > 0].sum()), float(ranks[d < 0].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = float(wilcoxon(d, zero_method="wilcox", alternative="two-sided").pvalue)
    return (p if np.isfinite(p) else 1.0, w_plus, w_minus)


def pairwise_wilcoxon(
    table: pd.DataFrame,
    *,
    higher_is_better: bool,
    alpha: float = 0.05,
    pairs: Sequence[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Every pair of methods compared on the instances both have (instances × methods table);
    ``pairs``: only these pairs (Holm then corrects over them alone).

    Columns: ``method_a, method_b, n`` (paired instances), ``a_better, b_better, ties``
    (instance counts), ``median_diff`` (a − b), ``p_value``, ``p_holm`` (Holm over all pairs
    of this table), ``significant`` (``p_holm < alpha``) and ``better`` (the method the signed
    ranks favour when significant, else empty).
    """
    rows = []
    for a, b in combinations(list(table.columns), 2) if pairs is None else pairs:
        pair = table[[a, b]].dropna(how="any")
        x, y = pair[a].to_numpy(float), pair[b].to_numpy(float)
        sign = 1.0 if higher_is_better else -1.0
        if len(pair) == 0:
            p, w_plus, w_minus = float("nan"), 0.0, 0.0
        else:
            p, w_plus, w_minus = wilcoxon_pair(sign * x, sign * y)
        rows.append(
            {
                "method_a": a,
                "method_b": b,
                "n": len(pair),
                "a_better": int((sign * (x - y) > 0).sum()),
                "b_better": int((sign * (x - y) < 0).sum()),
                "ties": int((x == y).sum()),
                "median_diff": float(np.median(x - y)) if len(pair) else float("nan"),
                "p_value": p,
                "_favours_a": w_plus > w_minus,
                "_favours_b": w_minus > w_plus,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "method_a",
            "method_b",
            "n",
            "a_better",
            "b_better",
            "ties",
            "median_diff",
            "p_value",
            "_favours_a",
            "_favours_b",
        ],
    )
    out["p_holm"] = holm(out["p_value"].to_numpy(float))
    out["significant"] = out["p_holm"] < alpha
    out["better"] = np.where(
        out["significant"] & out["_favours_a"],
        out["method_a"],
        np.where(out["significant"] & out["_favours_b"], out["method_b"], ""),
    )
    return out.drop(columns=["_favours_a", "_favours_b"])
