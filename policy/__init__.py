"""The CrossGuard policy pack (`PulumiPolicy.yaml`). A package only so that tests and mypy can reach
`policy.rules`; the pack itself runs `__main__.py`, which imports `rules` from this folder."""
