"""Reading stored runs: pairing, paired comparison and results tables."""
