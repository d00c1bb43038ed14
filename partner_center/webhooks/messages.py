"""The webhook queue's messages: IDs, an attempt number and a time, never a payload.

- an event to fan out to the partner's subscriptions;
- one attempt of one delivery, not before a given time. SQS delays a message by 15
  minutes at most, so a longer wait is several hops: a message received before its
  time is put back with the time left (at most 900 s), without an attempt.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class PoisonMessage(ValueError):
    """A message body that can never be processed; its content is not echoed."""


@dataclass(frozen=True)
class EventMessage:
    partner_id: str
    event_id: str

    def encode(self) -> str:
        return json.dumps(
            {"v": 1, "type": "event", "partner_id": self.partner_id, "event_id": self.event_id}
        )


@dataclass(frozen=True)
class AttemptMessage:
    partner_id: str
    subscription_id: str
    delivery_id: str
    run: int
    attempt: int  # 1 for the first attempt of a run
    not_before: float  # epoch seconds

    def encode(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "type": "attempt",
                "partner_id": self.partner_id,
                "subscription_id": self.subscription_id,
                "delivery_id": self.delivery_id,
                "run": self.run,
                "attempt": self.attempt,
                "not_before": self.not_before,
            }
        )


Message = EventMessage | AttemptMessage


def decode(body: str) -> Message:
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise PoisonMessage("the webhook message is not JSON") from exc
    if not isinstance(data, dict) or data.get("v") != 1:
        raise PoisonMessage("the webhook message has an unknown version")
    ids = (
        ("partner_id", "event_id")
        if data.get("type") == "event"
        else ("partner_id", "subscription_id", "delivery_id")
    )
    if data.get("type") not in ("event", "attempt") or not all(
        isinstance(data.get(k), str) and _ID.match(data[k]) for k in ids
    ):
        raise PoisonMessage("the webhook message lacks valid IDs")
    if data["type"] == "event":
        return EventMessage(data["partner_id"], data["event_id"])
    numbers = (data.get("run"), data.get("attempt"), data.get("not_before"))
    if not all(isinstance(n, int | float) and not isinstance(n, bool) and n >= 0 for n in numbers):
        raise PoisonMessage("the webhook message lacks its attempt")
    return AttemptMessage(
        data["partner_id"],
        data["subscription_id"],
        data["delivery_id"],
        int(data["run"]),
        int(data["attempt"]),
        float(data["not_before"]),
    )
