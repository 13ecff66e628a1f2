"""Reading stored runs: pairing, paired comparison and results tables."""

WEIGHTINGS = ("eval", "language", "suite")
"""How a leaderboard's overall score weighs columns: each eval alike, each language alike, or each suite alike (here,
not in leaderboard.py, so that `evalrun --help` need not import the leaderboard)."""
