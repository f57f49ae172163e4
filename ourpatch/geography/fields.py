"""A model field holding a Shapely geometry as WKB, on SQLite and PostgreSQL alike.

No spatial database is needed: point-in-area lookups run in memory (geography.locate),
and the database only has to keep the shapes exactly.
"""

from __future__ import annotations

from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.db import models
from shapely.geometry.base import BaseGeometry


class GeometryField(models.BinaryField):
    description = "A geometry (WGS84 longitude/latitude), stored as WKB"

    def __init__(self, *args: Any, geom_types: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.geom_types = geom_types
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.geom_types:
            kwargs["geom_types"] = self.geom_types
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> BaseGeometry | None:
        if value is None:
            return None
        return shapely.from_wkb(bytes(value))

    def to_python(self, value: Any) -> BaseGeometry | None:
        if value is None or isinstance(value, BaseGeometry):
            return value
        if isinstance(value, bytes | memoryview | bytearray):
            return shapely.from_wkb(bytes(value))
        if isinstance(value, str):
            return shapely.from_wkt(value)
        raise ValidationError(f"not a geometry: {type(value).__name__}")

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if isinstance(value, BaseGeometry):
            if self.geom_types and value.geom_type not in self.geom_types:
                raise ValidationError(
                    f"expected {' or '.join(self.geom_types)}, got {value.geom_type}"
                )
            value = shapely.to_wkb(value)
        return super().get_db_prep_value(value, connection, prepared)

    def value_to_string(self, obj: models.Model) -> str:
        geom = self.value_from_object(obj)
        return "" if geom is None else shapely.to_wkt(geom)
