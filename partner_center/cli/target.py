"""Where a command that runs a function in this process finds its tables.

`partner-center dev` deploys the stack into its embedded AWS and prints that AWS's URL;
the commands that run a scheduled function by hand take the URL (`--aws`) and read the
stack's outputs there. Without it, the PC_* and AWS_* environment says where the tables
are, as it does for the Lambda functions in the cloud.
"""

from __future__ import annotations

import os

import typer

from partner_center.config import Settings

AWS_HELP = ("The embedded AWS of `partner-center dev` (the URL its banner shows); without "
            "it, the PC_* and AWS_* environment says where the tables are.")


def use_embedded_aws(endpoint: str, param_hint: str = "--aws") -> None:
    """Point this process at the tables of the stack `partner-center dev` deployed."""
    import boto3

    from partner_center.local.aws_server import LOCAL_CREDENTIALS
    from partner_center.local.environment import REGION
    from partner_center.local.infra import STACK_NAME, settings_env

    os.environ.update(LOCAL_CREDENTIALS)
    cloudformation = boto3.client("cloudformation", endpoint_url=endpoint, region_name=REGION)
    try:
        stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    except Exception as exc:
        raise typer.BadParameter(
            f"no Partner Center stack at {endpoint}: start "
            "`partner-center dev` and pass the AWS URL it shows",
            param_hint=param_hint,
        ) from exc
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    os.environ.update(settings_env(outputs, endpoint, REGION))


def bootstrap_for(aws: str | None, param_hint: str = "--aws") -> Settings:
    """Settings and bound tables for `aws` (or the environment), fresh from it."""
    from partner_center.runtime import bootstrap

    if aws:
        use_embedded_aws(aws, param_hint)
    return bootstrap(reload=True)
