"""The walking skeleton end to end: request an export, the worker writes it, download it.

Everything runs against the embedded AWS (moto server over HTTP); the worker handler is
the Lambda handler, driven by the local SQS poller.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from strawberry.relay import GlobalID

from partner_center.config import get_settings
from partner_center.jobs.store import JobStore
from tests.conftest import VISIBILITY_SECONDS, Api, Workers
from tests.helpers import JOB, REQUEST_EXPORT, export_input, leaked, parse_csv


@pytest.fixture
def clean_queues(local_env: Any, sqs: Any) -> None:
    # PurgeQueue is rate-limited to once a minute: delete what is visible instead.
    for key in ("ExportQueueUrl", "ExportDeadLetterQueueUrl"):
        url = local_env.outputs[key]
        while messages := sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages"):
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )


async def request(
    api: Api, login: str, filters: dict[str, Any] | None = None, key: str | None = None
) -> dict[str, Any]:
    body = await api.gql(login, REQUEST_EXPORT, export_input(filters, key))
    assert "errors" not in body, body
    return body["data"]["requestExport"]


async def job(api: Api, login: str, job_id: str) -> dict[str, Any]:
    body = await api.gql(login, JOB, {"id": job_id})
    assert "errors" not in body, body
    return body["data"]["job"]


def raw_id(global_id: str) -> str:
    return GlobalID.from_id(global_id).node_id


def objects_under(s3: Any, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=get_settings().exports_bucket, Prefix=prefix)
    return [o["Key"] for o in listing.get("Contents", [])]


def lines_of(demo: Any, partner_id: str) -> list[Any]:
    return [line for line in demo.lines if line.partner_id == partner_id]


async def test_export_end_to_end_writes_anonymized_csv(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    requested = await request(api, "sp-admin")
    assert requested["created"] is True
    assert requested["job"]["status"] == "QUEUED"
    job_id = requested["job"]["id"]

    assert await workers.drain() == 1
    done = await job(api, "sp-admin", job_id)
    assert done["status"] == "SUCCEEDED", done
    assert done["progress"] == 100
    expected = lines_of(demo, "ptn-sp-001")
    assert done["rowCount"] == len(expected)

    # The presigned link is short-lived: moto accepts any expiry, so check the one asked.
    url = done["downloadUrl"]
    assert int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0]) <= 900
    body = httpx.get(url).content
    assert done["byteSize"] == len(body)
    assert done["sha256"] == hashlib.sha256(body).hexdigest()

    rows = parse_csv(body)
    header, data = rows[0], rows[1:]
    assert len(data) == len(expected)
    assert {r[0] for r in data} == {line.line_id for line in expected}
    # R4: amounts are the details' own, to the cent.
    amount = header.index("金额/Amount")
    assert sum(Decimal(r[amount]) for r in data) == sum(line.amount for line in expected)
    # R22: no raw personal value anywhere in the file.
    assert leaked(body.decode("utf-8-sig"), demo) == []
    name = header.index("客户名称/Customer name")
    assert all("*" in r[name] for r in data)


async def test_export_filters_narrow_the_rows(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    lines = lines_of(demo, "ptn-sp-001")
    customer = lines[0].customer_id
    filters = {
        "customerId": str(GlobalID("Customer", customer)),
        "dateFrom": "2026-08-01",
        "dateTo": "2026-09-30",
        "minAmount": "100.00",
    }
    requested = await request(api, "sp-admin", filters)
    await workers.drain()
    done = await job(api, "sp-admin", requested["job"]["id"])
    expected = [
        line
        for line in lines
        if line.customer_id == customer
        and "2026-08-01" <= line.bill_date <= "2026-09-30"
        and line.amount >= Decimal("100.00")
    ]
    assert done["status"] == "SUCCEEDED"
    assert done["rowCount"] == len(expected)


async def test_manager_export_holds_only_assigned_customers_from_day_after(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    """R2 and R5: a manager's export covers its customers from the day after assignment."""
    from partner_center.core.clock import beijing_date

    requested = await request(api, "sp-manager-1")
    await workers.drain()
    done = await job(api, "sp-manager-1", requested["job"]["id"])
    assigned = {
        c.customer_id: beijing_date(c.assigned_at)
        for c in demo.customers
        if c.manager_id == "usr-sp-manager-1"
    }
    expected = [
        line
        for line in lines_of(demo, "ptn-sp-001")
        if line.customer_id in assigned and line.bill_date > assigned[line.customer_id].isoformat()
    ]
    assert 0 < done["rowCount"] == len(expected)
    rows = parse_csv(httpx.get(done["downloadUrl"]).content)[1:]
    assert {r[3] for r in rows} <= set(assigned)


