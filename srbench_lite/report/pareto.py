"""SRBench's accuracy-vs-simplicity plot (PNG): each method's median rank by R² test against
its median rank by model size, successive Pareto fronts joined; drawn like the other plots
(:mod:`.plots`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from srbench_lite.report.aggregate import noise_label
from srbench_lite.report.plots import (
    NOT_MARKED,
    PUBLISHED_COLOR,
    Marked,
    grid_shape,
    new_figure,
    plot_style,
    save_figure,
)


def pareto_fronts(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Front index (0 = non-dominated) of each point, lower being better on both axes."""
    front = np.full(len(x), -1)
    level = 0
    remaining = set(range(len(x)))
    while remaining:
        current = [
            i
            for i in remaining
            if not any(
                x[j] <= x[i] and y[j] <= y[i] and (x[j] < x[i] or y[j] < y[i])
                for j in remaining
                if j != i
            )
        ]
        for i in current:
            front[i] = level
            remaining.discard(i)
        level += 1
    return front


def pareto_plot(
    pareto: pd.DataFrame, methods: Sequence[str], path: Path, marked: Marked = NOT_MARKED
) -> Path | None:
    """SRBench's Pareto plot: median R² test rank vs median model-size rank per method
    (1 = best, lower-left is better), 95 % bootstrap intervals, successive fronts joined;
    ``marked`` rows (published results) as open circles with names in the published colour."""
    data = pareto.dropna(subset=["r2_rank_median", "complexity_rank_median"])
    if data.empty or data["method"].nunique() < 2:
        return None  # ranks need two methods
    noises = sorted(data["noise"].unique())
    nrows, ncols = grid_shape(len(noises), 3)
    m = len(methods)
    side = max(4.5, min(6.0, 3.5 + 0.2 * m))
    with plot_style():
        import matplotlib

        cmap = matplotlib.colormaps["viridis"]
        fig = new_figure(side * ncols + 0.4, side * nrows + 0.4)
        axes = fig.subplots(nrows, ncols, squeeze=False)
        pending = []
        for ax, noise in zip(axes.flat, noises, strict=False):
            part = data[data["noise"] == noise].set_index("method")
            part = part.reindex([mm for mm in methods if mm in part.index])
            x = part["complexity_rank_median"].to_numpy(float)
            y = part["r2_rank_median"].to_numpy(float)
            fronts = pareto_fronts(x, y)
            n_fronts = int(fronts.max()) + 1
            colors = [cmap(0.85 * f / max(1, n_fronts - 1)) for f in range(n_fronts)]
            for f in range(n_fronts):
                idx = np.flatnonzero(fronts == f)
                order = idx[np.lexsort((y[idx], x[idx]))]
                ax.plot(x[order], y[order], "-", color=colors[f], lw=1.2, alpha=0.7, zorder=1)
            ax.errorbar(
                x,
                y,
                xerr=[x - part["complexity_rank_ci_low"], part["complexity_rank_ci_high"] - x],
                yerr=[y - part["r2_rank_ci_low"], part["r2_rank_ci_high"] - y],
                fmt="none",
                ecolor="#999999",
                elinewidth=0.8,
                alpha=0.6,
                zorder=2,
            )
            own = np.array([mm not in marked.names for mm in part.index], dtype=bool)
            point_colors = np.array([colors[f] for f in fronts]).reshape(-1, 4)
            ax.scatter(x[own], y[own], c=point_colors[own], s=45, zorder=3, edgecolor="white")
            if (~own).any():
                ax.scatter(
                    x[~own], y[~own], s=45, zorder=3, facecolor="white",
                    edgecolor=point_colors[~own], linewidth=1.6,
                )  # fmt: skip
            lim = (0.5, m + 0.5)
            ax.set_xlim(*lim)
            ax.set_ylim(*lim)
            pending.append((ax, list(part.index), x, y))
            ax.set_xlabel("median model-size rank (1 = smallest models)")
            ax.set_ylabel("median R² test rank (1 = most accurate)")
            n_inst = int(part["n_instances"].max()) if len(part) else 0
            ax.set_title(f"{noise_label(noise)} ({n_inst} problems)")
            ax.grid(alpha=0.3)
        for ax in list(axes.flat)[len(noises) :]:
            ax.set_visible(False)
        fig.suptitle(
            marked.title(
                "Accuracy vs simplicity (lower left is better)\n"
                "lines join Pareto fronts, darkest first; bars: 95 % CI",
                width=int((side * ncols + 0.4) / 0.085),  # ~0.085 in per character at 10 pt
            ),
            fontsize=10,
        )
        fig.draw_without_rendering()  # settle the layout so that label extents are final
        for ax, names, x, y in pending:
            _label_points(ax, names, x, y, marked)
        return save_figure(fig, path)


#: label offsets tried in turn (points): right-up, right-down, left-up, left-down, up, down
_OFFSETS = ((5, 3), (5, -11), (-5, 3), (-5, -11), (0, 8), (0, -16))


def _label_points(
    ax, names: Sequence[str], x: np.ndarray, y: np.ndarray, marked: Marked = NOT_MARKED
) -> None:
    """Name each point, grouping methods at the same position into one label and moving a
    label to the first offset where it overlaps no label placed before it."""
    groups: dict[tuple[float, float], list[str]] = {}
    for name, xi, yi in zip(names, x, y, strict=True):
        groups.setdefault((float(xi), float(yi)), []).append(str(name))
    renderer = ax.get_figure().canvas.get_renderer()
    placed = []
    for (xi, yi), members in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        text = ", ".join(members) if len(members) <= 2 else "\n".join(members)
        style = {"color": PUBLISHED_COLOR} if set(members) <= marked.names else {}
        for dx, dy in _OFFSETS:
            ann = ax.annotate(
                text,
                (xi, yi),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize=8,
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                va="bottom",
                **style,
            )
            box = ann.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                break
            if (dx, dy) != _OFFSETS[-1]:
                ann.remove()
        placed.append(box)
