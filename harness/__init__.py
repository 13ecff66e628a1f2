"""evalrun: run declarative evaluation tasks against model endpoints and compare the results."""

__version__ = "0.1.0"

_API = ("run", "arun", "load_runs", "StoredRuns")


def __getattr__(name: str) -> object:
    """The Python API (harness.api), imported when first used so that `import harness` stays instant."""
    if name in _API:
        from harness import api

        return getattr(api, name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")
