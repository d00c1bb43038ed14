"""The artifact `serverless package --stage dev` built: template, zips, native code.

CI packages before it runs the tests (.ci/run), so these read `.serverless/`; with CI=true
a missing artifact fails instead of skipping. Locally: `npm ci && npx serverless package
--stage dev` first (docs/deploy.md).
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from partner_center.config import (
    DEVELOPMENT_ACCOUNT_HASH_KEY,
    DEVELOPMENT_JWT_SECRET,
    DEVELOPMENT_SHARE_LINK_SECRET,
)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACT = ROOT / ".serverless"
TEMPLATE = ARTIFACT / "cloudformation-template-update-stack.json"
STAGE = "dev"
MIB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT = 250 * MIB
# The goal for every function (Lambda itself refuses more than the limit above).
LEAN_GOAL = 60 * MIB
# A function over the goal needs a ceiling of its own here, with the measured reason
# (the bill run's R13 is plain Python, without NumPy's 44 MiB). The export worker's zip
# and PDF layer are 47.5 MiB of files and 21.3 MiB of their bytecode (below): the price
# of not compiling every module it imports on each cold start (docs/deploy.md).
OVER_GOAL: dict[str, int] = {"ExportWorkerLambdaFunction": 72 * MIB}
# cryptography (RS256/ES256 token signatures, the webhooks' sealed signing secrets) goes
# to these alone, in a layer of its own.
CRYPTO_FUNCTIONS = {"ApiLambdaFunction", "WebhookWorkerLambdaFunction"}
EM_AARCH64 = 183
# The functions' runtime and its bytecode: CPython 3.12's magic number (3531), and the
# flags of an unchecked-hash pyc (PEP 552: hash-based, source not checked on import).
RUNTIME = "python3.12"
CACHE_TAG = "cpython-312"
PYC_MAGIC = (3531).to_bytes(2, "little") + b"\r\n"
PYC_UNCHECKED_HASH = 0b01

if not TEMPLATE.is_file():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{TEMPLATE} is missing: .ci/run packages before the tests", pytrace=False)
    pytest.skip(
        "no packaged artifact: run `npx serverless package --stage dev`", allow_module_level=True
    )

# Nothing in the zip may come from these (a developer's machine only).
FORBIDDEN = re.compile(
    r"^(node_modules/|partner_center/local/|partner_center/cli/|tests/|docs/|bench/|"
    r"\.venv/|\.ci/|infra/|build/)"
    r"|(^|/)demo(_[a-z_]+)?\.py$|\.graphql$|^[^/]+\.md$|^(package(-lock)?\.json|serverless\.yml)$"
)
SECRET_NAME = re.compile(r"SECRET|KEY|TOKEN|PASSWORD|PRIVATE|CREDENTIAL", re.I)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text())


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}


def _zip_of(content: dict[str, Any]) -> Path:
    return ARTIFACT / content["S3Key"].rsplit("/", 1)[-1]


def _layers(template: dict[str, Any], function: dict[str, Any]) -> list[Path]:
    zips = []
    for layer in function["Properties"].get("Layers", []):
        resource = template["Resources"][layer["Ref"]]
        zips.append(_zip_of(resource["Properties"]["Content"]))
    return zips


def _unzipped(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(i.file_size for i in archive.infolist())


def test_no_environment_value_is_or_could_be_a_secret(template: dict[str, Any]) -> None:
    known = {DEVELOPMENT_JWT_SECRET, DEVELOPMENT_SHARE_LINK_SECRET, DEVELOPMENT_ACCOUNT_HASH_KEY}
    text = TEMPLATE.read_text()
    assert not any(value in text for value in known)
    assert "{{resolve:" not in text, "a dynamic reference resolves a value into the template"
    for logical_id, function in _functions(template).items():
        variables = function["Properties"]["Environment"]["Variables"]
        for name, value in variables.items():
            where = f"{logical_id}.{name}"
            if isinstance(value, str) and value.isdigit() and len(value) < 8:
                continue  # a count or a number of seconds
            if SECRET_NAME.search(name):
                # A secret's variable may only NAME its parameter, under the stage's path.
                assert name.endswith(("_PARAMETER", "_PATH")), f"{where} looks like a secret"
                assert isinstance(value, str), where
                assert value.startswith(f"/partner-center/{STAGE}/"), where
                continue
            if isinstance(value, str):
                # Anything long without a separator of its own is treated as a key.
                looks_random = len(value) >= 20 and not re.search(r"[/:.]", value)
                assert not looks_random, f"{where} could be a secret"


def test_functions_may_read_only_the_stages_parameters(template: dict[str, Any]) -> None:
    role = template["Resources"]["IamRoleLambdaExecution"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    ssm = [s for s in statements if any(a.startswith("ssm:") for a in s["Action"])]
    assert len(ssm) == 1
    assert set(ssm[0]["Action"]) == {
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
    }
    assert f":parameter/partner-center/{STAGE}/*" in json.dumps(ssm[0]["Resource"])
    (kms,) = [s for s in statements if "kms:Decrypt" in s["Action"]]
    assert "kms:ViaService" in kms["Condition"]["StringEquals"]
    assert f"/partner-center/{STAGE}/*" in json.dumps(kms["Condition"]["StringLike"])


def test_functions_run_python_312_on_arm64(template: dict[str, Any]) -> None:
    for logical_id, function in _functions(template).items():
        assert function["Properties"]["Runtime"] == "python3.12", logical_id
        assert function["Properties"]["Architectures"] == ["arm64"], logical_id


def _elf_machine(data: bytes) -> int | None:
    if data[:4] != b"\x7fELF":
        return None
    assert data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF"
    return int(struct.unpack_from("<H", data, 18)[0])


def _every_zip(template: dict[str, Any]) -> set[Path]:
    paths = set()
    for function in _functions(template).values():
        paths.add(_zip_of(function["Properties"]["Code"]))
        paths.update(_layers(template, function))
    return paths


def test_every_native_library_is_aarch64(template: dict[str, Any]) -> None:
    checked = 0
    for path in sorted(_every_zip(template)):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                if not re.search(r"\.so(\.\d+)*$", name):
                    continue
                machine = _elf_machine(archive.read(info)[:64])
                assert machine == EM_AARCH64, f"{path.name}:{info.filename} is {machine}"
                assert "x86_64" not in name, info.filename
                checked += 1
    assert checked > 20, "expected the native modules of aiohttp, cryptography, Pillow..."


def test_the_zip_holds_only_what_runs_in_lambda(template: dict[str, Any]) -> None:
    for path in sorted(_every_zip(template)):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        if path.name == "partner-center.zip":
            assert "functions/api.py" in names and "partner_center/config.py" in names
            # botocore keeps the models of the services the functions call.
            for service in ("dynamodb", "s3", "sqs", "ssm", "events", "sts"):
                assert any(n.startswith(f"botocore/data/{service}/") for n in names), service
            assert not any(n.startswith("botocore/data/ec2/") for n in names)
        bad = [n for n in names if FORBIDDEN.search(n)]
        assert not bad, f"{path.name}: {bad[:10]}"


def _pyc_of(source: str) -> str:
    folder, _, name = source.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.{CACHE_TAG}.pyc".lstrip("/")


def test_every_module_has_the_runtimes_bytecode(template: dict[str, Any]) -> None:
    """Each zip, the layers too, holds a pyc of the runtime's CPython for every module:
    the read-only Lambda file system would otherwise have every cold start compile them."""
    assert {f["Properties"]["Runtime"] for f in _functions(template).values()} == {RUNTIME}
    zips = _every_zip(template) | {
        p for f in _functions(template).values() for p in _layers(template, f)
    }
    for path in sorted(zips):
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            sources = [n for n in names if n.endswith(".py")]
            assert sources, path.name
            missing = [s for s in sources if _pyc_of(s) not in names]
            assert not missing, f"{path.name}: {missing[:5]}"
            for source in sources:
                header = archive.read(_pyc_of(source))[:8]
                assert header[:4] == PYC_MAGIC, (path.name, source, header)
                assert int.from_bytes(header[4:8], "little") == PYC_UNCHECKED_HASH, source


def _runtime_python() -> str | None:
    """A CPython of the runtime's version, found as the packaging plugin finds it."""
    version = RUNTIME.removeprefix("python")
    candidates = [os.environ.get("PC_BYTECODE_PYTHON", ""), f"python{version}"]
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if versions.is_dir():
        candidates += [
            str(v / "bin" / f"python{version}") for v in sorted(versions.glob(f"{version}.*"))
        ]
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    return None


