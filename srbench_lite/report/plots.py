"""Leaderboard figures (PNG), drawn on explicit Figure objects with the Agg canvas: recovery,
R² and fit time here, the Pareto plot in :mod:`.pareto`, the heat maps in :mod:`.heatmap`,
all with the helpers below (figure, style, :class:`Marked` rows for published results).

No pyplot: nothing here touches matplotlib's global figure manager or backend, so the report
can run inside other programs (notebooks, test runners) without leaking figures or state.
Style settings live in an ``rc_context`` that is restored on exit.

Every figure is sized from its content (methods, problems, noise levels), so it stays
legible at 10+ methods and 100+ problems: methods run down the y axis, and the heat map
gives each problem a row of fixed height.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD
from srbench_lite.report.aggregate import noise_label

DPI = 110
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "savefig.facecolor": "white",
}
NOISE_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
NOISE_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: R² axis: x = −log10(1 − R²), clipped to this range (R² = −99 … 1 − 1e−10)
R2_X_MIN, R2_X_MAX = -2.0, 10.0
#: names and open markers of published rows, in every plot
PUBLISHED_COLOR = "#6a3d9a"


@dataclass(frozen=True)
class Marked:
    """Rows drawn apart in every plot -- published results beside the run's methods: their
    names (in :data:`PUBLISHED_COLOR`, italic; open markers) and a sentence on what they are
    (where they come from, their budget and judge), printed under the plot's title."""

    names: frozenset[str] = frozenset()
    text: str = ""

    def title(self, title: str, width: int = 110) -> str:
        """``title``, followed by the sentence wrapped at ``width`` characters when there are
        marked rows."""
        if not self.names:
            return title
        return title + "\n" + "\n".join(textwrap.wrap(self.text, width))

    def color_labels(self, labels) -> None:
        """Colour the tick labels of marked rows."""
        for label in labels:
            if label.get_text() in self.names:
                label.set_color(PUBLISHED_COLOR)
                label.set_fontstyle("italic")

    def handle(self):
        """The legend entry of marked rows."""
        from matplotlib.lines import Line2D

        return Line2D([], [], marker="o", ls="", mfc="white", color=PUBLISHED_COLOR)


NOT_MARKED = Marked()


def new_figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, path: Path) -> Path:
    fig.savefig(path, dpi=DPI)
    return path


def plot_style():
    import matplotlib

    return matplotlib.rc_context(STYLE)


def _method_axis(ax, methods: Sequence[str]) -> np.ndarray:
    """Methods down the y axis, the first (best) at the top; return their y positions."""
    y = np.arange(len(methods))[::-1].astype(float)
    ax.set_yticks(y, labels=list(methods))
    ax.set_ylim(-0.6, len(methods) - 0.4)
    return y


def grid_shape(n: int, max_cols: int) -> tuple[int, int]:
    cols = max(1, min(n, max_cols))
    return math.ceil(n / cols), cols


def _jitter(n: int, seed: int, width: float = 0.22) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-width, width, size=n)


def _hbox(ax, values: np.ndarray, y: float, *, face: str, edge: str, median: str) -> None:
    """A horizontal box at height ``y``: quartile box, median bar, 5th–95th percentile whiskers.

    Drawn from primitives rather than ``Axes.boxplot``, which reads every rcParam and so
    imports pyplot (global state) when the backend is not yet resolved.
    """
    from matplotlib.patches import Rectangle

    q05, q25, q50, q75, q95 = np.percentile(values, [5, 25, 50, 75, 95])
    half = 0.3
    ax.add_patch(
        Rectangle(
            (q25, y - half),
            q75 - q25,
            2 * half,
            facecolor=face,
            edgecolor=edge,
            alpha=0.85,
            zorder=2,
        )
    )
    ax.plot([q50, q50], [y - half, y + half], color=median, lw=2, zorder=2.5)
    for a, b in ((q05, q25), (q75, q95)):
        ax.plot([a, b], [y, y], color=edge, lw=1, zorder=1.5)
    ax.plot([q05, q05], [y - half / 2, y + half / 2], color=edge, lw=1, zorder=1.5)
    ax.plot([q95, q95], [y - half / 2, y + half / 2], color=edge, lw=1, zorder=1.5)


