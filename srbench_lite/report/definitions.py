"""The report's "Definitions" section: what every figure and word of the tables means."""

from __future__ import annotations

from srbench_lite.metrics.accuracy import ACCURACY_THRESHOLD

DEFINITIONS = (
    (
        "Exact recovery",
        "SRBench's symbolic solution: after rounding constants and simplifying, truth − model "
        "is a constant or model / truth is a non-zero constant (judged per run by the runner).",
    ),
    (
        "Form recovery",
        "The model has the truth's form with its own constants: the truth's non-integer "
        "constants (integers and simple rational exponents stay fixed) are refitted to the "
        "model's values, and the form is recovered when the refit matches to float precision; "
        "how the PySR paper judged EmpiricalBench. An exact solution counts as form recovered. "
        "The empirical suite's leaderboard leads with it.",
    ),
    (
        "Accuracy solution",
        f"R² on the (noise-free) test set > {ACCURACY_THRESHOLD:g}.",
    ),
    (
        "R²",
        "Every R² is that of the judged expression itself, evaluated on the test rows: the "
        "model a scientist reads, and the one exact recovery, NED and complexity judge "
        "(records before schema 2: the method's predict()). A model without an expression "
        "is judged on its predict().",
    ),
    (
        "expr ≠ predict",
        "Successful runs whose expression disagrees with the method's predict() on the test "
        "rows: RMS(expression − predict) / RMS(y) above 1e-3 and above 10 × what float32 "
        "rounding does to the expression, or the expression is not finite where predict() "
        "is. Such a method's printed model is not the model that predicted.",
    ),
    (
        "NED",
        "SRSD's normalised tree edit distance between the canonical model and truth trees, "
        "in [0, 1]; 0 = identical.",
    ),
    (
        "Model size",
        "For a method with an expression, its complexity: SRBench's node count of the sympy "
        "tree. For a model without one (random-forest, hist-gb, kernel-ridge, mlp), the "
        "model's own measure, SRBench's: nodes of all trees, dual coefficients, 2 × "
        "parameters (docs/blackbox.md).",
    ),
    (
        "n/a",
        "Not applicable, not failed: exact and form recovery and NED on a problem without a "
        "ground truth (the black-box track), and for a model without an expression. Such "
        "values are left out of every rate, rank and test; a model without an expression is "
        "judged on its predict() (R²) and its model size.",
    ),
    (
        "Intervals",
        "95 % percentile bootstrap over problems (seeds averaged within a problem first).",
    ),
    (
        "Rates, means and medians",
        "Recovery and accuracy rates and mean NED are averages over problems of the per-problem "
        "means over seeds (recovery and NED only over problems with a ground truth). Median R² "
        "and median model size are over successful runs, median fit time over all runs. On "
        "the black-box track (no ground truth) the leaderboard gives SRBench's figures: the "
        "median over datasets of each dataset's median test R² and model size (successful "
        "runs), with 95 % bootstrap intervals over datasets.",
    ),
    (
        "Ranks",
        "Within each problem instance (a problem at one noise level) the methods are ranked, "
        "1 = best, ties sharing the average rank; the table gives the mean over the instances "
        "every method ran. R² and model-size ranks use per-problem medians over seeds.",
    ),
    (
        "Pairwise tests",
        "Two-sided Wilcoxon signed-rank test per pair of methods on the problem instances both "
        "ran (zero differences dropped), Holm-corrected over all pairs of one metric; "
        "significant when the corrected p < 0.05.",
    ),
)

PUBLISHED_DEFINITION = (
    'Rows marked † ("X (published)") are results published by others, not runs of this '
    "report, matched to the run's problem instances by problem name and noise level. Their "
    "per-problem values are the published ones (SRBench: the symbolic-solution rate, the mean "
    "over its seeds, and the accuracy solution, the median over its seeds); their intervals "
    "bootstrap those over the shared problems, like the run's. A value the source did not "
    "publish is –. Ranks and paired tests take them on the instances common to every compared "
    "row. SRBench also published each problem's test RMSE (published.csv); it was measured "
    "on SRBench's own data, so no table compares it with this run's."
)
