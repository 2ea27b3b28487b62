"""Leaderboard reports from run records: ``srbench-lite report RUN_DIR... --out DIR``.

``load`` reads run directories, ``aggregate`` turns records into tables (pure pandas),
``stats`` holds the bootstrap, rank and paired-test helpers, ``plots`` draws the PNGs and
``render`` writes Markdown and HTML; :func:`build_report` runs them all.
"""

from srbench_lite.report.build import ReportResult, build_report

__all__ = ["ReportResult", "build_report"]
