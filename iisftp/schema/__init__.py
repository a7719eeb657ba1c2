"""IIS schema layer: schema files -> frozen SectionSchema/ElementSchema/AttributeSchema.

`load_schemas(dirs=None)` reads and merges every `*.xml` in the schema folders
(default: the repo's `schemas/`). Each AttributeSchema parses and formats its
values strictly (`attr.parse(raw)`, `attr.format(value)`), running the validator
named by its `validationType`.
"""

from __future__ import annotations

from iisftp.schema._codecs import CODECS, INFINITE, is_encrypted, split_encrypted
from iisftp.schema._loader import DEFAULT_SCHEMA_DIR, load_schemas, parse_schema_file
from iisftp.schema._model import (
    AttributeSchema,
    CollectionSchema,
    ElementSchema,
    SchemaSet,
    SectionSchema,
)
from iisftp.schema._validators import VALIDATORS

__all__ = [
    "CODECS",
    "DEFAULT_SCHEMA_DIR",
    "INFINITE",
    "VALIDATORS",
    "AttributeSchema",
    "CollectionSchema",
    "ElementSchema",
    "SchemaSet",
    "SectionSchema",
    "is_encrypted",
    "load_schemas",
    "parse_schema_file",
    "split_encrypted",
]
