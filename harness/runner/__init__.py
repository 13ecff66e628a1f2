"""Asking, grading and recording a run: the engine, records on disk, summaries, progress, regrade, dry run."""
