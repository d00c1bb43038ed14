"""Bringing up the embedded AWS with the product's resources in it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import boto3

from partner_center.config import Settings
from partner_center.local.aws_server import LOCAL_CREDENTIALS, EmbeddedAws
from partner_center.local.functions import queue_functions
from partner_center.local.infra import deploy_stack, settings_env
from partner_center.local.ssm import put_development_secrets
from partner_center.runtime import bootstrap

REGION = "us-east-1"
# The cloud queue waits 30 minutes before retrying a failed export (six times the
# worker's timeout); locally a developer wants to see a retry within seconds.
LOCAL_VISIBILITY_SECONDS = 20


@dataclass
class LocalEnvironment:
    aws: EmbeddedAws
    outputs: dict[str, str]
    env: dict[str, str]
    settings: Settings

    def stop(self) -> None:
        self.aws.stop()


def start_environment(
    aws_port: int = 0,
    *,
    visibility_seconds: int = LOCAL_VISIBILITY_SECONDS,
    lease_seconds: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> LocalEnvironment:
    """`meanwhile` runs while the embedded AWS boots (in its own process, seconds of CPU):
    work of this process's own, such as importing what it runs next."""
    aws = EmbeddedAws(port=aws_port).launch()
    try:
        if meanwhile is not None:
            meanwhile()
        aws.wait_ready()
        os.environ.update(LOCAL_CREDENTIALS)
        outputs = deploy_stack(aws.endpoint_url, REGION)
        env = {
            **LOCAL_CREDENTIALS,
            **settings_env(outputs, aws.endpoint_url, REGION),
            # Secrets by name, read from the embedded SSM as in the cloud.
            **put_development_secrets(aws.endpoint_url, REGION),
            "PC_ENV": os.environ.get("PC_ENV", "development"),
            # A lease shorter than the visibility timeout, so a redelivered message
            # always finds the dead attempt's lease expired.
            "PC_JOB_LEASE_SECONDS": str(lease_seconds or max(visibility_seconds - 5, 1)),
        }
        shorten_visibility(aws.endpoint_url, outputs, visibility_seconds)
        os.environ.update(env)
        settings = bootstrap(reload=True)
    except BaseException:
        aws.stop()
        raise
    return LocalEnvironment(aws=aws, outputs=outputs, env=env, settings=settings)


def shorten_visibility(endpoint_url: str, outputs: dict[str, str], seconds: int) -> None:
    sqs = boto3.client("sqs", endpoint_url=endpoint_url, region_name=REGION)
    for function in queue_functions():
        sqs.set_queue_attributes(
            QueueUrl=function.queue_url(outputs), Attributes={"VisibilityTimeout": str(seconds)}
        )
