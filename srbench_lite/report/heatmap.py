"""The problems × methods heat maps of one suite (PNG), drawn like the other plots (:mod:`.plots`).

A suite with ground truth gets the outcome map (:func:`heatmap_plot`: recovered, accuracy
solution, R² bands, failures); a suite without one -- the black-box track -- gets the R² map
(:func:`r2_heatmap_plot`: each dataset's median test R² on a colour scale, failures apart).
Published rows (``marked``) are extra columns on the right, after a gap line, with their names
in the published colour; in the outcome map a published cell that is neither recovered nor an
accuracy solution, where no finer R² band was published, gets its own colour
(:data:`~.aggregate.HEAT_PUBLISHED_OTHER`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from srbench_lite.report.aggregate import (
    HEAT_LABELS,
    HEAT_PUBLISHED_OTHER_LABEL,
    noise_label,
)
from srbench_lite.report.plots import (
    NOT_MARKED,
    PUBLISHED_COLOR,
    Marked,
    new_figure,
    plot_style,
    save_figure,
)

#: worst → best, matching HEAT_LABELS: reds for failures, then YlGnBu from pale to dark
#: (colour-blind safe; a cell with no run is light grey)
HEAT_COLORS = ("#b2182b", "#f4a582", "#fff2a8", "#c7e9b4", "#7fcdbb", "#2c7fb8", "#081d58")
HEAT_NOT_RUN = "#dddddd"
#: a published cell known only to be neither recovered nor R² > 0.999
HEAT_PUBLISHED_OTHER_COLOR = "#d9cbe8"
#: R² map: a method that failed in at least half its runs on a dataset
R2_FAILED = -1.0
#: R² map: rows up to which each cell prints its value
R2_ANNOTATE_ROWS = 40


def _layout(data: pd.DataFrame, methods: Sequence[str], marked: Marked, score: pd.Series):
    """Rows (problems, best ``score`` first), columns (the run's methods, then marked ones),
    and the number of the run's columns."""
    present = set(data["method"])
    own = [m for m in methods if m in present and m not in marked.names]
    extra = [m for m in methods if m in present and m in marked.names]
    rows = sorted(score.index, key=lambda d: (-score[d], d))
    return rows, own + extra, len(own)


def _draw(data, value: str, rows, methods, n_own, marked, *, cmap, norm, annotate=None):
    """The figure: one panel per noise level, cells coloured by ``value``; returns it."""
    noises = sorted(data["noise"].unique())
    n_rows, n_cols = len(rows), len(methods)
    label_size = 9 if n_rows <= 40 else 7.5 if n_rows <= 80 else 6.5
    row_h = 0.2 if n_rows <= 40 else 0.15
    longest = max(len(r) for r in rows)
    # ~0.6 em per character of the row labels
    width = len(noises) * (0.3 * n_cols + 0.3) + 0.0085 * label_size * longest + 1.0
    height = row_h * n_rows + 0.06 * max(len(m) for m in methods) + 2.0
    extra = n_own < n_cols
    fig = new_figure(max(width, 7.5), height + (0.5 if extra else 0.0))
    axes = fig.subplots(1, len(noises), squeeze=False, sharey=True)[0]
    for ax, noise in zip(axes, noises, strict=True):
        part = data[data["noise"] == noise]
        grid = (
            part.pivot_table(index="dataset", columns="method", values=value)
            .reindex(index=rows, columns=methods)
            .to_numpy(float)
        )
        ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto",
                  interpolation="nearest")  # fmt: skip
        if annotate is not None:
            annotate(ax, grid)
        ax.set_xticks(np.arange(n_cols), labels=methods, rotation=60, ha="left")
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(n_rows), labels=rows, fontsize=label_size)
        # cell borders as two line collections (minor ticks would cost one artist each)
        ax.hlines(np.arange(n_rows + 1) - 0.5, -0.5, n_cols - 0.5, color="white", lw=0.6)
        ax.vlines(np.arange(n_cols + 1) - 0.5, -0.5, n_rows - 0.5, color="white", lw=0.6)
        if extra:  # the run's methods | published rows
            ax.axvline(n_own - 0.5, color=PUBLISHED_COLOR, lw=2.5)
            marked.color_labels(ax.get_xticklabels())
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(noise_label(noise), fontsize=10)
    return fig


