"""Where a command that runs a function in this process finds its tables.

`partner-center dev` deploys the stack into its embedded AWS and records that AWS's URL
in its state file (`partner_center.local.dev_state`). The commands that run a function
by hand use, in this order: `--aws URL` (reading the stack's outputs there); the PC_*
and AWS_* environment when it names tables, as it does for the Lambda functions in the
cloud; the running dev's state file. With none of them they say how to start one.
"""

from __future__ import annotations

import os

from partner_center.config import Settings

AWS_HELP = (
    "The embedded AWS of `partner-center dev` (the URL its banner shows); default: "
    "the PC_* tables of the environment, else the running `partner-center dev`."
)


def use_embedded_aws(endpoint: str, option: str = "--aws") -> None:
    """Point this process at the tables of the stack `partner-center dev` deployed."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError, EndpointConnectionError

    from partner_center.cli.errors import CliError
    from partner_center.local.aws_server import LOCAL_CREDENTIALS
    from partner_center.local.environment import REGION
    from partner_center.local.infra import STACK_NAME, settings_env

    os.environ.update(LOCAL_CREDENTIALS)
    # The embedded AWS answers at once or not at all: no minute of retries to find out.
    quick = Config(connect_timeout=3, read_timeout=15, retries={"max_attempts": 1})
    try:
        cloudformation = boto3.client(
            "cloudformation", endpoint_url=endpoint, region_name=REGION, config=quick
        )
        stack = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
    except EndpointConnectionError as exc:
        raise CliError(
            f"nothing answers at {endpoint} ({option})",
            "start `partner-center dev` and pass the AWS URL its banner shows, "
            f"or leave {option} out to use the dev running here",
        ) from exc
    except ValueError as exc:  # botocore's "Invalid endpoint"
        raise CliError(
            f"{endpoint} is not a URL ({option})",
            "pass the AWS URL the banner of `partner-center dev` shows, e.g. http://127.0.0.1:5000",
        ) from exc
    except ClientError as exc:
        raise CliError(
            f"no Partner Center stack at {endpoint} ({option})",
            "pass the AWS URL the banner of `partner-center dev` shows",
        ) from exc
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    os.environ.update(settings_env(outputs, endpoint, REGION))


def bootstrap_for(aws: str | None, option: str = "--aws") -> Settings:
    """Settings and bound tables for `aws` (or the environment), fresh from it."""
    from partner_center.runtime import bootstrap

    if aws:
        use_embedded_aws(aws, option)
    elif not _tables_configured():
        use_running_dev()
    return bootstrap(reload=True)


def _tables_configured() -> bool:
    return any(
        name.startswith("PC_") and name.endswith("_TABLE") and value
        for name, value in os.environ.items()
    )


def use_running_dev() -> None:
    """Point this process at the stack of the `partner-center dev` running here."""
    from partner_center.cli.errors import START_HINT, NoEnvironment
    from partner_center.local import dev_state
    from partner_center.local.aws_server import LOCAL_CREDENTIALS

    found = dev_state.lookup()
    if found.state is None:
        stale = (
            f" (removed {found.path}: its dev, stopped, had not removed it)" if found.stale else ""
        )
        raise NoEnvironment(f"no local environment is running{stale}", START_HINT)
    os.environ.update({**LOCAL_CREDENTIALS, **found.state.env})
