"""Deploy infra/resources.yml into the embedded AWS (moto server over HTTP).

The cloud gets the same template through serverless.yml (`resources:`), so local and
cloud run on one definition of the tables, queues and bucket: nothing here names or
configures a resource, it only deploys the template and reads back what it produced.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import boto3
import yaml

STACK_NAME = "partner-center-local"

# parents[2] is the repo root: partner_center/local/infra.py -> partner_center -> root.
TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "infra" / "resources.yml"

# Dummy credentials for moto when none are configured: moto accepts anything, and
# without them botocore refuses to sign the request at all.
_DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


# Stack outputs -> the settings the application reads (the same names serverless.yml
# sets in provider.environment, so one code path reads both).
def output_env_name(output_key: str) -> str | None:
    """The environment variable an output feeds, by naming convention, or None.

    "JobsTableName" -> PC_JOBS_TABLE, "ExportQueueUrl" -> PC_EXPORT_QUEUE_URL,
    "ExportsBucketName" -> PC_EXPORTS_BUCKET, "PartnerEventsBusName" ->
    PC_PARTNER_EVENTS_BUS: a new table, queue or bucket in the
    template reaches the application without code changes here.
    """
    for suffix, env_suffix in (
        ("TableName", "_TABLE"),
        ("QueueUrl", "_QUEUE_URL"),
        ("BucketName", "_BUCKET"),
        ("BusName", "_BUS"),
    ):
        if output_key.endswith(suffix):
            stem = output_key[: -len(suffix)]
            return "PC_" + re.sub(r"(?<!^)(?=[A-Z])", "_", stem).upper() + env_suffix
    return None


class _CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short tags (!Ref, !GetAtt, !Sub, ...)."""


def _construct_cfn_tag(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    # Turn `!Tag value` into its long form so callers see one shape for both
    # spellings: !Ref X -> {"Ref": "X"}, !GetAtt A.B -> {"Fn::GetAtt": ["A", "B"]}.
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)  # a YAML node is one of the three
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _construct_cfn_tag)


def load_cfn_yaml(text: str) -> Any:
    """Parse CloudFormation-flavoured YAML (short tags become long-form intrinsics)."""
    return yaml.load(text, Loader=_CloudFormationLoader)


def load_template() -> str:
    """Return the text of infra/resources.yml.

    The project is installed editable (`pip install -e`), so the repo's infra/ folder
    is always next to the package; a non-editable install has no template to deploy.
    """
    if not TEMPLATE_PATH.is_file():
        raise FileNotFoundError(
            f"CloudFormation template not found at {TEMPLATE_PATH}. The local runtime "
            "deploys the repo's infra/resources.yml: install the project editable "
            "(pip install -e '.[local]') from a checkout."
        )
    return TEMPLATE_PATH.read_text(encoding="utf-8")


def _client(service: Literal["sqs", "cloudformation"], endpoint_url: str, region: str) -> Any:
    session = boto3.Session(region_name=region)
    credentials: dict[str, Any] = {} if session.get_credentials() else _DUMMY_CREDENTIALS
    return session.client(service, endpoint_url=endpoint_url, **credentials)


def _stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _stack_exists(cloudformation: Any, stack_name: str) -> bool:
    try:
        cloudformation.describe_stacks(StackName=stack_name)
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return False
        raise
    return True


def _local_queue_urls(outputs: dict[str, str], endpoint_url: str, region: str) -> dict[str, str]:
    # moto's CloudFormation has no request host, so !Ref on a queue yields
    # https://sqs.<region>.amazonaws.com/...; the same queue asked for through the
    # server is http://127.0.0.1:<port>/... . Clients configured with endpoint_url
    # accept either, but a URL naming real AWS is a trap for anything that follows it
    # as is (logs, the CLI without --endpoint-url), so hand out the server's own URL.
    sqs = _client("sqs", endpoint_url, region)
    fixed = dict(outputs)
    for key in [k for k in fixed if k.endswith("QueueUrl")]:
        name = fixed[key].rstrip("/").rsplit("/", 1)[-1]
        fixed[key] = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return fixed


def deploy_stack(
    endpoint_url: str, region: str = "us-east-1", stack_name: str = STACK_NAME
) -> dict[str, str]:
    """Create the stack from infra/resources.yml and return its Outputs.

    moto applies everything the local runtime depends on (key schemas, the by_manager
    index, queue visibility timeout, retention and redrive policy, bucket encryption).
    It skips what only matters in the cloud, and we deliberately leave it so:
    DynamoDB SSE, point-in-time recovery and TTL (moto never expires items, so code
    checks expires_at itself); the bucket's public access block, ownership controls
    and lifecycle rules; and AWS::S3::BucketPolicy ("No Moto CloudFormation support"),
    whose TLS-only rule would deny every request to a plain-HTTP moto if enforced.

    Idempotent per server: the embedded AWS lives as long as its process, so a
    runtime restarted against the same server reuses the stack it finds.
    """
    cloudformation = _client("cloudformation", endpoint_url, region)
    if not _stack_exists(cloudformation, stack_name):
        cloudformation.create_stack(StackName=stack_name, TemplateBody=load_template())
        cloudformation.get_waiter("stack_create_complete").wait(
            StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
        )
    outputs = _stack_outputs(cloudformation, stack_name)
    return _local_queue_urls(outputs, endpoint_url, region)


def export_max_receives(template_text: str | None = None) -> int:
    """ExportQueue's maxReceiveCount, read from the template so it cannot drift."""
    template = load_cfn_yaml(template_text if template_text is not None else load_template())
    redrive = template["Resources"]["ExportQueue"]["Properties"]["RedrivePolicy"]
    if isinstance(redrive, str):  # CloudFormation also accepts the policy as JSON text
        redrive = json.loads(redrive)
    return int(redrive["maxReceiveCount"])


def settings_env(outputs: dict[str, str], endpoint_url: str, region: str) -> dict[str, str]:
    """Environment for the application processes, from the stack outputs.

    The names match serverless.yml's provider.environment, plus what only the local
    runtime needs: the dead-letter queue URL (its worker loop polls it itself, since
    moto has no event source mappings) and the endpoint every AWS client must use.
    """
    env = {
        name: value for key, value in outputs.items() if (name := output_env_name(key)) is not None
    }
    env["PC_EXPORT_MAX_RECEIVES"] = str(export_max_receives())
    env["AWS_ENDPOINT_URL"] = endpoint_url
    env["AWS_REGION"] = region
    env["AWS_DEFAULT_REGION"] = region
    return env
