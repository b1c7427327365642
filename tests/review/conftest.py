"""The end-to-end fixtures (emulator, state folder, tokens) for the review's real-stream tests."""

from tests.e2e.conftest import e2e_env

__all__ = ["e2e_env"]
