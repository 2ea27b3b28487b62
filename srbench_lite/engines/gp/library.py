"""The screening library evaluated on a few rows, and its closed-form best sums."""

from __future__ import annotations

import math

import numpy as np

from srbench_lite.engines.common.evaluate import evaluate
from srbench_lite.engines.common.tokens import CONST

__all__ = ["ScreeningLibrary"]

_PAIR_ROWS = 60  # pairs are searched among those with one of the best single terms


class ScreeningLibrary:
    """Values of the screening library on a few rows, centred and normalised once."""

    def __init__(self, lib: list[tuple[str, ...]], cols: list[np.ndarray]):
        terms, values = [], []
        for t in lib:
            v = evaluate(t, cols)
            if v is None:
                continue
            vc = v - v.mean()
            nrm = float(np.sqrt(vc @ vc))
            if not np.isfinite(nrm) or nrm <= 1e-12 * max(1.0, float(np.abs(v).max())):
                continue
            terms.append(t)
            values.append(v)
        self.terms = terms
        self.raw = np.column_stack(values) if values else np.zeros((len(cols[0]), 0))
        self.Fc = self.raw - self.raw.mean(axis=0)
        self.F = self.Fc / np.sqrt((self.Fc * self.Fc).sum(axis=0))
        self.G = self.Fc.T @ self.Fc

    def top_singles(self, z: np.ndarray, k: int) -> list[tuple[str, ...]]:
        """The ``k`` library terms that alone explain most of ``z`` (with an intercept)."""
        if not self.terms:
            return []
        zc = np.asarray(z, dtype=np.float64) - np.mean(z)
        with np.errstate(all="ignore"):
            bz = self.Fc.T @ zc
            single = np.nan_to_num(bz * bz / np.diag(self.G), nan=-np.inf)
        return [self.terms[i] for i in np.argsort(-single)[:k]]

    def forward(self, z: np.ndarray, max_terms: int = 3, n_pairs: int = 6):
        """Best sums of 1, 2 and 3 non-sum library terms for ``z`` (least squares with an
        intercept): every single term, and every pair holding one of the best single terms, in
        closed form from the Gram matrix, then the best third term for each of the ``n_pairs``
        best pairs. Returns
        ``[(nmse, tokens, consts)]`` by number of terms."""
        L = self.F.shape[1]
        if L == 0:
            return []
        z = np.asarray(z, dtype=np.float64)
        zc = z - z.mean()
        zz = float(zc @ zc)
        if not zz > 0:
            return []
        atomic = np.ones(len(self.terms), dtype=bool)  # sums of library terms too
        G = self.G
        bz = self.Fc.T @ zc
        gd = np.diag(G)
        results: list[tuple[float, list[int]]] = []
        single = np.where(atomic, bz * bz / gd, -np.inf)
        i1 = int(np.argmax(single))
        results.append((zz - float(single[i1]), [i1]))
        if max_terms >= 2 and L >= 2:
            # pairs with at least one of the best single terms (rows S), any partner (columns)
            S = np.argsort(-single)[: min(L, _PAIR_ROWS)]
            Gs = G[S]
            with np.errstate(all="ignore"):
                det = np.outer(gd[S], gd) - Gs * Gs
                expl = np.outer(bz[S] ** 2, gd) - 2 * Gs * np.outer(bz[S], bz)
                expl = (expl + np.outer(gd[S], bz * bz)) / det
            ok = det > 1e-10 * np.outer(gd[S], gd)
            ok[np.arange(len(S)), S] = False
            expl = np.where(ok & np.isfinite(expl), expl, -np.inf)
            k = min(4 * n_pairs, expl.size - 1)
            top = np.argpartition(-expl, k, axis=None)[:k]  # the best pairs, in no order
            flat = top[np.argsort(-expl.ravel()[top])]
            pairs, seen = [], set()
            for f in flat:
                a, j = divmod(int(f), L)
                i = int(S[a])
                key = (min(i, j), max(i, j))
                if np.isfinite(expl[a, j]) and key not in seen and len(pairs) < 2 * n_pairs:
                    seen.add(key)
                    pairs.append((zz - float(expl[a, j]), list(key)))
            if pairs:
                results.append(min(pairs))
            if max_terms >= 3:

                def best_with(i: int, j: int) -> tuple[float, int]:
                    Q, _ = np.linalg.qr(self.Fc[:, [i, j]])
                    r = zc - Q @ (Q.T @ zc)
                    Fo = self.Fc - Q @ (Q.T @ self.Fc)
                    nn = (Fo * Fo).sum(axis=0)
                    with np.errstate(all="ignore"):
                        gain = (Fo.T @ r) ** 2 / nn
                    gain[~atomic | (nn < 1e-10 * gd)] = -np.inf
                    gain[[i, j]] = -np.inf
                    k = int(np.argmax(gain))
                    if not np.isfinite(gain[k]):
                        return math.inf, -1
                    return float(r @ r) - float(gain[k]), k

                triples = []
                for _, (i, j) in pairs[:n_pairs]:
                    v, k = best_with(i, j)
                    if k >= 0:
                        triples.append((v, [i, j, k]))
                if triples:
                    v, idx = min(triples)
                    for _round in range(4):  # swap one term at a time while it helps
                        improved = False
                        for pos in range(3):
                            rest = [t for p_, t in enumerate(idx) if p_ != pos]
                            v2, k = best_with(*rest)
                            if k >= 0 and v2 < v * (1 - 1e-9) - 1e-30 * zz:
                                v, idx, improved = v2, [*rest, k], True
                        if not improved or v <= 1e-24 * zz:
                            break
                    results.append((v, idx))
        out = []
        ones = np.ones(len(z))
        for _, idx in results:
            A = np.column_stack([self.raw[:, idx], ones])
            coef, *_ = np.linalg.lstsq(A, z, rcond=None)
            res = A @ coef - z
            toks = self.terms[idx[0]]
            consts: list[float] = []
            for k in range(1, len(idx)):
                toks = ("add", *toks, "mul", CONST, *self.terms[idx[k]])
                consts.append(float(coef[k] / coef[0]) if coef[0] != 0 else 1.0)
            out.append((float(res @ res) / zz, toks, consts))
        return out
