"""Adds the runtime's bytecode to a Lambda zip or a layer folder (run by that CPython).

The Lambda file system is read-only and serverless-python-requirements strips every
`__pycache__`, so without this each cold start compiles every module it imports from
source (bench/cold_start.py --no-bytecode measures what that costs). Bytecode is
specific to the CPython minor version, so this script runs under the functions' runtime
version (infra/serverless/partner-center-plugin.js finds that interpreter) and refuses
any other. The files are unchecked-hash pycs (PEP 552): the interpreter loads them
without comparing them with the source's modification time, which a zip does not keep
exactly, and the same sources always give the same bytes.

    python3.12 compile_bytecode.py --expect 3.12 ZIP_OR_FOLDER [...]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import py_compile
import sys
import tempfile
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]
from pathlib import PurePosixPath


def pyc_name(source: str) -> str:
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.{sys.implementation.cache_tag}.pyc")


def compile_zip(path: str) -> tuple[int, int]:
    """Rewrites the zip with a pyc beside every .py it holds: (compiled, skipped)."""
    compiled = skipped = 0
    folder = os.path.dirname(os.path.abspath(path))
    with zipfile.ZipFile(path) as source:
        names = set(source.namelist())
        fd, temporary = tempfile.mkstemp(suffix=".zip", dir=folder)
        os.close(fd)
        try:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
                for info in source.infolist():
                    data = source.read(info)
                    target.writestr(info, data)
                    if not info.filename.endswith(".py") or pyc_name(info.filename) in names:
                        continue
                    try:
                        code = compile(data, info.filename, "exec", dont_inherit=True)
                    except (SyntaxError, ValueError):
                        # Files no import reaches (a package's Python 2 examples): left
                        # as source, as compileall leaves them.
                        skipped += 1
                        continue
                    pyc = zipfile.ZipInfo(pyc_name(info.filename), info.date_time)
                    pyc.external_attr = info.external_attr
                    pyc.compress_type = zipfile.ZIP_DEFLATED
                    # checked=False: an unchecked-hash pyc (PEP 552).
                    bytecode = _code_to_hash_pyc(code, importlib.util.source_hash(data), False)
                    target.writestr(pyc, bytes(bytecode))
                    compiled += 1
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return compiled, skipped


def compile_folder(path: str) -> bool:
    return compileall.compile_dir(
        path,
        quiet=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expect", required=True, help="the runtime's version, e.g. 3.12")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if running != args.expect or sys.implementation.name != "cpython":
        print(f"bytecode for {args.expect} needs CPython {args.expect}, not {running}")
        return 2
    for path in args.paths:
        if os.path.isdir(path):
            compile_folder(path)
            print(f"{path}: compiled")
        else:
            compiled, skipped = compile_zip(path)
            print(f"{path}: {compiled} modules compiled, {skipped} left as source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
