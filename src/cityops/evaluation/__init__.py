"""Evaluation (运营评价): normalise indicator facts, weight them up the framework tree,
place each region in a stage and rank it among its peers, as an immutable run."""