def test_the_runtime_loads_the_shipped_bytecode(template: dict[str, Any], tmp_path: Path) -> None:
    """The runtime's CPython imports a module from the zip's pyc, not its source: with the
    sources replaced by code that fails, the import still gives the module."""
    python = _runtime_python()
    if python is None:
        pytest.skip(f"no {RUNTIME} here (packaging needed one: CI has it)")
    code = _zip_of(next(iter(_functions(template).values()))["Properties"]["Code"])
    modules = ["partner_center/__init__.py", "partner_center/core/__init__.py"]
    modules.append("partner_center/core/money.py")
    with zipfile.ZipFile(code) as archive:
        archive.extractall(tmp_path, members=modules + [_pyc_of(m) for m in modules])
    for module in modules:
        (tmp_path / module).write_text("raise SystemExit('imported from source')\n")
    result = subprocess.run(
        [
            python,
            "-S",
            "-c",
            "import partner_center.core.money as m; print(m.__cached__.rsplit('/', 1)[1])",
        ],
        cwd=tmp_path,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-1500:]
    assert result.stdout.strip() == f"money.{CACHE_TAG}.pyc"


def test_unzipped_sizes(template: dict[str, Any]) -> None:
    sizes = {}
    for logical_id, function in _functions(template).items():
        parts = [_zip_of(function["Properties"]["Code"]), *_layers(template, function)]
        sizes[logical_id] = sum(_unzipped(p) for p in parts)
    print("\nunzipped MiB: " + ", ".join(f"{k} {v / MIB:.1f}" for k, v in sizes.items()))
    for logical_id, size in sizes.items():
        assert size < LAMBDA_UNZIPPED_LIMIT, logical_id
        assert size < OVER_GOAL.get(logical_id, LEAN_GOAL), f"{logical_id}: {size / MIB:.1f} MiB"
    # The heavy packages go only to the jobs that need them; numpy to none.
    assert "Numpy" not in json.dumps(template["Resources"])
    # Only the export worker writes PDFs (reportlab and its CJK font).
    assert "PdfLambdaLayer" not in json.dumps(
        {k: v for k, v in _functions(template).items() if not k.startswith("ExportWorker")}
    )
    with_crypto = {
        k
        for k, v in _functions(template).items()
        if "CryptoLambdaLayer" in json.dumps(v["Properties"].get("Layers", []))
    }
    assert with_crypto == CRYPTO_FUNCTIONS


