"""Every rule tag the code and tests cite resolves in docs/rules.md, and the places that
page names exist: the rules' documentation cannot drift from the tree it points at."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.md"
TAG = re.compile(r"\bR(\d{1,2})\b")


def defined_rules() -> set[int]:
    return {int(n) for n in re.findall(r"^\*\*R(\d+)\.", RULES.read_text(), re.MULTILINE)}


def test_rules_page_defines_r1_to_r22_once_each() -> None:
    headings = re.findall(r"^\*\*R(\d+)\.", RULES.read_text(), re.MULTILINE)
    assert sorted(int(n) for n in headings) == list(range(1, 23))


def test_every_rule_tag_in_code_and_tests_resolves() -> None:
    defined = defined_rules()
    unresolved = []
    for folder in ("partner_center", "functions", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            for number in TAG.findall(path.read_text(encoding="utf-8")):
                if int(number) not in defined:
                    unresolved.append(f"{path.relative_to(ROOT)}: R{number}")
    assert not unresolved, unresolved


def test_every_place_the_rules_page_names_exists() -> None:
    text = RULES.read_text()
    named = set(re.findall(r"`((?:partner_center|tests)/[\w/]+\.py)`", text))
    # Short forms (`bills/rollup.py`) are relative to the application package.
    named |= {
        f"partner_center/{p}"
        for p in re.findall(r"`((?!partner_center/|tests/)[a-z_]+/[\w/]+\.py)`", text)
    }
    assert named, "the page names no module"
    missing = sorted(p for p in named if not (ROOT / p).is_file())
    assert not missing, missing