def heatmap_plot(
    categories: pd.DataFrame,
    suite: str,
    methods: Sequence[str],
    path: Path,
    marked: Marked = NOT_MARKED,
) -> Path | None:
    """Problem × method outcome map of one suite, one panel per noise level.

    Rows are problems sorted from most to least solved (mean category over the run's methods
    and noise levels, then name); each problem keeps one fixed-height row, so 120 problems
    still read. ``marked`` methods (published rows) are columns after the run's.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    data = categories[categories["suite"] == suite]
    if data.empty:
        return None
    own_rows = data[~data["method"].isin(marked.names)]
    score = own_rows.groupby("dataset")["category"].mean()
    rows, methods, n_own = _layout(data, methods, marked, score)
    extra = n_own < len(methods)
    colors = HEAT_COLORS + ((HEAT_PUBLISHED_OTHER_COLOR,) if extra else ())
    cmap = ListedColormap(colors).with_extremes(bad=HEAT_NOT_RUN)
    norm = BoundaryNorm(np.arange(-0.5, len(colors) + 0.5), cmap.N)
    with plot_style():
        fig = _draw(data, "category", rows, methods, n_own, marked, cmap=cmap, norm=norm)
        handles = [
            Patch(color=c, label=lab) for c, lab in zip(HEAT_COLORS, HEAT_LABELS, strict=True)
        ][::-1]
        if extra:
            handles.append(
                Patch(color=HEAT_PUBLISHED_OTHER_COLOR, label=HEAT_PUBLISHED_OTHER_LABEL)
            )
        handles.append(
            Patch(color=HEAT_NOT_RUN, label="not run" + (" / no result" if extra else ""))
        )
        fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
        title = (
            f"{suite}: outcome per problem ({len(rows)} problems, most solved at the top)\n"
            "cell = recovered in ≥ half the seeds, else failed in ≥ half the runs, "
            "else band of median R² test"
        )
        if extra:
            title = Marked(marked.names, "Right of the purple line: " + marked.text).title(title)
        fig.suptitle(title, fontsize=9.5)
        return save_figure(fig, path)


def r2_values(problems: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per dataset × method the value of the R² map: the median test R² of the successful
    runs, clipped to [0, 1], or :data:`R2_FAILED` when at least half the runs failed;
    published rows give their published R² (clipped the same way)."""
    keys = ["suite", "dataset", "noise", "method"]
    out = problems[keys].copy()
    failed = (problems["n_timeout"] + problems["n_error"]) * 2 >= problems["n_runs"]
    out["r2"] = problems["r2_median"].clip(lower=0.0, upper=1.0).where(~failed, R2_FAILED)
    if published is not None and len(published):
        pub = published[keys].copy()
        pub["r2"] = published["r2_median"].clip(lower=0.0, upper=1.0)
        out = pd.concat([out, pub], ignore_index=True)
    return out


def r2_heatmap_plot(
    values: pd.DataFrame,
    suite: str,
    methods: Sequence[str],
    path: Path,
    marked: Marked = NOT_MARKED,
) -> Path | None:
    """Dataset × method map of one suite without ground truth (:func:`r2_values`): each cell
    the median test R² (0 … 1, R² < 0 shown as 0), failures in red, not run in grey; datasets
    sorted by their mean R² over the run's methods, best first. Up to
    :data:`R2_ANNOTATE_ROWS` datasets, each cell prints its R²."""
    import matplotlib as mpl
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch

    data = values[values["suite"] == suite]
    if data.empty:
        return None
    own_rows = data[~data["method"].isin(marked.names)]
    score = own_rows.assign(r2=own_rows["r2"].clip(lower=0.0)).groupby("dataset")["r2"].mean()
    rows, methods, n_own = _layout(data, methods, marked, score)
    cmap = mpl.colormaps["YlGnBu"].with_extremes(bad=HEAT_NOT_RUN, under=HEAT_COLORS[0])
    norm = Normalize(vmin=0.0, vmax=1.0)

    def annotate(ax, grid) -> None:
        if len(rows) > R2_ANNOTATE_ROWS:
            return
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v) and v >= 0:
                ax.text(j, i, f"{v:.2f}"[1:] if v < 1 else "1", ha="center", va="center",
                        fontsize=6, color="white" if v > 0.6 else "black")  # fmt: skip

    with plot_style():
        fig = _draw(data, "r2", rows, methods, n_own, marked, cmap=cmap, norm=norm,
                    annotate=annotate)  # fmt: skip
        bar = fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=fig.axes,
                           location="bottom", shrink=0.5, pad=0.02, aspect=40)  # fmt: skip
        bar.set_label("median test R² (R² < 0 shown as 0)", fontsize=8)
        handles = [Patch(color=HEAT_COLORS[0], label="failed (≥ half the runs)"),
                   Patch(color=HEAT_NOT_RUN, label="not run / no result")]  # fmt: skip
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8)
        title = (
            f"{suite}: median test R² per dataset ({len(rows)} datasets, best at the top; "
            "no ground truth)"
        )
        if n_own < len(methods):
            title = Marked(marked.names, "Right of the purple line: " + marked.text).title(title)
        fig.suptitle(title, fontsize=9.5)
        return save_figure(fig, path)


def safe_filename(text: str) -> str:
    """A file-name fragment from a suite name (letters, digits, ``-``, ``_``, ``.``)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return cleaned or "suite"
