"""Fast bulk loading for evaluation/benchmark catalogues: COPY rows of any model."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from django.db import connection, models
from django.utils import timezone
from pgvector.django import VectorField
from pgvector.psycopg.vector import register_vector_info
from psycopg import sql
from psycopg.types import TypeInfo
from psycopg.types.json import Jsonb

from tiktok.db.sql import vector_literal


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]


def _text_value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    if isinstance(field, VectorField):
        return vector_literal(value)
    if isinstance(field, models.FileField):
        return str(value)
    return value


def copy_rows(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """COPY dicts (keyed by attname, e.g. owner_id) into the model's table; returns the count.

    Missing keys take the field default (a callable default is called for each row, so unique
    random keys stay unique); auto_now(_add) timestamps default to now. Vector fields may be
    numpy arrays: they travel in pgvector's binary format (fast for 100k rows).
    """
    fields = _fields(model)
    now = timezone.now()
    defaults: dict[str, Any] = {}
    per_row: dict[str, models.Field] = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif field.has_default() and callable(field.default):
            per_row[field.attname] = field
        elif field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            defaults[field.attname] = ""
    binary = any(isinstance(field, VectorField) for field in fields)
    statement = sql.SQL("COPY {table} ({columns}) FROM STDIN{binary}").format(
        table=sql.Identifier(model._meta.db_table),
        columns=sql.SQL(", ").join(sql.Identifier(field.column) for field in fields),
        binary=sql.SQL(" WITH (FORMAT BINARY)") if binary else sql.SQL(""),
    )
    count = 0
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        if binary:
            register_vector_info(cursor, TypeInfo.fetch(cursor.connection, "vector"))
            types = [_binary_type(field) for field in fields]
        with cursor.copy(statement) as copy:
            if binary:
                copy.set_types(types)
            for row in rows:
                values = []
                for field in fields:
                    if field.attname in row:
                        value = row[field.attname]
                    elif field.attname in per_row:
                        value = field.get_default()
                    else:
                        value = defaults.get(field.attname)
                    if binary:
                        values.append(_binary_value(field, value))
                    else:
                        values.append(_text_value(field, value))
                copy.write_row(values)
                count += 1
    return count


def _binary_type(field: models.Field) -> str:
    if isinstance(field, VectorField):
        return "vector"
    if isinstance(field, models.JSONField):
        return "jsonb"
    return field.db_type(connection).split("(")[0].replace(" primary key", "")


def _binary_value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, VectorField):
        return np.asarray(value, dtype=np.float32)
    if isinstance(field, models.JSONField):
        return Jsonb(value)
    return value
