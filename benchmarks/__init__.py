"""Scripts that print the design's budgets and the fault figures (run with `python -m benchmarks.<name>`)."""
