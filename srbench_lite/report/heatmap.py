"""The problems × methods heat map of one suite (PNG), drawn like the other plots (:mod:`.plots`).

Published rows (``marked``) are extra columns on the right, after a gap line, with their
names in the published colour; a published cell that is neither recovered nor an accuracy
solution, where no finer R² band was published, gets its own colour
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
    noises = sorted(data["noise"].unique())
    present = set(data["method"])
    own = [m for m in methods if m in present and m not in marked.names]
    extra = [m for m in methods if m in present and m in marked.names]
    methods = own + extra
    score = data[data["method"].isin(own)].groupby("dataset")["category"].mean()
    rows = sorted(score.index, key=lambda d: (-score[d], d))
    n_rows, n_cols = len(rows), len(methods)
    label_size = 9 if n_rows <= 40 else 7.5 if n_rows <= 80 else 6.5
    row_h = 0.2 if n_rows <= 40 else 0.15
    longest = max(len(r) for r in rows)
    # ~0.6 em per character of the row labels
    width = len(noises) * (0.3 * n_cols + 0.3) + 0.0085 * label_size * longest + 1.0
    longest_method = max(len(m) for m in methods)
    height = row_h * n_rows + 0.06 * longest_method + 2.0
    colors = HEAT_COLORS + ((HEAT_PUBLISHED_OTHER_COLOR,) if extra else ())
    cmap = ListedColormap(colors).with_extremes(bad=HEAT_NOT_RUN)
    norm = BoundaryNorm(np.arange(-0.5, len(colors) + 0.5), cmap.N)
    with plot_style():
        fig = new_figure(max(width, 7.5), height + (0.5 if extra else 0.0))
        axes = fig.subplots(1, len(noises), squeeze=False, sharey=True)[0]
        for ax, noise in zip(axes, noises, strict=True):
            part = data[data["noise"] == noise]
            grid = (
                part.pivot_table(index="dataset", columns="method", values="category")
                .reindex(index=rows, columns=methods)
                .to_numpy(float)
            )
            ax.imshow(
                np.ma.masked_invalid(grid),
                cmap=cmap,
                norm=norm,
                aspect="auto",
                interpolation="nearest",
            )
            ax.set_xticks(np.arange(n_cols), labels=methods, rotation=60, ha="left")
            ax.xaxis.tick_top()
            ax.set_yticks(np.arange(n_rows), labels=rows, fontsize=label_size)
            # cell borders as two line collections (minor ticks would cost one artist each)
            ax.hlines(np.arange(n_rows + 1) - 0.5, -0.5, n_cols - 0.5, color="white", lw=0.6)
            ax.vlines(np.arange(n_cols + 1) - 0.5, -0.5, n_rows - 0.5, color="white", lw=0.6)
            if extra:  # the run's methods | published rows
                ax.axvline(len(own) - 0.5, color=PUBLISHED_COLOR, lw=2.5)
                marked.color_labels(ax.get_xticklabels())
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            ax.set_title(noise_label(noise), fontsize=10)
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
            f"{suite}: outcome per problem ({n_rows} problems, most solved at the top)\n"
            "cell = recovered in ≥ half the seeds, else failed in ≥ half the runs, "
            "else band of median R² test"
        )
        if extra:
            title = Marked(marked.names, "Right of the purple line: " + marked.text).title(title)
        fig.suptitle(title, fontsize=9.5)
        return save_figure(fig, path)


def safe_filename(text: str) -> str:
    """A file-name fragment from a suite name (letters, digits, ``-``, ``_``, ``.``)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return cleaned or "suite"