# --------------------------------------------------------------------------- recovery
def recovery_plot(
    summary: pd.DataFrame, methods: Sequence[str], path: Path, marked: Marked = NOT_MARKED
) -> Path | None:
    """Exact-recovery rate (%) by method, one panel per suite with a ground truth, one marker
    per noise level, with 95 % bootstrap intervals over problems; ``marked`` rows (published
    results) with open markers."""
    data = summary[summary["n_problems_with_truth"] > 0]
    if data.empty:
        return None
    suites = sorted(data["suite"].unique())
    noises = sorted(data["noise"].unique())
    nrows, ncols = grid_shape(len(suites), 3)
    height = 0.34 * len(methods) + 1.4
    with plot_style():
        fig = new_figure(4.3 * ncols + 1.2, height * nrows + 0.6)
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
        # the first noise level on top within each method, as in the legend
        dodge = np.linspace(0.25, -0.25, len(noises)) if len(noises) > 1 else np.zeros(1)
        for ax, suite in zip(axes.flat, suites, strict=False):
            part = data[data["suite"] == suite]
            y = _method_axis(ax, methods)
            own = np.array([m not in marked.names for m in methods])
            for k, noise in enumerate(noises):
                rows = part[part["noise"] == noise].set_index("method").reindex(methods)
                rate = rows["recovery_rate"].to_numpy(float) * 100
                low = rows["recovery_ci_low"].to_numpy(float) * 100
                high = rows["recovery_ci_high"].to_numpy(float) * 100
                style = {
                    "fmt": NOISE_MARKERS[k % len(NOISE_MARKERS)],
                    "color": NOISE_COLORS[k % len(NOISE_COLORS)],
                    "ms": 5,
                    "capsize": 2,
                    "lw": 1.2,
                }
                for rows_, extra in (
                    (own, {"label": noise_label(noise)}),
                    (~own, {"mfc": "white"}),
                ):
                    if rows_.any():
                        ax.errorbar(
                            rate[rows_],
                            (y + dodge[k])[rows_],
                            xerr=[(rate - low)[rows_], (high - rate)[rows_]],
                            **style,
                            **extra,
                        )
            marked.color_labels(ax.get_yticklabels())
            n_prob = int(part["n_problems_with_truth"].max())
            ax.set_title(f"{suite} ({n_prob} problems)")
            ax.set_xlim(-3, 103)
            ax.set_xlabel("exact recovery rate (% of problems)")
            ax.grid(axis="x", alpha=0.3)
        for ax in list(axes.flat)[len(suites) :]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        if marked.names:
            handles, labels = [*handles, marked.handle()], [*labels, "published (open markers)"]
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=min(len(labels), 6),
            title="noise level (sd = level × RMS(y) on the training target); bars: 95 % CI",
        )
        fig.suptitle(marked.title("Exact symbolic recovery by method"))
        return save_figure(fig, path)


# --------------------------------------------------------------------------- R²
def _r2_x(r2: np.ndarray) -> np.ndarray:
    err = np.maximum(1.0 - np.asarray(r2, float), 10.0**-R2_X_MAX)
    return np.clip(-np.log10(err), R2_X_MIN, R2_X_MAX)


R2_TICKS = {
    -2.0: "≤−99",
    -1.0: "−9",
    0.0: "0",
    1.0: "0.9",
    2.0: "0.99",
    3.0: "0.999",
    4.0: "0.9999",
    6.0: "1−10⁻⁶",
    8.0: "1−10⁻⁸",
    10.0: "≥1−10⁻¹⁰",
}


def r2_plot(prepared: pd.DataFrame, methods: Sequence[str], path: Path) -> Path:
    """Distribution of R² test over successful runs, by method, one panel per noise level.

    The axis is spaced by −log10(1 − R²) so that 0.99, 0.999 and 0.9999 are told apart;
    boxes span the quartiles, whiskers the 5th–95th percentiles, dots are runs; failed runs
    are left out (per the failure rules) and counted at the right.
    """
    noises = sorted(prepared["noise"].unique())
    nrows, ncols = grid_shape(len(noises), 3)
    height = 0.36 * len(methods) + 1.6
    with plot_style():
        fig = new_figure(4.6 * ncols + 1.6, height * nrows + 0.4)
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
        for ax, noise in zip(axes.flat, noises, strict=False):
            part = prepared[prepared["noise"] == noise]
            y = _method_axis(ax, methods)
            right = []
            for i, (method, yi) in enumerate(zip(methods, y, strict=True)):
                runs = part[part["method"] == method]
                vals = _r2_x(runs["r2_ok"].dropna().to_numpy(float))
                n_failed = int((~runs["ok"]).sum())
                right.append(f"{n_failed}/{len(runs)} failed" if len(runs) else "not run")
                if vals.size == 0:
                    continue
                _hbox(ax, vals, yi, face="#c6dbef", edge="#08519c", median="#08306b")
                few = vals.size < 50
                ax.scatter(
                    vals,
                    yi + _jitter(vals.size, i),
                    s=16 if few else 7,
                    color="#333333",
                    alpha=0.6 if few else 0.35,
                    lw=0,
                    zorder=3 if few else 1,  # many runs: behind the box
                )
            ax.axvline(
                -math.log10(1.0 - ACCURACY_THRESHOLD),
                color="#d62728",
                ls="--",
                lw=1,
                label=f"accuracy solution: R² > {ACCURACY_THRESHOLD:g}",
            )
            ax.set_xlim(R2_X_MIN - 0.3, R2_X_MAX + 0.3)
            ax.set_xticks(list(R2_TICKS), labels=list(R2_TICKS.values()), rotation=40)
            ax.set_xlabel("R² on the test set (spaced by −log₁₀(1−R²); right = better)")
            ax.set_title(noise_label(noise))
            ax.grid(axis="x", alpha=0.3)
            sec = ax.secondary_yaxis("right")
            sec.set_yticks(y, labels=right)
            sec.tick_params(length=0, labelsize=8, labelcolor="#555555")
        for ax in list(axes.flat)[len(noises) :]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center")
        fig.suptitle("R² test by method (successful runs; box = quartiles, whiskers = 5–95 %)")
        return save_figure(fig, path)


