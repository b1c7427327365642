"""Runs this project's stacks without the Pulumi CLI: `python -m localengine preview|up|refresh|destroy`."""
