"""Which schema the Railway emulator serves, and how it answers the fields it does not model.

The emulator serves **Railway's whole published schema** when it can read it, and otherwise its own subset:

- The published SDL is read from a file, never carried in the project: `--railway-schema FILE`, or the
  environment variable `RAILWAY_SCHEMA_FILE`, or by default `../shared/api/railway-schema.graphql` beside
  the repository (where the team keeps the vendors' published files). A file named explicitly that cannot
  be read is an error; the default that is absent falls back to the subset.
- The subset is `schema.graphql` (made from the published file by `make_schema.py`: every field the
  emulator models, with every input, enum and scalar they reach). `RAILWAY_SCHEMA_FILE=subset` (or
  `--railway-schema subset`) forces it.

Against the published schema, a valid document is never refused. The fields the emulator models resolve
from its state; every other field answers as Railway does for an object that has none of it: `null` where
the type is nullable, `[]` for a list, an empty connection for a connection. An unmodelled field whose
type admits none of these (a non-null scalar or object), and every unmodelled mutation, answers a GraphQL
error with `extensions.code = "NOT_EMULATED"` naming the field: a plain "not emulated", never a validation
failure and never an invented value.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
)

SUBSET_FILE = Path(__file__).with_name("schema.graphql")
DEFAULT_PUBLISHED_FILE = Path(__file__).resolve().parents[3] / "shared" / "api" / "railway-schema.graphql"
SCHEMA_ENV = "RAILWAY_SCHEMA_FILE"
SUBSET = "subset"

__all__ = ["SchemaChoice", "absent_value", "choose_schema", "not_emulated"]


class SchemaChoice:
    """The SDL file the emulator serves and whether it is Railway's whole published schema."""

    def __init__(self, path: Path, published: bool) -> None:
        self.path = path
        self.published = published

    def __repr__(self) -> str:
        return f"SchemaChoice({str(self.path)!r}, published={self.published})"


def choose_schema(option: str | os.PathLike[str] | None = None) -> SchemaChoice:
    """`option` (the `--railway-schema` value or vendor option `schema_file`), else `RAILWAY_SCHEMA_FILE`,
    else the published file beside the repository when present, else the subset."""
    named = option if option is not None else os.environ.get(SCHEMA_ENV) or None
    if named is not None:
        if str(named) == SUBSET:
            return SchemaChoice(SUBSET_FILE, published=False)
        path = Path(named).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"Railway schema file {path} not found (from --railway-schema or {SCHEMA_ENV}); "
                f"name Railway's published SDL, or '{SUBSET}' for the emulator's own subset"
            )
        return SchemaChoice(path.resolve(), published=True)
    if DEFAULT_PUBLISHED_FILE.is_file():
        return SchemaChoice(DEFAULT_PUBLISHED_FILE, published=True)
    return SchemaChoice(SUBSET_FILE, published=False)


@functools.cache
def read_sdl(path: Path) -> str:
    return path.read_text()


def not_emulated(field: str) -> GraphQLError:
    return GraphQLError(
        f"{field} is not emulated: the emulator accepts it as valid Railway GraphQL but does not model it",
        extensions={"code": "NOT_EMULATED"},
    )


EMPTY_PAGE_INFO = {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None}


def _is_connection(type_: GraphQLOutputType) -> bool:
    return isinstance(type_, GraphQLObjectType) and {"edges", "pageInfo"} <= set(type_.fields)


def absent_value(return_type: GraphQLOutputType, field: str) -> Any:
    """What Railway answers for a field of an object that has none of it."""
    if not isinstance(return_type, GraphQLNonNull):
        return None
    inner = return_type.of_type
    if isinstance(inner, GraphQLList):
        return []
    if _is_connection(inner):
        return {"edges": [], "pageInfo": dict(EMPTY_PAGE_INFO)}
    raise not_emulated(field)


def fallback_field_resolver(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    """Every object field without a resolver of its own: the stored value by name, else the absent value."""
    name = info.field_name
    if isinstance(source, dict):
        if name in source:
            return source[name]
    elif source is not None and hasattr(source, name):
        return getattr(source, name)
    return absent_value(info.return_type, f"{info.parent_type.name}.{name}")
