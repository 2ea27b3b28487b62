"""srbench-lite: an offline benchmark and evaluation harness for symbolic regression."""
__version__ = "0.1.0"
