"""Scripts that print the design's budgets (run them as `python -m benchmarks.<name>`)."""
