"""What the engine shows when a dynamic provider's call fails: the exception the provider raised, whole."""

from __future__ import annotations

import traceback

import grpc
import pydantic

from localengine.providers.dynamic import _error_message


class _RpcError(grpc.RpcError):
    def __init__(self, details: str) -> None:
        self._details = details

    def details(self) -> str:
        return self._details


class _Inputs(pydantic.BaseModel):
    replicas: int
    region: str


def _traceback_of(raise_it: object) -> str:
    try:
        raise_it()  # type: ignore[operator]
    except Exception:
        return traceback.format_exc()
    raise AssertionError("nothing was raised")


def test_a_multi_line_exception_is_shown_whole_not_just_its_last_line() -> None:
    details = _traceback_of(lambda: _Inputs.model_validate({"replicas": "many"}))
    message = _error_message(_RpcError(details))
    assert message.startswith("pydantic_core._pydantic_core.ValidationError: 2 validation errors for _Inputs")
    assert "replicas" in message and "region" in message and "Field required" in message
    assert "File " not in message  # no frames


def test_a_chained_exception_shows_the_last_one() -> None:
    def chained() -> None:
        try:
            raise KeyError("inner")
        except KeyError:
            raise RuntimeError("service abc has no instance in environment def")  # noqa: B904

    message = _error_message(_RpcError(_traceback_of(chained)))
    assert message == "RuntimeError: service abc has no instance in environment def"


def test_details_without_a_traceback_are_passed_through() -> None:
    assert _error_message(_RpcError("Exception calling application: boom")) == (
        "Exception calling application: boom"
    )
    assert _error_message(_RpcError("")) == "provider call failed"
