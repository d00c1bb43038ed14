"""The queue-triggered functions, read from serverless.yml so local and cloud agree.

Each function with an `sqs` event becomes a local worker: same handler string, same
batch size, same timeout, polling the queue the event names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partner_center.local.infra import load_cfn_yaml

SERVERLESS_PATH = Path(__file__).resolve().parents[2] / "serverless.yml"


@dataclass(frozen=True)
class QueueFunction:
    name: str
    handler: str  # "functions/export_worker.handler"
    queue_logical_id: str  # "ExportQueue"
    batch_size: int
    timeout_seconds: int

    def load_handler(self) -> Any:
        module_path, _, attribute = self.handler.rpartition(".")
        module = importlib.import_module(module_path.replace("/", "."))
        return getattr(module, attribute)

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
            found.append(QueueFunction(
                name=name, handler=spec["handler"],
                queue_logical_id=_queue_logical_id(sqs["arn"]),
                batch_size=int(sqs.get("batchSize", 10)),
                timeout_seconds=int(spec.get("timeout", 6)),
            ))
    return found
