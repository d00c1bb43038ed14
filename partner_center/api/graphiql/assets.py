"""The browser files GraphiQL needs, vendored into the package from the npm registry.

`vendor/manifest.json` pins each npm package's version and records the registry's
tarball integrity and the SHA-256 of every file taken from it; the page links the files
with the same checksums as subresource integrity. `refresh` (the command
`partner-center graphiql-assets refresh`) packs the pinned versions with `npm pack`,
checks each tarball against the registry's integrity, copies the files and rewrites the
manifest; `verify` tells whether the files on disk are the ones the manifest names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
MANIFEST = VENDOR / "manifest.json"


@dataclass(frozen=True)
class Package:
    """One npm package and the files of its tarball the page uses."""

    name: str
    files: tuple[str, ...]  # paths inside the tarball's `package/`

    def folder(self, version: str) -> str:
        return f"{self.name.replace('@', '').replace('/', '-')}-{version}"


# Load order: React first; GraphiQL's UMD build and the explorer plugin read the globals.
PACKAGES = (
    Package("react", ("umd/react.production.min.js", "LICENSE")),
    Package("react-dom", ("umd/react-dom.production.min.js", "LICENSE")),
    Package("graphiql", ("graphiql.min.js", "graphiql.min.css", "LICENSE")),
    # Its tarball has no LICENSE file; the manifest records package.json's "license".
    Package("@graphiql/plugin-explorer", ("dist/index.umd.js", "dist/style.css")),
)


@dataclass(frozen=True)
class Asset:
    url_path: str  # below the static mount, e.g. "vendor/react-18.2.0/react.production.min.js"
    sha256: str  # hex

    @property
    def integrity(self) -> str:
        return "sha256-" + base64.b64encode(bytes.fromhex(self.sha256)).decode()


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def page_assets() -> tuple[list[Asset], list[Asset]]:
    """(scripts, stylesheets) in load order, as the manifest records them."""
    scripts: list[Asset] = []
    styles: list[Asset] = []
    for entry in load_manifest()["packages"]:
        for file in entry["files"]:
            asset = Asset(f"vendor/{file['path']}", file["sha256"])
            if file["path"].endswith(".js"):
                scripts.append(asset)
            elif file["path"].endswith(".css"):
                styles.append(asset)
    return scripts, styles


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(vendor: Path = VENDOR) -> list[str]:
    """What differs between the manifest and the files on disk (empty: all match)."""
    problems = []
    manifest = load_manifest(vendor / "manifest.json")
    listed = set()
    for entry in manifest["packages"]:
        for file in entry["files"]:
            path = vendor / file["path"]
            listed.add(path)
            if not path.is_file():
                problems.append(f"missing: {file['path']}")
            elif _sha256(path) != file["sha256"]:
                problems.append(f"checksum differs: {file['path']}")
    for path in vendor.rglob("*"):
        if path.is_file() and path.name != "manifest.json" and path not in listed:
            problems.append(f"not in the manifest: {path.relative_to(vendor)}")
    return problems


def _tarball_integrity(tarball: Path, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise RuntimeError(
            f"{tarball.name}: the tarball does not match the registry's {algorithm} integrity"
        )


def _pack(spec: str, into: Path, npm: str) -> dict[str, Any]:
    """`npm pack` one package into `into`; npm's JSON report of it."""
    done = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(into)],
        capture_output=True,
        text=True,
        check=False,
        cwd=into,
    )
    if done.returncode != 0:
        raise RuntimeError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    report: dict[str, Any] = json.loads(done.stdout)[0]
    return report


def _member(archive: tarfile.TarFile, inner: str, name: str) -> Any:
    try:
        member = archive.extractfile(f"package/{inner}")
    except KeyError:
        member = None
    if member is None:
        raise RuntimeError(f"the npm package {name} has no {inner}")
    return member


def refresh(
    versions: dict[str, str] | None = None, vendor: Path = VENDOR, npm: str = "npm"
) -> dict[str, Any]:
    """Re-vendor every package at its pinned version (or the one given in `versions`)
    and rewrite the manifest; returns the new manifest."""
    pinned = (
        {e["name"]: e["version"] for e in load_manifest(vendor / "manifest.json")["packages"]}
        if (vendor / "manifest.json").exists()
        else {}
    )
    pinned.update(versions or {})
    unknown = set(pinned) - {p.name for p in PACKAGES}
    if unknown:
        raise ValueError(f"not a GraphiQL asset package: {', '.join(sorted(unknown))}")
    missing = [p.name for p in PACKAGES if p.name not in pinned]
    if missing:
        raise ValueError(f"no version pinned for {', '.join(missing)}")
    entries = []
    with tempfile.TemporaryDirectory() as work:
        staging = Path(work) / "vendor"
        staging.mkdir()
        for package in PACKAGES:
            version = pinned[package.name]
            report = _pack(f"{package.name}@{version}", Path(work), npm)
            tarball = Path(work) / report["filename"]
            _tarball_integrity(tarball, report["integrity"])
            folder = staging / package.folder(version)
            folder.mkdir()
            files = []
            with tarfile.open(tarball) as archive:
                license_ = _member(archive, "package.json", package.name).read()
                for inner in package.files:
                    member = _member(archive, inner, package.name)
                    target = folder / Path(inner).name
                    target.write_bytes(member.read())
                    files.append(
                        {
                            "source": inner,
                            "path": f"{folder.name}/{target.name}",
                            "sha256": _sha256(target),
                            "bytes": target.stat().st_size,
                        }
                    )
            entries.append(
                {
                    "name": package.name,
                    "version": report["version"],
                    "license": json.loads(license_).get("license"),
                    "tarball": report["filename"],
                    "integrity": report["integrity"],
                    "files": files,
                }
            )
        manifest = {"source": "https://registry.npmjs.org (npm pack)", "packages": entries}
        (staging / "manifest.json").write_text(
            json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
        )
        # Swap the whole folder at once: a failed refresh leaves the old files in place.
        if vendor.exists():
            shutil.rmtree(vendor)
        shutil.copytree(staging, vendor)
    page_assets.cache_clear()
    return manifest
