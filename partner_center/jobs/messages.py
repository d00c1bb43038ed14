"""The job message on the queue: IDs only, never personal data or filters."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class PoisonMessage(ValueError):
    """A message body that can never be processed; its content is not echoed."""


@dataclass(frozen=True)
class JobMessage:
    partner_id: str
    job_id: str

    def encode(self) -> str:
        return json.dumps({"v": 1, "partner_id": self.partner_id, "job_id": self.job_id})

    @classmethod
    def decode(cls, body: str) -> JobMessage:
        try:
            data = json.loads(body)
        except (TypeError, ValueError) as exc:
            raise PoisonMessage("the job message is not JSON") from exc
        if not isinstance(data, dict) or data.get("v") != 1:
            raise PoisonMessage("the job message has an unknown version")
        partner_id, job_id = data.get("partner_id"), data.get("job_id")
        if not (
            isinstance(partner_id, str)
            and _ID.match(partner_id)
            and isinstance(job_id, str)
            and _ID.match(job_id)
        ):
            raise PoisonMessage("the job message lacks valid IDs")
        return cls(partner_id=partner_id, job_id=job_id)
