"""Workers load only what their job needs: no GraphQL, no token library, no format
writer before a file of that format is written (each checked in a fresh interpreter,
as a new Lambda container starts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from partner_center.local import infra

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("graphql", "strawberry", "jwt", "reportlab", "xlsxwriter")


def worker_modules() -> list[str]:
    config = infra.load_cfn_yaml((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    modules = [
        str(f["handler"]).rpartition(".")[0].replace("/", ".")
        for name, f in config["functions"].items()
        if name != "api"
    ]
    assert len(modules) >= 7
    return modules


@pytest.mark.parametrize("module", worker_modules())
def test_worker_imports_no_graphql_token_or_writer_library(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PC_")}
    # Development settings: production would read its secrets from SSM at import (the
    # logging set-up reads the settings), and which modules load does not depend on it.
    env.update(PC_ENV="development", PYTHONPATH=str(ROOT), AWS_REGION="eu-west-1")
    code = (
        f"import sys, json, {module}\n"
        f"print(json.dumps(sorted(n for n in {FORBIDDEN!r} if n in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == [], f"{module} imports {done.stdout.strip()}"
