"""AI Feynman (aifeynman 2.0.7), in its own environment: numpy < 2 and a Fortran build."""

from srbench_lite.methods import Environment, MethodSpec


def _factory(**params):
    # runs in the method's environment, while the job sets up: importing the package (torch
    # included) takes seconds that must not count against the fit's budget
    import aifeynman  # noqa: F401

    from srbench_lite.methods.adapters.aifeynman import AIFeynmanRegressor

    return AIFeynmanRegressor(**params)


AIFEYNMAN_ENV = Environment(
    # numpy.distutils builds its Fortran: numpy < 2 on Python <= 3.11, with the standard
    # library's distutils (setuptools' own breaks numpy.distutils)
    python="3.11",
    requirements=("numpy<2", "torch", "seaborn", "sortedcontainers", "setuptools", "wheel"),
    # its sdist imports numpy in setup.py without declaring it, and lists the retired
    # `sklearn` package: built without isolation, its dependencies installed above
    steps=(("--no-build-isolation", "--no-deps", "aifeynman==2.0.7"),),
    install_env={"SETUPTOOLS_USE_DISTUTILS": "stdlib"},
    system=("gfortran",),
    system_hint="apt-get install gfortran (Debian/Ubuntu), dnf install gcc-gfortran, or "
    "brew install gcc (macOS)",
    notes="torch from PyPI is a CUDA build of several GB on Linux; AI Feynman's networks are "
    "small, so a CPU build is enough: pin one with PIP_CONSTRAINT (docs/environments.md)",
)

METHOD = MethodSpec(
    name="aifeynman",
    factory=_factory,
    budget_param="time_budget_s",  # enforced by the adapter (the package has no time limit)
    seed_param="random_state",
    dialect="x0",
    requires=("aifeynman", "torch"),
    install="srbench-lite env create aifeynman (needs gfortran and Python 3.11)",
    description="AI Feynman 2.0 (aifeynman): brute force + polynomial fits + a network's "
    "symmetries; in its own environment",
    environment=AIFEYNMAN_ENV,
)
