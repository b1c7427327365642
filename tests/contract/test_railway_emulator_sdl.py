"""The Railway emulator's own SDL is a faithful subset of Railway's published schema.

Every object type, field (with its arguments), input field, enum and scalar in
`emulator/railway/schema.graphql` must exist in `../shared/api/railway-schema.graphql` with the same type,
so a document the emulator accepts is one Railway accepts, and a response shape the emulator produces is
one Railway could produce.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    parse,
    validate,
)

from emulator.railway import SCHEMA_FILE, load_schema


@pytest.fixture(scope="module")
def ours() -> GraphQLSchema:
    return build_schema(SCHEMA_FILE.read_text())


@functools.cache
def _published_schema(path: Path) -> GraphQLSchema:
    return build_schema(path.read_text())


@pytest.fixture
def railway(shared_api: Path) -> GraphQLSchema:
    return _published_schema(shared_api / "railway-schema.graphql")


def _own_types(schema: GraphQLSchema) -> dict[str, object]:
    return {name: t for name, t in schema.type_map.items() if not name.startswith("__")}


def test_every_object_field_and_argument_matches_railway(ours: GraphQLSchema, railway: GraphQLSchema) -> None:
    problems = []
    for name, own in _own_types(ours).items():
        if not isinstance(own, GraphQLObjectType):
            continue
        theirs = railway.get_type(name)
        if not isinstance(theirs, GraphQLObjectType):
            problems.append(f"{name}: not an object type in Railway's schema")
            continue
        for field_name, field in own.fields.items():
            their_field = theirs.fields.get(field_name)
            if their_field is None:
                problems.append(f"{name}.{field_name}: not in Railway's schema")
                continue
            if str(field.type) != str(their_field.type):
                problems.append(f"{name}.{field_name}: {field.type} here, {their_field.type} at Railway")
            if set(field.args) != set(their_field.args):
                problems.append(
                    f"{name}.{field_name} arguments: {sorted(field.args)} vs {sorted(their_field.args)}"
                )
            for arg_name, arg in field.args.items():
                their_arg = their_field.args.get(arg_name)
                if their_arg is not None and str(arg.type) != str(their_arg.type):
                    problems.append(f"{name}.{field_name}({arg_name}): {arg.type} vs {their_arg.type}")
    assert problems == []


def test_every_input_enum_and_scalar_matches_railway(ours: GraphQLSchema, railway: GraphQLSchema) -> None:
    problems = []
    for name, own in _own_types(ours).items():
        theirs = railway.get_type(name)
        if theirs is None:
            problems.append(f"{name}: not in Railway's schema")
        elif isinstance(own, GraphQLInputObjectType):
            if not isinstance(theirs, GraphQLInputObjectType):
                problems.append(f"{name}: not an input type at Railway")
                continue
            own_fields = {n: str(f.type) for n, f in own.fields.items()}
            their_fields = {n: str(f.type) for n, f in theirs.fields.items()}
            if own_fields != their_fields:
                problems.append(f"{name}: input fields {own_fields} vs {their_fields}")
        elif isinstance(own, GraphQLEnumType):
            if not isinstance(theirs, GraphQLEnumType) or set(own.values) != set(theirs.values):
                problems.append(f"{name}: enum values differ")
        elif isinstance(own, GraphQLScalarType) and not isinstance(theirs, GraphQLScalarType):
            problems.append(f"{name}: not a scalar at Railway")
    assert problems == []


def test_root_fields_cover_what_the_emulator_documents(ours: GraphQLSchema) -> None:
    """Every root field has a resolver (load_schema refuses otherwise) and the basics are there."""
    schema = load_schema()
    assert schema.query_type is not None and schema.mutation_type is not None
    for field in ("project", "environment", "serviceInstance", "deployment", "variables", "regions"):
        assert field in schema.query_type.fields
    for field in ("projectCreate", "serviceCreate", "serviceInstanceUpdate", "serviceInstanceDeployV2"):
        assert field in schema.mutation_type.fields
    assert ours.query_type is not None


def test_every_document_the_railway_client_sends_is_served_by_the_emulator(ours: GraphQLSchema) -> None:
    client = pytest.importorskip("providers.railway.client", reason="the Railway client is not written yet")
    documents: dict[str, str] = client.DOCUMENTS
    invalid = {
        name: [error.message for error in validate(ours, parse(text))]
        for name, text in documents.items()
        if validate(ours, parse(text))
    }
    assert invalid == {}
