"""The deployment descriptors agree with each other and with the code.

infra/resources.yml is one template used twice: serverless.yml includes it for the
cloud, and partner_center.local.infra deploys it into the embedded AWS. These tests
keep the pieces from drifting apart, and deploy the template into a real moto server.

Self-contained on purpose (no conftest fixtures): it starts its own moto server.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.api import lint

ROOT = Path(__file__).resolve().parents[1]
# Lambda imports handlers from the zip root, which is the repo root; the same path also
# makes the application importable when the project is not pip-installed.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from partner_center.local import infra  # noqa: E402 - needs ROOT on sys.path

TEMPLATE_PATH = ROOT / "infra" / "resources.yml"
SERVERLESS_PATH = ROOT / "serverless.yml"

# The regions the stack is linted for: the cloud default and the local one.
LINT_REGIONS = ["eu-west-1", "us-east-1"]

EXPECTED_OUTPUTS = {
    "DirectoryTableName",
    "CustomersTableName",
    "ConsumptionTableName",
    "JobsTableName",
    "AuditTableName",
    "IdempotencyTableName",
    "BudgetsTableName",
    "MarketplaceTableName",
    "IncentivesTableName",
    "CustomerAssignmentsTableName",
    "CustomerAlertsTableName",
    "AdjustmentsTableName",
    "ConsumptionRollupsTableName",
    "BillsTableName",
    "BandwidthTableName",
    "FinanceTableName",
    "ExportQueueUrl",
    "ExportQueueArn",
    "ExportDeadLetterQueueUrl",
    "ExportDeadLetterQueueArn",
    "ExportsBucketName",
    "LeadsTableName",
    "DispatchQueueUrl",
    "DispatchQueueArn",
    "DispatchDeadLetterQueueUrl",
    "DispatchDeadLetterQueueArn",
    "WebhooksTableName",
    "WebhookQueueUrl",
    "WebhookQueueArn",
    "WebhookDeadLetterQueueUrl",
    "WebhookDeadLetterQueueArn",
    "PartnerEventsBusName",
    "EventsTapQueueUrl",
}

# Table output -> (hash key, range key): every key starts from the partner ID.
EXPECTED_KEYS = {
    "DirectoryTableName": ("partner_id", "entity"),
    "CustomersTableName": ("partner_id", "customer_id"),
    "ConsumptionTableName": ("partner_id", "line_key"),
    "JobsTableName": ("partner_id", "job_key"),
    "AuditTableName": ("partner_id", "event_key"),
    "IdempotencyTableName": ("partner_id", "record_key"),
    "BudgetsTableName": ("partner_id", "bucket"),
    "MarketplaceTableName": ("partner_id", "item_key"),
    "IncentivesTableName": ("partner_id", "item_key"),
    "LeadsTableName": ("partner_id", "lead_key"),
    "CustomerAssignmentsTableName": ("partner_id", "history_key"),
    "CustomerAlertsTableName": ("partner_id", "alert_id"),
    "AdjustmentsTableName": ("partner_id", "adjustment_key"),
    "ConsumptionRollupsTableName": ("partner_id", "rollup_key"),
    "BillsTableName": ("partner_id", "record_key"),
    "BandwidthTableName": ("partner_id", "record_key"),
    "FinanceTableName": ("partner_id", "record_key"),
    "WebhooksTableName": ("partner_id", "entity"),
}

# AWS's advice for SQS event sources: visibility timeout >= 6 x the function timeout.
VISIBILITY_TO_TIMEOUT_RATIO = 6


# --- helpers -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return infra.load_cfn_yaml(TEMPLATE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def serverless() -> dict[str, Any]:
    return infra.load_cfn_yaml(SERVERLESS_PATH.read_text(encoding="utf-8"))


def _redrive(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["ExportQueue"]["Properties"]["RedrivePolicy"]


def _sqs_events(function: dict[str, Any]) -> list[dict[str, Any]]:
    return [event["sqs"] for event in function.get("events", []) if "sqs" in event]


def _resource_references(node: Any) -> Iterator[str]:
    """Logical IDs named by Ref, Fn::GetAtt and Fn::Sub anywhere under node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else value.split(".", 1)[0]
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                    yield name.split(".", 1)[0]
            yield from _resource_references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _resource_references(item)


# --- the template --------------------------------------------------------------------


def test_template_passes_cfn_lint() -> None:
    matches = lint(TEMPLATE_PATH.read_text(encoding="utf-8"), regions=LINT_REGIONS)
    errors = [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches]
    errors = [e for e in errors if e.startswith("E")]
    assert not errors, "\n".join(errors)