# --------------------------------------------------------------------------- fit time
def _seconds(value: float, _pos: object = None) -> str:
    """Seconds with three significant digits (``0.0123 s``, ``4.56 s``, ``1234 s``)."""
    return f"{value:.0f} s" if value >= 100 else f"{value:.3g} s"


def fit_time_plot(prepared: pd.DataFrame, methods: Sequence[str], path: Path) -> Path | None:
    """Fit time per run by method on a log axis (all suites and noise levels): box =
    quartiles, whiskers = 5–95 %, dots = runs, red × = timeouts, black + = errors."""
    data = prepared[prepared["fit_time_s"].notna()]
    if data.empty:
        return None
    floor = 1e-3
    with plot_style():
        from matplotlib.ticker import FuncFormatter

        fig = new_figure(8.5, 0.38 * len(methods) + 1.9)
        ax = fig.subplots()
        y = _method_axis(ax, methods)
        medians = []
        labelled: set[str] = set()
        for i, (method, yi) in enumerate(zip(methods, y, strict=True)):
            runs = data[data["method"] == method]
            t = np.maximum(runs["fit_time_s"].to_numpy(float), floor)
            medians.append(f"median {_seconds(float(np.median(t)))}" if t.size else "not run")
            if t.size == 0:
                continue
            _hbox(ax, t, yi, face="#fdd0a2", edge="#a63603", median="#7f2704")
            jit = yi + _jitter(t.size, i)
            kinds = runs["status"].to_numpy()
            for status, style in (
                ("ok", {"marker": "o", "s": 7, "color": "#333333", "alpha": 0.35, "lw": 0}),
                ("timeout", {"marker": "x", "s": 22, "color": "#d62728", "lw": 1.2}),
                ("error", {"marker": "+", "s": 28, "color": "black", "lw": 1.2}),
            ):
                sel = kinds == status
                if sel.any():
                    label = None if status in labelled else status
                    labelled.add(status)
                    z = 1 if status == "ok" else 3  # runs behind the box, failures on top
                    ax.scatter(t[sel], jit[sel], label=label, zorder=z, **style)
        budgets = sorted(data["time_budget_s"].dropna().unique())
        for k, budget in enumerate(budgets):
            ax.axvline(
                budget,
                color="#d62728",
                ls="--",
                lw=1,
                alpha=0.8,
                label="time budget" if k == 0 else None,
            )
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(_seconds))
        ax.set_xlabel("fit time per run (seconds, log scale)")
        ax.grid(axis="x", alpha=0.3, which="major")
        sec = ax.secondary_yaxis("right")
        sec.set_yticks(y, labels=medians)
        sec.tick_params(length=0, labelsize=8, labelcolor="#555555")
        handles, labels = _legend_entries(ax)
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        fig.suptitle("Fit time by method (all suites and noise levels)")
        return save_figure(fig, path)


def _legend_entries(ax):
    from matplotlib.lines import Line2D

    names = {"ok": "successful run", "timeout": "timeout", "error": "error"}
    markers = {
        "ok": Line2D([], [], marker="o", ls="", color="#333333", alpha=0.6),
        "timeout": Line2D([], [], marker="x", ls="", color="#d62728"),
        "error": Line2D([], [], marker="+", ls="", color="black"),
    }
    handles, labels = [], []
    for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
        handles.append(markers.get(label, handle))
        labels.append(names.get(label, label))
    return handles, labels