async def test_same_message_delivered_twice_gives_one_file_and_one_completion(
    api: Api, workers: Workers, sqs: Any, s3: Any, local_env: Any, clean_queues: None
) -> None:
    requested = await request(api, "sp-admin", {"product": "CDN"})
    job_id = raw_id(requested["job"]["id"])
    # A second delivery of the very same message body.
    body = json.dumps({"v": 1, "partner_id": "ptn-sp-001", "job_id": job_id})
    sqs.send_message(QueueUrl=local_env.outputs["ExportQueueUrl"], MessageBody=body)

    # Both in one batch: the two records race for the claim inside one invocation.
    first = await workers.poll(batch_size=10)
    assert first.received == 2 and first.failed == 0
    assert await workers.drain() == 0
    stored = JobStore("ptn-sp-001").get(job_id)
    assert stored is not None and stored.status == "succeeded"
    assert stored.attempts == 1
    assert len(objects_under(s3, f"exports/ptn-sp-001/{job_id}/")) == 1

    # A late third copy, after completion, changes nothing either.
    sqs.send_message(QueueUrl=local_env.outputs["ExportQueueUrl"], MessageBody=body)
    assert (await workers.poll()).failed == 0
    again = JobStore("ptn-sp-001").get(job_id)
    assert again == stored


def _run_worker_process(local_env: Any, faults: str) -> int:
    env = {**os.environ, **local_env.env, "PC_FAULTS": faults}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "partner_center.local.worker",
            "exportWorker",
            local_env.outputs["ExportQueueUrl"],
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()


async def test_worker_killed_mid_upload_leaves_nothing_visible_and_redelivery_finishes(
    api: Api, workers: Workers, s3: Any, local_env: Any, clean_queues: None
) -> None:
    requested = await request(api, "sp-admin", {"billingMode": "on_demand"})
    job_id = raw_id(requested["job"]["id"])
    prefix = f"exports/ptn-sp-001/{job_id}/"

    # A real worker process dies (exit 137, as a killed Lambda) right after a part upload.
    assert _run_worker_process(local_env, "export.part_uploaded=exit") == 137
    assert objects_under(s3, prefix) == []
    uploads = s3.list_multipart_uploads(Bucket=get_settings().exports_bucket, Prefix=prefix)
    assert len(uploads.get("Uploads", [])) == 1  # incomplete, invisible, aborted by lifecycle
    crashed = JobStore("ptn-sp-001").get(job_id)
    assert crashed is not None and crashed.status == "running"

    # The message comes back after the visibility timeout; the dead lease has lapsed.
    time.sleep(VISIBILITY_SECONDS + 0.5)
    await workers.drain()
    done = JobStore("ptn-sp-001").get(job_id)
    assert done is not None and done.status == "succeeded", done
    assert done.attempts == 2
    assert objects_under(s3, prefix) == [done.object_key]


async def _until_dead_lettered(workers: Workers, max_rounds: int = 8) -> None:
    for _ in range(max_rounds):
        await workers.poll()
        if (await workers.poll("exportDeadLetter")).received:
            return
        time.sleep(VISIBILITY_SECONDS + 0.2)
    raise AssertionError("the message never reached the dead-letter queue")


async def test_message_that_always_fails_is_dead_lettered_and_job_reads_failed(
    api: Api, workers: Workers, monkeypatch: pytest.MonkeyPatch, clean_queues: None
) -> None:
    requested = await request(api, "sp-admin", {"product": "RDS"})
    job_id = raw_id(requested["job"]["id"])
    monkeypatch.setenv("PC_FAULTS", "export.start=raise")

    await _until_dead_lettered(workers)
    failed = JobStore("ptn-sp-001").get(job_id)
    assert failed is not None
    assert failed.status == "failed"
    assert failed.error_code == "RETRIES_EXHAUSTED"
    assert failed.last_attempt_error == "INJECTED_FAULT"
    assert failed.attempts == get_settings().export_max_receives
    shown = await job(api, "sp-admin", requested["job"]["id"])
    assert shown["status"] == "FAILED" and shown["downloadUrl"] is None


async def test_message_for_a_missing_job_is_dead_lettered(
    workers: Workers, sqs: Any, local_env: Any, clean_queues: None
) -> None:
    body = json.dumps({"v": 1, "partner_id": "ptn-sp-001", "job_id": "nosuchjob"})
    sqs.send_message(QueueUrl=local_env.outputs["ExportQueueUrl"], MessageBody=body)
    await _until_dead_lettered(workers)
    assert JobStore("ptn-sp-001").get("nosuchjob") is None


async def test_poison_message_is_dead_lettered_and_dropped(
    workers: Workers, sqs: Any, local_env: Any, clean_queues: None
) -> None:
    sqs.send_message(QueueUrl=local_env.outputs["ExportQueueUrl"], MessageBody="{not json")
    await _until_dead_lettered(workers)
    assert await workers.drain("exportDeadLetter") == 0


