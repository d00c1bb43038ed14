"""Attribute types the stock pynamodb set lacks."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pynamodb.attributes import Attribute, ListAttribute, UnicodeAttribute
from pynamodb.constants import NUMBER


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number kept as Decimal: pynamodb's NumberAttribute goes through float,
    which would lose cents (money never passes through float)."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be Decimal, got {type(value).__name__}")
        return format(value, "f")

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class StringListAttribute(ListAttribute[str]):
    """A list of strings, stored as `ListAttribute(of=UnicodeAttribute)` is, and typed as
    `list[str]`: pynamodb's signature would make the `of=` class the element type."""

    def __init__(
        self, *, default: Callable[[], Any] | None = list, attr_name: str | None = None
    ) -> None:
        super().__init__(default=default, attr_name=attr_name)
        self.element_type = UnicodeAttribute