def test_heavy_files_are_only_where_they_are_used(template: dict[str, Any]) -> None:
    functions = _functions(template)
    code = _zip_of(next(iter(functions.values()))["Properties"]["Code"])
    with zipfile.ZipFile(code) as archive:
        names = archive.namelist()
    # In their layers, not in every function's zip.
    assert not [n for n in names if n.startswith(("cryptography/", "_cffi_backend"))]
    assert not [n for n in names if n.endswith((".ttc", ".ttf"))]
    # GraphiQL's vendored builds: production serves no GraphiQL.
    vendor = "partner_center/api/graphiql/static/vendor/"
    assert [n for n in names if n.startswith(vendor)] == [f"{vendor}manifest.json"]
    layers = {p.name: p for f in functions.values() for p in _layers(template, f)}
    with zipfile.ZipFile(layers["pdf.zip"]) as archive:
        assert "python/partner_center_fonts/wqy-microhei.ttc" in archive.namelist()
    with zipfile.ZipFile(layers["crypto.zip"]) as archive:
        assert "python/cryptography/__init__.py" in archive.namelist()


# Imports the handler with only the zip's product code and only the top-level modules
# the zip and the function's layers hold. Third-party code itself comes from this
# interpreter's site-packages (the zip's wheels are aarch64/3.12 and cannot load here),
# through a folder of links to just those modules; `-S` keeps the rest of site-packages
# (and the editable install of this checkout) out of reach.
_IMPORT_CHECK = r"""
import importlib, sys
code_dir, host_dir, module = sys.argv[1:4]
sys.path = [code_dir, host_dir] + [p for p in sys.path if p.startswith(sys.base_prefix)]
importlib.import_module(module)
import partner_center
assert partner_center.__file__.startswith(code_dir), partner_center.__file__
"""