def test_template_is_includable_by_serverless(template: dict[str, Any]) -> None:
    # serverless.yml merges it into its own stack: a Parameter would have no value,
    # and an explicit physical name would collide between stages.
    assert "Parameters" not in template
    assert set(template["Outputs"]) == EXPECTED_OUTPUTS
    explicit_name = re.compile(r"^(TableName|QueueName|BucketName)$")
    for logical_id, resource in template["Resources"].items():
        for prop in resource.get("Properties", {}):
            assert not explicit_name.match(prop), f"{logical_id} names itself ({prop})"


# --- serverless.yml ------------------------------------------------------------------


def test_serverless_includes_the_template(serverless: dict[str, Any]) -> None:
    assert serverless["service"] == "partner-center"
    # The template, then only extensions of resources the framework generates.
    assert serverless["resources"][0] == "${file(infra/resources.yml)}"
    assert all(set(extra) == {"extensions"} for extra in serverless["resources"][1:])
    assert serverless["provider"]["runtime"] == "python3.12"
    assert serverless["provider"]["architecture"] == "arm64"


@pytest.mark.parametrize(
    "function_name",
    [
        "api",
        "exportWorker",
        "exportDeadLetter",
        "incentiveExpiry",
        "dispatchWorker",
        "dispatchDeadLetter",
        "consumptionRollup",
        "billGeneration",
    ],
)
def test_handler_imports_and_is_callable(
    serverless: dict[str, Any], function_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Handler modules may build AWS clients at import time; those need a region.
    monkeypatch.setenv("AWS_DEFAULT_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    handler = serverless["functions"][function_name]["handler"]
    module_path, _, attr = handler.rpartition(".")
    module = importlib.import_module(module_path.replace("/", "."))
    assert callable(getattr(module, attr)), f"{handler} is not callable"


def test_export_worker_timeout_fits_visibility_timeout(
    serverless: dict[str, Any], template: dict[str, Any]
) -> None:
    for function, queue in (
        ("exportWorker", "ExportQueue"),
        ("dispatchWorker", "DispatchQueue"),
        ("webhookWorker", "WebhookQueue"),
    ):
        timeout = serverless["functions"][function]["timeout"]
        visibility = template["Resources"][queue]["Properties"]["VisibilityTimeout"]
        assert timeout * VISIBILITY_TO_TIMEOUT_RATIO <= visibility, function


def test_sqs_events_report_partial_batch_failures(serverless: dict[str, Any]) -> None:
    events = [e for f in serverless["functions"].values() for e in _sqs_events(f)]
    assert len(events) == 6
    for event in events:
        assert event["functionResponseType"] == "ReportBatchItemFailures"
    queues = {e["arn"]["Fn::GetAtt"][0] for e in events}
    assert queues == {
        "ExportQueue",
        "ExportDeadLetterQueue",
        "DispatchQueue",
        "DispatchDeadLetterQueue",
        "WebhookQueue",
        "WebhookDeadLetterQueue",
    }


def test_dispatch_queue_dead_letters_like_the_export_queue(template: dict[str, Any]) -> None:
    redrive = template["Resources"]["DispatchQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["DispatchDeadLetterQueue", "Arn"]}
    assert int(redrive["maxReceiveCount"]) == int(_redrive(template)["maxReceiveCount"])


def test_max_receives_matches_redrive_policy(
    serverless: dict[str, Any], template: dict[str, Any]
) -> None:
    max_receive_count = int(_redrive(template)["maxReceiveCount"])
    environment = serverless["provider"]["environment"]
    assert int(environment["PC_EXPORT_MAX_RECEIVES"]) == max_receive_count
    assert infra.export_max_receives() == max_receive_count
    assert _redrive(template)["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["ExportDeadLetterQueue", "Arn"]
    }


def test_package_includes_only_the_handlers_and_the_product(serverless: dict[str, Any]) -> None:
    # An allow-list: graphql/ (operation documents) at the zip root would merge with
    # graphql-core and break `import graphql`; tests, docs and bench never go.
    # tests/test_packaged_artifact.py checks the zip itself.
    patterns = serverless["package"]["patterns"]
    assert patterns[:3] == ["!**", "functions/**", "partner_center/**"]
    # What is excluded again is only what runs on a developer's machine, or what is in
    # a layer of the functions that use it (the PDF font), or what production never
    # serves (GraphiQL's vendored builds; their manifest is taken back in).
    vendor = "partner_center/api/graphiql/static/vendor/"
    for pattern in patterns[3:]:
        if pattern == f"{vendor}manifest.json":
            continue
        assert pattern.startswith("!"), pattern
        assert pattern.startswith(
            (
                "!partner_center/local/",
                "!partner_center/cli/",
                "!**/",
                "!partner_center/**/demo",
                f"!{vendor}",
                "!partner_center/exports/fonts/",
            )
        ), pattern


def test_serverless_references_name_template_resources(
    serverless: dict[str, Any], template: dict[str, Any]
) -> None:
    resources = set(template["Resources"])
    # Serverless names each layer's resource <Name>LambdaLayer.
    resources |= {f"{name.capitalize()}LambdaLayer" for name in serverless.get("layers", {})}
    sections = {key: serverless[key] for key in ("provider", "functions")}
    referenced = set(_resource_references(sections))
    assert referenced, "expected !Ref / !GetAtt in serverless.yml"
    pseudo = {name for name in referenced if name.startswith("AWS::")}
    assert referenced - pseudo <= resources, referenced - pseudo - resources


def test_iam_is_least_privilege(serverless: dict[str, Any]) -> None:
    for statement in serverless["provider"]["iam"]["role"]["statements"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            assert "*" not in action, action
            # Transactions are authorized by the item actions; this one does not exist.
            assert action != "dynamodb:TransactWriteItems"
        for resource in statement["Resource"]:
            assert resource != "*"


def test_iam_statements_pass_cfn_lint(serverless: dict[str, Any], template: dict[str, Any]) -> None:
    # Serverless puts these statements on the functions' role in the same stack as the
    # template: lint them there, so an action IAM does not know (W3037, e.g. the
    # non-existent dynamodb:TransactWriteItems) or a dangling reference fails here.
    statements = serverless["provider"]["iam"]["role"]["statements"]
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "functions",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }
    stack = {**template, "Resources": {**template["Resources"], "FunctionsRole": role}}
    matches = lint(json.dumps(stack), regions=LINT_REGIONS)
    problems = [f"{m.rule.id}: {m.message}" for m in matches if m.rule.id[0] in "EW"]
    assert not problems, "\n".join(problems)


def test_local_settings_cover_the_cloud_environment(serverless: dict[str, Any]) -> None:
    # Every resource-derived variable the cloud sets, the local runtime sets too.
    environment = serverless["provider"]["environment"]
    from_resources = {name for name, value in environment.items() if isinstance(value, dict)}
    outputs = {key: f"value-of-{key}" for key in EXPECTED_OUTPUTS}
    local = infra.settings_env(outputs, "http://127.0.0.1:1", "us-east-1")
    assert from_resources <= set(local), from_resources - set(local)
    assert local["PC_EXPORT_MAX_RECEIVES"] == str(environment["PC_EXPORT_MAX_RECEIVES"])


# --- deploying into the embedded AWS -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"moto server did not listen on {port} within {timeout}s")


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


REGION = "us-east-1"


@pytest.fixture(scope="module")
def deployed(moto_endpoint: str) -> dict[str, str]:
    return infra.deploy_stack(moto_endpoint, region=REGION)


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_deploy_returns_every_output(deployed: dict[str, str]) -> None:
    assert set(deployed) == EXPECTED_OUTPUTS
    assert all(deployed.values())


def test_deploy_is_idempotent(moto_endpoint: str, deployed: dict[str, str]) -> None:
    assert infra.deploy_stack(moto_endpoint, region=REGION) == deployed


def test_deployed_tables_have_the_contract_keys(
    moto_endpoint: str, deployed: dict[str, str]
) -> None:
    dynamodb = _client("dynamodb", moto_endpoint)
    for output, (hash_key, range_key) in EXPECTED_KEYS.items():
        table = dynamodb.describe_table(TableName=deployed[output])["Table"]
        assert table["KeySchema"] == [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ], output
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    # The customers' indexes: R2's by manager, and the list's name and creation orders
    # (one query per page at any partner's size).
    customers = dynamodb.describe_table(TableName=deployed["CustomersTableName"])["Table"]
    indexes = {index["IndexName"]: index for index in customers["GlobalSecondaryIndexes"]}
    assert {name: index["KeySchema"] for name, index in indexes.items()} == {
        "by_manager": [
            {"AttributeName": "partner_manager", "KeyType": "HASH"},
            {"AttributeName": "customer_id", "KeyType": "RANGE"},
        ],
        "by_name": [
            {"AttributeName": "partner_id", "KeyType": "HASH"},
            {"AttributeName": "name_order", "KeyType": "RANGE"},
        ],
        "by_created": [
            {"AttributeName": "partner_id", "KeyType": "HASH"},
            {"AttributeName": "created_order", "KeyType": "RANGE"},
        ],
    }
    assert {index["Projection"]["ProjectionType"] for index in indexes.values()} == {"ALL"}


def test_deployed_queues_have_the_redrive_policy(
    moto_endpoint: str, deployed: dict[str, str]
) -> None:
    sqs = _client("sqs", moto_endpoint)
    queue = sqs.get_queue_attributes(QueueUrl=deployed["ExportQueueUrl"], AttributeNames=["All"])
    attributes = queue["Attributes"]
    assert attributes["QueueArn"] == deployed["ExportQueueArn"]
    assert attributes["VisibilityTimeout"] == "1800"
    assert attributes["MessageRetentionPeriod"] == str(4 * 24 * 3600)
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == deployed["ExportDeadLetterQueueArn"]
    assert int(redrive["maxReceiveCount"]) == 3

    dead = sqs.get_queue_attributes(
        QueueUrl=deployed["ExportDeadLetterQueueUrl"], AttributeNames=["All"]
    )["Attributes"]
    assert dead["QueueArn"] == deployed["ExportDeadLetterQueueArn"]
    assert dead["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    # The URLs handed to the application point at the embedded AWS, not real AWS.
    assert deployed["ExportQueueUrl"].startswith(moto_endpoint)
    assert deployed["ExportDeadLetterQueueUrl"].startswith(moto_endpoint)


def test_deployed_bucket_exists_encrypted(moto_endpoint: str, deployed: dict[str, str]) -> None:
    s3 = _client("s3", moto_endpoint)
    bucket = deployed["ExportsBucketName"]
    s3.head_bucket(Bucket=bucket)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_settings_env_points_at_the_deployed_stack(
    moto_endpoint: str, deployed: dict[str, str]
) -> None:
    env = infra.settings_env(deployed, moto_endpoint, REGION)
    assert env["PC_JOBS_TABLE"] == deployed["JobsTableName"]
    assert env["PC_EXPORT_QUEUE_URL"] == deployed["ExportQueueUrl"]
    assert env["PC_EXPORT_DEAD_LETTER_QUEUE_URL"] == deployed["ExportDeadLetterQueueUrl"]
    assert env["PC_EXPORTS_BUCKET"] == deployed["ExportsBucketName"]
    assert env["PC_EXPORT_MAX_RECEIVES"] == "3"
    assert env["AWS_ENDPOINT_URL"] == moto_endpoint
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == REGION


def test_lambda_requirements_match_the_project_dependencies() -> None:
    import tomllib

    root = Path(__file__).resolve().parents[1]
    declared = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    listed = [
        line.strip()
        for line in (root / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(listed) == sorted(declared)


def test_every_stack_output_reaches_the_functions_and_every_table_is_granted() -> None:
    """A new table or queue in infra/ must be wired into serverless.yml the same way."""
    root = Path(__file__).resolve().parents[1]
    template = infra.load_cfn_yaml((root / "infra" / "resources.yml").read_text())
    config = infra.load_cfn_yaml((root / "serverless.yml").read_text())
    environment = config["provider"]["environment"]
    granted = json.dumps(config["provider"]["iam"]["role"]["statements"])
    # Polled by their event source mappings.
    local_only = {
        "PC_EXPORT_DEAD_LETTER_QUEUE_URL",
        "PC_DISPATCH_DEAD_LETTER_QUEUE_URL",
        # Read by `partner-center events tail` (and the provider's consumers).
        "PC_EVENTS_TAP_QUEUE_URL",
    }
    for key, output in template["Outputs"].items():
        name = infra.output_env_name(key)
        if name is None or name in local_only:
            continue
        value = output["Value"]
        # The bus's output is its Name attribute; Ref of an event bus is the same name.
        resource = value["Ref"] if "Ref" in value else value["Fn::GetAtt"][0]
        assert environment.get(name) == {"Ref": resource}, f"{name} missing in serverless.yml"
        if template["Resources"][resource]["Type"] == "AWS::DynamoDB::Table":
            assert json.dumps([resource, "Arn"]) in granted or f'"{resource}.Arn"' in granted, (
                f"{resource} is not granted to the functions"
            )