async def test_poison_message_does_not_hold_back_its_batch(
    api: Api, workers: Workers, sqs: Any, local_env: Any, clean_queues: None
) -> None:
    """Partial batch failure: the good record completes, only the bad one returns."""
    sqs.send_message(QueueUrl=local_env.outputs["ExportQueueUrl"], MessageBody="garbage")
    requested = await request(api, "sp-admin", {"product": "EVS"})
    result = await workers.poll(batch_size=10)
    assert (result.received, result.succeeded, result.failed) == (2, 1, 1)
    done = JobStore("ptn-sp-001").get(raw_id(requested["job"]["id"]))
    assert done is not None and done.status == "succeeded"


async def test_queue_messages_carry_ids_only(
    api: Api, sqs: Any, local_env: Any, demo: Any, clean_queues: None
) -> None:
    await request(api, "sp-admin", {"product": "ECS", "minAmount": "1"})
    received = sqs.receive_message(
        QueueUrl=local_env.outputs["ExportQueueUrl"], MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    bodies = [json.loads(m["Body"]) for m in received["Messages"]]
    assert bodies and all(set(b) == {"v", "partner_id", "job_id"} for b in bodies)
    assert leaked(json.dumps(bodies, ensure_ascii=False), demo) == []


async def test_no_personal_data_in_log_lines(
    api: Api,
    workers: Workers,
    demo: Any,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clean_queues: None,
) -> None:
    capfd.readouterr()
    await request(api, "sp-admin")
    monkeypatch.setenv("PC_FAULTS", "export.before_complete=raise")
    await workers.poll()  # a failed attempt logs too
    monkeypatch.delenv("PC_FAULTS")
    time.sleep(VISIBILITY_SECONDS + 0.2)
    await workers.drain()
    out, err = capfd.readouterr()
    assert "export completed" in err
    assert leaked(out + err, demo) == []


async def test_xlsx_export_streams_a_workbook_with_the_same_masked_rows(
    api: Api, workers: Workers, demo: Any, clean_queues: None
) -> None:
    import io

    from openpyxl import load_workbook

    body = await api.gql(
        "sp-admin",
        REQUEST_EXPORT,
        {
            "input": {
                "kind": "CONSUMPTION_DETAILS",
                "format": "XLSX",
                "consumptionDetails": {"dateFrom": "2026-10-01", "dateTo": "2026-10-31"},
            }
        },
    )
    job_id = body["data"]["requestExport"]["job"]["id"]
    await workers.drain()
    done = await job(api, "sp-admin", job_id)
    assert done["status"] == "SUCCEEDED" and done["fileName"].endswith(".xlsx")
    content = httpx.get(done["downloadUrl"]).content
    assert hashlib.sha256(content).hexdigest() == done["sha256"]
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    expected = [
        line
        for line in lines_of(demo, "ptn-sp-001")
        if "2026-10-01" <= line.bill_date <= "2026-10-31"
    ]
    assert rows[0][0] == "明细ID/Line ID"
    assert len(rows) - 1 == len(expected) == done["rowCount"]
    text = "\n".join(",".join(str(c) for c in r) for r in rows)
    assert leaked(text, demo) == []


async def test_multipart_parts_are_whole_and_the_object_is_the_bytes_written(
    local_env: Any, s3: Any
) -> None:
    # The writer hands its buffer to S3 as the part (no copy): every part but the last
    # still reaches S3's 5 MiB floor, and the object is exactly what was written.
    from partner_center.exports.multipart import MIN_PART_BYTES, MultipartWriter
    from partner_center.storage import aws

    bucket, key = get_settings().exports_bucket, "tests/multipart-parts.bin"
    writes = [bytes([n]) * (1024 * 1024 + n) for n in range(12)]  # 12 MiB, odd sizes
    parts: list[int] = []
    async with aws.client("s3") as client:
        client.meta.events.register(
            "before-parameter-build.s3.UploadPart",
            lambda params, **_: parts.append(len(params["Body"])),
        )
        writer = MultipartWriter(
            client,
            bucket,
            key,
            part_bytes=MIN_PART_BYTES,
            content_type="application/octet-stream",
            content_disposition="attachment",
        )
        await writer.start()
        for data in writes:
            await writer.write(data)
        digest = await writer.complete()
    body = b"".join(writes)
    assert parts == [
        sum(map(len, writes[:5])),
        sum(map(len, writes[5:10])),
        sum(map(len, writes[10:])),
    ]
    assert min(parts[:-1]) >= MIN_PART_BYTES
    whole = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert whole == body and writer.byte_size == len(body)
    assert digest == hashlib.sha256(body).hexdigest()
    s3.delete_object(Bucket=bucket, Key=key)
