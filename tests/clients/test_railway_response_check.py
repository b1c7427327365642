"""The response check the Railway client-document tests rely on catches what is not Railway's shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.clients.railway_documents import check_against_schema, published_schema

PROXY = {
    "id": "p",
    "domain": "roundhouse.proxy.rlwy.net",
    "proxyPort": 12345,
    "applicationPort": 5432,
    "serviceId": "s",
    "environmentId": "e",
    "syncStatus": "ACTIVE",
    "createdAt": None,
    "updatedAt": None,
    "deletedAt": None,
}


def _check(shared_api: Path, payload: dict[str, Any]) -> None:
    document = (shared_api / "railway-real-documents" / "cli" / "TcpProxies.graphql").read_text()
    schema = published_schema(shared_api / "railway-schema.graphql")
    check_against_schema(schema, document, {"environmentId": "e", "serviceId": "s"}, payload)


def test_a_valid_answer_passes(shared_api: Path) -> None:
    _check(shared_api, {"data": {"tcpProxies": [PROXY]}})
    _check(shared_api, {"data": None, "errors": [{"message": "ServiceInstance not found"}]})


@pytest.mark.parametrize(
    "payload",
    [
        {"data": {"tcpProxies": [{**PROXY, "proxyPort": "12345"}]}},  # a string where Railway has Int!
        {"data": {"tcpProxies": [{**PROXY, "domain": None}]}},  # null in a non-null field
        {"data": {"tcpProxies": [{**PROXY, "syncStatus": "READY"}]}},  # not a TCPProxySyncStatus
        {"data": {"tcpProxies": [{**PROXY, "extra": 1}]}},  # a field the document did not ask for
        {"data": None},  # neither data nor errors
        {"data": None, "errors": [{"detail": "no message"}]},
    ],
)
def test_an_answer_railway_could_not_give_fails(shared_api: Path, payload: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        _check(shared_api, payload)
