"""schema.graphql is the code's schema, and every document in graphql/ is valid against it."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from partner_center.api.sdl import sdl

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted((ROOT / "graphql").glob("*.graphql"))


def test_schema_graphql_matches_the_code() -> None:
    checked_in = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == sdl(), (
        "schema.graphql is stale: run `partner-center schema` and commit the result"
    )


def test_there_are_operation_documents() -> None:
    assert DOCUMENTS


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_operation_document_validates(path: Path) -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    errors = validate(schema, parse(path.read_text(encoding="utf-8")))
    assert errors == [], [e.message for e in errors]


def test_graphql_folder_is_not_a_python_package() -> None:
    # A graphql/__init__.py would shadow graphql-core, which strawberry imports.
    assert not (ROOT / "graphql" / "__init__.py").exists()


def test_trusted_documents_manifest_is_current() -> None:
    from partner_center.api import trusted_documents

    current = trusted_documents.render_manifest(trusted_documents.build_manifest())
    assert trusted_documents.MANIFEST.read_text(encoding="utf-8") == current, (
        "trusted_documents.json is stale: run `partner-center trusted-documents`"
    )
