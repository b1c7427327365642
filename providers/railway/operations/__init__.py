"""RailwayClient's operations, one module per Railway object: its documents and its typed methods."""
