"""The bundled methods: one module per method, each declaring ``METHOD = MethodSpec(...)``.

They register through entry points in ``pyproject.toml`` (group ``srbench_lite.methods``),
exactly as a third-party package registers its own; the estimators they build live in
``srbench_lite.methods.baselines``, ``srbench_lite.methods.adapters`` and ``srbench_lite.engines``.
"""
