"""docs/architecture.md draws the tree from the code: every package of the application
and every Lambda entry point is described there, and everything it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"


def _tree() -> list[str]:
    """The paths of the tree block, from its indentation (two spaces a level)."""
    text = PAGE.read_text(encoding="utf-8")
    block = text.split("## The tree", 1)[1].split("```", 2)[1]
    paths: list[str] = []
    stack: list[str] = []
    for line in block.strip("\n").splitlines():
        name = line.strip().split()[0]
        depth = (len(line) - len(line.lstrip(" "))) // 2
        stack[depth:] = [name.rstrip("/")]
        paths.append("/".join(stack) + ("/" if name.endswith("/") else ""))
    return paths


def test_every_package_and_entry_point_is_on_the_page() -> None:
    drawn = set(_tree())
    packages = {
        f"{p.parent.relative_to(ROOT).as_posix()}/"
        for p in (ROOT / "partner_center").rglob("__init__.py")
    }
    folders = {
        f"{p.relative_to(ROOT).as_posix()}/"
        for p in (ROOT / "partner_center").glob("*/*/")
        if p.name != "__pycache__" and not p.name.startswith(".")
    }
    entry_points = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "functions").glob("*.py")
        if p.name != "__init__.py"
    }
    top_modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "partner_center").glob("*.py")
        if p.name != "__init__.py"
    }
    expected = (packages | folders | entry_points | top_modules) - {"partner_center/"}
    missing = sorted(expected - drawn)
    assert not missing, f"not on docs/architecture.md: {missing}"


def test_everything_the_page_names_exists() -> None:
    gone = sorted(p for p in _tree() if not (ROOT / p).exists())
    assert not gone, f"docs/architecture.md names what is not in the tree: {gone}"


def test_the_page_names_its_entry_points_in_serverless_yml() -> None:
    handlers = set(
        re.findall(r"handler:\s*functions/(\w+)\.", (ROOT / "serverless.yml").read_text())
    )
    drawn = {Path(p).stem for p in _tree() if p.startswith("functions/") and p.endswith(".py")}
    assert handlers <= drawn, sorted(handlers - drawn)
