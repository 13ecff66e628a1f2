"""evalrun: run declarative evaluation tasks against model endpoints and compare the results."""

__version__ = "0.1.0"
