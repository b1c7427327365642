# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""Helpers the Supabase settings tests share."""

from __future__ import annotations

from typing import Any

from emulator.testing import RunningEmulator

OTHER_REF = "zyxwvutsrqponmlkjihg"


def _project(emulator: RunningEmulator, ref: str) -> dict[str, Any]:
    return emulator.app.vendors["supabase"].state.projects[ref]


def _assert_replace_on_ref(provider: Any, outs: dict[str, Any], news: dict[str, Any]) -> None:
    moved = {**news, "project_ref": OTHER_REF}
    assert provider.diff(outs["project_ref"], outs, moved).replaces == ["project_ref"]
