"""PS-Tree: piecewise symbolic regression (pstree 0.1.2), SRBench settings; in its own
environment (glmnet's Fortran build needs numpy < 2 and setuptools < 66)."""

from srbench_lite.methods import Environment, MethodSpec


def _factory(**params):
    # runs in the method's environment, while the job sets up: importing pstree (glmnet,
    # deap, sklearn) takes a second that must not count against the fit
    from srbench_lite.methods.adapters.pstree import PSTreeRegressor, import_pstree

    import_pstree()
    return PSTreeRegressor(**params)


PSTREE_ENV = Environment(
    # glmnet 2.2.1 compiles Fortran with numpy.distutils: numpy < 2 on Python <= 3.11, the
    # standard library's distutils; its setup.py says python_requires=">=3.6.*", which
    # setuptools >= 66 rejects
    python="3.11",
    requirements=(
        "numpy<2",
        "setuptools<66",
        "wheel",
        "cython",
        "scipy",
        "pandas",
        "scikit-learn",
        "deap>=1.4",  # pstree imports deap.gp.MetaEphemeral, new in deap 1.4
        "gplearn",
        "icecream",
    ),
    # glmnet's setup.py imports numpy without declaring it: built without isolation.
    # pstree lists bluepyopt for one DEAP selection operator (selIBEA); bluepyopt's own
    # requirements (NEURON, efel, ipyparallel) are for neuron models and are left out
    steps=(
        (
            "--no-build-isolation",
            "--no-deps",
            "glmnet==2.2.1",
            "bluepyopt==1.14.26",
            "pstree==0.1.2",
        ),
    ),
    install_env={"SETUPTOOLS_USE_DISTUTILS": "stdlib"},
    system=("gfortran",),
    system_hint="apt-get install gfortran (Debian/Ubuntu), dnf install gcc-gfortran, or "
    "brew install gcc (macOS)",
)

METHOD = MethodSpec(
    name="ps-tree",
    factory=_factory,
    # enforced by the adapter, between generations (the package has no time limit)
    budget_param="time_budget_s",
    seed_param="random_state",
    smoke_params={"n_pop": 10, "n_gen": 5},
    dialect="x0",  # X0, X1 ... are 0-based
    requires=("pstree", "glmnet", "deap"),
    install="srbench-lite env create ps-tree (needs gfortran and Python 3.11)",
    description=(
        "PS-Tree (pstree): a decision tree over GP-built models, SRBench settings (pop 25, "
        "<=500 generations, <=4 leaves); in its own environment"
    ),
    environment=PSTREE_ENV,
)
