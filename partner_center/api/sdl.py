"""The schema as SDL, the text checked in as schema.graphql."""

from __future__ import annotations

from partner_center.api.schema import schema


def sdl() -> str:
    return schema.as_str() + "\n"
