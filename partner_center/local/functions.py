"""The queue-triggered and scheduled functions, read from serverless.yml so local and
cloud agree.

Each function with an `sqs` event becomes a local worker: same handler string, same
batch size, same timeout, polling the queue the event names. Each function with
`schedule` events is run by the local scheduler on the same expressions.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partner_center.local.infra import load_cfn_yaml

SERVERLESS_PATH = Path(__file__).resolve().parents[2] / "serverless.yml"


def _load(handler: str) -> Any:
    module_path, _, attribute = handler.rpartition(".")
    module = importlib.import_module(module_path.replace("/", "."))
    return getattr(module, attribute)


@dataclass(frozen=True)
class QueueFunction:
    name: str
    handler: str  # "functions/export_worker.handler"
    queue_logical_id: str  # "ExportQueue"
    batch_size: int
    timeout_seconds: int

    def load_handler(self) -> Any:
        return _load(self.handler)

    def queue_url(self, outputs: dict[str, str]) -> str:
        return outputs[f"{self.queue_logical_id}Url"]


def _queue_logical_id(arn: Any) -> str:
    # `!GetAtt ExportQueue.Arn` loads as {"Fn::GetAtt": "ExportQueue.Arn"} (or a list).
    target = arn["Fn::GetAtt"]
    if isinstance(target, str):
        target = target.split(".")
    return str(target[0])


def queue_functions(path: Path = SERVERLESS_PATH) -> list[QueueFunction]:
    config = load_cfn_yaml(path.read_text(encoding="utf-8"))
    found = []
    for name, spec in config["functions"].items():
        for event in spec.get("events", []):
            sqs = event.get("sqs") if isinstance(event, dict) else None
            if not sqs:
                continue
            found.append(
                QueueFunction(
                    name=name,
                    handler=spec["handler"],
                    queue_logical_id=_queue_logical_id(sqs["arn"]),
                    batch_size=int(sqs.get("batchSize", 10)),
                    timeout_seconds=int(spec.get("timeout", 6)),
                )
            )
    return found


@dataclass(frozen=True)
class ScheduledFunction:
    name: str
    handler: str  # "functions/bill_generation.handler"
    expressions: tuple[str, ...]  # the enabled `rate` of each schedule event
    timeout_seconds: int

    def load_handler(self) -> Any:
        return _load(self.handler)


def _expressions(schedule: Any) -> list[str]:
    """A `schedule` event is an expression, or a mapping whose `rate` is one expression
    or a list of them; `enabled: false` switches it off."""
    if isinstance(schedule, str):
        return [schedule]
    if not schedule.get("enabled", True):
        return []
    rate = schedule["rate"]
    return [str(r) for r in rate] if isinstance(rate, list) else [str(rate)]


def scheduled_functions(path: Path = SERVERLESS_PATH) -> list[ScheduledFunction]:
    config = load_cfn_yaml(path.read_text(encoding="utf-8"))
    found = []
    for name, spec in config["functions"].items():
        expressions = [
            expression
            for event in spec.get("events", [])
            if isinstance(event, dict) and "schedule" in event
            for expression in _expressions(event["schedule"])
        ]
        if expressions:
            found.append(
                ScheduledFunction(
                    name=name,
                    handler=spec["handler"],
                    expressions=tuple(expressions),
                    timeout_seconds=int(spec.get("timeout", 6)),
                )
            )
    return found
