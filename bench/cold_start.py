"""Cold start: importing each Lambda handler of serverless.yml vs `import boto3` alone.

Every measurement is a fresh interpreter (a subprocess, as a new Lambda container runs
one), timing the handler module's import from inside the child, so interpreter start-up
is left out of both sides alike. Each side takes the minimum of N runs (the least
disturbed by the other processes sharing the machine), alternating handler and
baseline so a busy spell slows both. The criterion is the ratio of the two minimums:
the API handler at most 3x `import boto3`, every worker (queue-triggered or scheduled)
at most 2x. Then, per handler, the top-level packages whose own import time is largest
(`python -X importtime`), so a regression names its cause.

    .venv/bin/python bench/cold_start.py [--runs 7] [--top 6] [--function NAME]
                                         [--no-bytecode]

`--no-bytecode` runs every child, the baseline too, as the packaged zip runs in Lambda:
the zip holds no `__pycache__` (its bytecode would have to be compiled by the runtime's
Python 3.12, which the build machine does not have) and /var/task is read-only, so each
cold start compiles every module it imports. The children then read bytecode from an
empty, read-only cache directory (PYTHONPYCACHEPREFIX) and compile everything.

The children get a production-like environment (PC_ENV=production, an OIDC issuer), as
in Lambda where serverless.yml sets it. Production reads its secrets from SSM at cold
start (partner_center/secrets.py) and refuses them in the environment, so the benchmark
starts the embedded AWS on 127.0.0.1, writes placeholder SecureStrings into its SSM and
names them to the children: each handler's time includes its SSM client and reads, as a
Lambda init does (over loopback rather than to the regional endpoint).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

API_GOAL = 3.0
WORKER_GOAL = 2.0
BASELINE = "boto3"

STAGE = "cold-start-bench"
# Placeholder secrets of the right shape, written into the embedded SSM (`_put_secrets`).
SECRETS = {
    "PC_JWT_SECRET_PARAMETER": "cold-start-benchmark-placeholder-jwt-secret-0123456789",
    "PC_ACCOUNT_HASH_KEY_PARAMETER": "cold-start-benchmark-placeholder-account-hash-012345",
    "PC_WEBHOOK_SECRET_KEY_PARAMETER": "cold-start-benchmark-placeholder-webhook-key-0123456",
}
SHARE_LINK_KEY_ID = "bench"
SHARE_LINK_KEY = "cold-start-benchmark-placeholder-share-link-0123456789"

# What Lambda would hold in the environment (serverless.yml), less the SSM parameter
# names and the endpoint of the embedded AWS, which `main` adds.
CHILD_ENV = {
    "PC_ENV": "production",
    "PC_OIDC_ISSUER": "https://issuer.invalid/",
    "PC_OIDC_AUDIENCE": "partner-center-api",
    "PC_JWT_ISSUER": "https://issuer.invalid/",
    "PC_STOREFRONT_URL": "https://marketplace.example.com",
    "AWS_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "PYTHONDONTWRITEBYTECODE": "",
}


def _put_secrets(endpoint_url: str) -> dict[str, str]:
    """Write the placeholder secrets into the embedded SSM; the variables naming them."""
    import boto3

    from partner_center.local.ssm import parameter_names

    names = parameter_names(STAGE)
    ssm = boto3.client(
        "ssm",
        endpoint_url=endpoint_url,
        region_name=CHILD_ENV["AWS_REGION"],
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    for variable, value in SECRETS.items():
        ssm.put_parameter(Name=names[variable], Value=value, Type="SecureString", Overwrite=True)
    ssm.put_parameter(
        Name=f"{names['PC_SHARE_LINK_KEYS_PATH']}/{SHARE_LINK_KEY_ID}",
        Value=SHARE_LINK_KEY,
        Type="SecureString",
        Overwrite=True,
    )
    ssm.put_parameter(
        Name=names["PC_SHARE_LINK_KEY_ID_PARAMETER"],
        Value=SHARE_LINK_KEY_ID,
        Type="String",
        Overwrite=True,
    )
    return names


_TIMED = """
import resource, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(sys.modules))
"""


# The SSM parameter names `_put_secrets` wrote, by the variable that names each.
SECRET_NAMES: dict[str, str] = {}


@dataclass(frozen=True)
class Function:
    module: str  # the handler's module
    secrets: tuple[str, ...]  # the variables naming the secrets its environment names


def handlers() -> dict[str, Function]:
    """Function name -> handler module and the secrets it names, as serverless.yml
    declares them (a function's own `environment`: the provider's names none)."""
    from partner_center.local import infra

    config = infra.load_cfn_yaml((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    found = {}
    for name, function in config["functions"].items():
        module, _, _ = str(function["handler"]).rpartition(".")
        named = tuple(
            v for v in function.get("environment", {}) if v.endswith(("_PARAMETER", "_PATH"))
        )
        found[name] = Function(module.replace("/", "."), named)
    return found


# Set by --no-bytecode: an empty directory the children may not write to.
NO_BYTECODE: dict[str, str] = {}


def _env(secrets: tuple[str, ...] = ()) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PC_", "AWS_"))}
    env.update(CHILD_ENV)
    env.update(NO_BYTECODE)
    env.update({variable: SECRET_NAMES[variable] for variable in secrets})
    env["PYTHONPATH"] = str(ROOT)
    return env


def timed_import(module: str, secrets: tuple[str, ...] = ()) -> tuple[float, int, int]:
    """Seconds to import `module` in a fresh interpreter, its peak RSS (KiB), modules."""
    done = subprocess.run(
        [sys.executable, "-c", _TIMED.format(module=module)],
        capture_output=True,
        text=True,
        env=_env(secrets),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"import {module} failed:\n{done.stderr[-2000:]}")
    seconds, rss, modules = done.stdout.split()
    return float(seconds), int(rss), int(modules)


def top_imports(module: str, secrets: tuple[str, ...], top: int) -> list[tuple[str, float]]:
    """The top-level packages with the most own import time (ms) for `module`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=_env(secrets),
        cwd=ROOT,
        check=False,
    )
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        try:
            own, _, name = line[len("import time:") :].split("|")
            by_package[name.strip().split(".")[0]] += int(own) / 1000
        except ValueError:
            continue  # the header line
    return sorted(by_package.items(), key=lambda item: -item[1])[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--function", action="append", help="only these functions")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="compile every module in every child, as the packaged zip does in Lambda",
    )
    args = parser.parse_args()
    if args.no_bytecode:
        empty = Path(tempfile.mkdtemp(prefix="cold-start-no-bytecode-"))
        empty.chmod(0o555)
        NO_BYTECODE.update(PYTHONPYCACHEPREFIX=str(empty), PYTHONDONTWRITEBYTECODE="1")
        print(f"no bytecode: every child compiles what it imports (cache {empty}, read-only)")

    functions = handlers()
    if args.function:
        functions = {name: functions[name] for name in args.function}
    from partner_center.local.aws_server import EmbeddedAws

    aws = EmbeddedAws().start()
    try:
        SECRET_NAMES.update(_put_secrets(aws.endpoint_url))
        CHILD_ENV["AWS_ENDPOINT_URL"] = aws.endpoint_url
        return _measure(functions, args)
    finally:
        aws.stop()


