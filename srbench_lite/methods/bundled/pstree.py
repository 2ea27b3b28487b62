"""PS-Tree: piecewise symbolic regression (pstree), SRBench settings; needs its own environment."""

from srbench_lite.methods import MethodSpec


def _factory(**params):
    from srbench_lite.methods.adapters.pstree import PSTreeRegressor

    return PSTreeRegressor(**params)


METHOD = MethodSpec(
    name="ps-tree",
    factory=_factory,
    budget_param=None,  # no time limit: SRBench's 500 generations, the runner's hard limit stands
    seed_param="random_state",
    smoke_params={"n_pop": 10, "n_gen": 5},
    dialect="x0",  # X0, X1 ... are 0-based
    requires=("pstree", "glmnet", "deap"),
    install=(
        "needs its own environment (Python 3.10/3.11 and gfortran): pip install 'numpy<2' "
        "'setuptools<66' cython && pip install --no-build-isolation pstree"
    ),
    description=(
        "PS-Tree (pstree), SRBench settings (pop 25, 500 generations, <=4 leaves); "
        "needs its own environment (glmnet: Fortran build, setuptools<66)"
    ),
)
