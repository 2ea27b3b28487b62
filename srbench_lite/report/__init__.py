"""Leaderboard reports from run records: ``srbench-lite report RUN_DIR... --out DIR``.

``load`` reads run directories (with the readers of :mod:`srbench_lite.records`),
``aggregate`` turns records into tables (pure pandas), ``stats`` holds the bootstrap, rank and
paired-test helpers, ``plots`` (with ``pareto`` and ``heatmap``) draws the PNGs; ``runs`` and
``content`` put what a report says into one section model (``document``), which ``markdown``
and ``html`` render (``format``: number formatting and escaping). ``overlay`` matches published
results (``--published``) with the run's problems and ``conditions`` sets the two protocols
side by side. :func:`build_report` runs them all.
"""

from srbench_lite.report.build import ReportResult, build_report

__all__ = ["ReportResult", "build_report"]