def _host_modules(allowed: set[str], into: Path) -> Path:
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    into.mkdir()
    for entry in site.iterdir():
        top = entry.name.split(".", 1)[0]
        if top in allowed or entry.name.endswith(".libs"):
            (into / entry.name).symlink_to(entry)
    return into


def _top_level(names: list[str], prefix: str = "") -> set[str]:
    found = set()
    for name in names:
        if not name.startswith(prefix):
            continue
        first = name[len(prefix) :].split("/", 1)[0]
        if first and not first.endswith((".dist-info", ".libs")):
            found.add(first.split(".", 1)[0])
    return found


def test_each_handler_imports_from_its_package(template: dict[str, Any], tmp_path: Path) -> None:
    functions = _functions(template)
    code = _zip_of(next(iter(functions.values()))["Properties"]["Code"])
    code_dir = tmp_path / "task"
    with zipfile.ZipFile(code) as archive:
        # Only the product's code: the zip's third-party packages are aarch64 builds,
        # whose native parts (cryptography's, for one) cannot load here.
        archive.extractall(
            code_dir,
            members=[
                n for n in archive.namelist() if n.startswith(("functions/", "partner_center/"))
            ],
        )
        base = _top_level(archive.namelist())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PC_", "AWS_ENDPOINT"))}
    env.update(PC_ENV="development", AWS_DEFAULT_REGION="eu-west-1")
    for logical_id, function in functions.items():
        allowed = set(base)
        for layer in _layers(template, function):
            with zipfile.ZipFile(layer) as archive:
                allowed |= _top_level(archive.namelist(), "python/")
        module = function["Properties"]["Handler"].rsplit(".", 1)[0].replace("/", ".")
        host = _host_modules(allowed, tmp_path / f"host-{logical_id}")
        result = subprocess.run(
            [sys.executable, "-S", "-c", _IMPORT_CHECK, str(code_dir), str(host), module],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, f"{logical_id}: {result.stderr[-1500:]}"


_FONT_CHECK = r"""
import sys
code_dir, layer_dir, host_dir = sys.argv[1:4]
sys.path = [code_dir, layer_dir, host_dir] + [
    p for p in sys.path if p.startswith(sys.base_prefix)]
from partner_center.exports.pdf_stream import font_file
print(font_file())
"""


def test_the_pdf_writer_finds_its_font_in_the_pdf_layer(
    template: dict[str, Any], tmp_path: Path
) -> None:
    worker = _functions(template)["ExportWorkerLambdaFunction"]
    code_dir, layer_dir = tmp_path / "task", tmp_path / "opt"
    with zipfile.ZipFile(_zip_of(worker["Properties"]["Code"])) as archive:
        archive.extractall(
            code_dir,
            members=[
                n for n in archive.namelist() if n.startswith(("functions/", "partner_center/"))
            ],
        )
    (pdf,) = [p for p in _layers(template, worker) if p.name == "pdf.zip"]
    with zipfile.ZipFile(pdf) as archive:
        archive.extractall(
            layer_dir,
            members=[n for n in archive.namelist() if n.startswith("python/partner_center_fonts/")],
        )
    # reportlab from this interpreter (the layer's build is aarch64).
    host = _host_modules({"reportlab", "PIL", "charset_normalizer"}, tmp_path / "host")
    result = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            _FONT_CHECK,
            str(code_dir),
            str(layer_dir / "python"),
            str(host),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-1500:]
    assert result.stdout.strip() == str(layer_dir / "python/partner_center_fonts/wqy-microhei.ttc")
