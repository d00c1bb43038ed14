"""Trusted documents: the operations in graphql/, each addressed by its SHA-256.

The manifest (`trusted_documents.json`, shipped inside the package because the Lambda
package leaves graphql/ out) maps "sha256:<hex>" to the operation's full text with the
fragments it uses. In production only these documents run; a client sends
`{"documentId": "sha256:…", "variables": …}`. `partner-center trusted-documents`
rebuilds the manifest, and a test fails when it is stale.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

MANIFEST = Path(__file__).with_name("trusted_documents.json")
DOCUMENTS = Path(__file__).resolve().parents[2] / "graphql"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spreads(node: object) -> set[str]:
    visitor = _Spreads()
    visit(node, visitor)  # type: ignore[arg-type]
    return visitor.names


def document_id(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def operations(source: str) -> dict[str, str]:
    """Each named operation of a document, printed with the fragments it needs."""
    document = parse(source)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    found: dict[str, str] = {}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode) or definition.name is None:
            continue
        needed: list[FragmentDefinitionNode] = []
        pending = _spreads(definition)
        while pending:
            name = pending.pop()
            if name in {f.name.value for f in needed}:
                continue
            fragment = fragments[name]
            needed.append(fragment)
            pending |= _spreads(fragment)
        needed.sort(key=lambda f: f.name.value)
        found[definition.name.value] = print_ast(DocumentNode(definitions=(definition, *needed)))
    return found


def build_manifest(folder: Path = DOCUMENTS) -> dict[str, dict[str, str]]:
    manifest: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.graphql")):
        for name, text in operations(path.read_text(encoding="utf-8")).items():
            manifest[document_id(text)] = {"operation": name, "file": path.name, "document": text}
    return manifest


def render_manifest(manifest: dict[str, dict[str, str]]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def load_manifest() -> dict[str, dict[str, str]]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def lookup(document_id_: str) -> str | None:
    entry = load_manifest().get(document_id_)
    return entry["document"] if entry else None


def id_of(operation: str) -> str:
    """The document ID of a named operation (for clients such as the CLI)."""
    for key, entry in load_manifest().items():
        if entry["operation"] == operation:
            return key
    raise KeyError(operation)
