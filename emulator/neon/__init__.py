"""Emulated Neon API v2 (base URL `/neon/api/v2`), moto-style: `models.py` state and rules,
`responses.py` one method per operation, `urls.py` routing, `exceptions.py` the API's errors."""

from emulator.neon.backend import NeonBackend

__all__ = ["NeonBackend"]
