"""The bundled formula tables (data, not code): read with ``importlib.resources``; see README.md."""
