"""One module per graph: wiring only."""