def _measure(functions: dict[str, Function], args: argparse.Namespace) -> int:
    baseline: list[float] = []
    samples: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    for _ in range(args.runs):
        for function in functions.values():
            baseline.append(timed_import(BASELINE)[0])
            samples[function.module].append(timed_import(function.module, function.secrets))
    base = min(baseline)
    print(f"import {BASELINE}: {base * 1000:.0f} ms (min of {len(baseline)} fresh interpreters)")
    print(
        f"{'function':<20} {'handler module':<30} {'ms':>6} {'ratio':>6} {'goal':>5} "
        f"{'MiB':>5} {'modules':>7}  verdict"
    )
    failed = []
    results = []
    for name, function in functions.items():
        module = function.module
        best = min(samples[module])
        ratio = best[0] / base
        goal = API_GOAL if name == "api" else WORKER_GOAL
        verdict = "PASS" if ratio <= goal else "FAIL"
        if verdict == "FAIL":
            failed.append(name)
        print(
            f"{name:<20} {module:<30} {best[0] * 1000:6.0f} {ratio:6.2f} {goal:5.1f} "
            f"{max(s[1] for s in samples[module]) / 1024:5.0f} {best[2]:7d}  {verdict}"
        )
        results.append(
            {
                "function": name,
                "module": module,
                "ms": round(best[0] * 1000, 1),
                "ratio": round(ratio, 2),
                "goal": goal,
                "verdict": verdict,
            }
        )
    print(f"\ntop {args.top} packages by own import time (ms, one -X importtime run each):")
    for name, function in functions.items():
        imports = top_imports(function.module, function.secrets, args.top)
        costs = ", ".join(f"{package} {ms:.0f}" for package, ms in imports)
        print(f"  {name:<20} {costs}")
    if args.json:
        print(json.dumps({"baseline_ms": round(base * 1000, 1), "results": results}))
    worst = max(results, key=lambda r: r["ratio"] / r["goal"])
    print(
        f"RATIO worst {worst['function']} {worst['ratio']:.2f} (goal {worst['goal']:.1f}) "
        f"{'FAIL ' + ','.join(failed) if failed else 'PASS'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
