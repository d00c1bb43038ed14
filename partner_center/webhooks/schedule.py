"""When the next attempt of a failing delivery is due: the documented schedule, each
delay stretched or shrunk at random by up to ±JITTER so that many deliveries failing
together (a receiver that was down) do not all come back in the same second."""

from __future__ import annotations

import random

from partner_center.webhooks.settings import WebhookSettings

# SQS delays a message by at most this long: longer waits are several hops.
MAX_SQS_DELAY = 900


def next_delay(
    settings: WebhookSettings, failed_attempts: int, rng: random.Random | None = None
) -> float | None:
    """Seconds until the next attempt after `failed_attempts` failures in a row, or None
    when the schedule is exhausted."""
    if failed_attempts >= settings.max_attempts:
        return None
    base = settings.retry_seconds[failed_attempts - 1]
    spread = base * settings.jitter
    return max(0.0, base + (rng or random).uniform(-spread, spread))


def sqs_delay(seconds: float) -> int:
    return max(0, min(MAX_SQS_DELAY, int(seconds + 0.999)))
