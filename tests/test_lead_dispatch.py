"""Lead dispatch and recall as dispatch jobs, against the embedded AWS (R6, R7, R22).

The worker is the Lambda handler of `dispatchWorker`, driven by the local SQS poller.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import pytest

from partner_center.config import get_settings
from partner_center.jobs.store import JobStore
from partner_center.leads import runner
from tests.conftest import VISIBILITY_SECONDS, Api, Workers
from tests.leads_helpers import (
    STAFF_1,
    STAFF_2,
    dispatch,
    gid,
    history_of,
    job,
    lead_now,
    make_leads,
    personal,
    raw,
    recall,
    report_rows,
)

PARTNER = "ptn-sp-001"
QUEUES = ("DispatchQueueUrl", "DispatchDeadLetterQueueUrl")


@pytest.fixture
def clean_dispatch_queues(local_env: Any, sqs: Any) -> None:
    for key in QUEUES:
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


def objects_under(s3: Any, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=get_settings().exports_bucket, Prefix=prefix)
    return [o["Key"] for o in listing.get("Contents", [])]


class StepClock:
    """The worker's clock, read as a job whose every step takes `step` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def monotonic(self) -> float:
        self.now += self.step
        return self.now


async def test_dispatch_progress_moves_through_intermediate_values(
    api: Api, workers: Workers, clean_dispatch_queues: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200 leads settle in 8 chunks of 25 (chunk_size), one chunk at a time here; each
    # reading of the worker's clock is 0.3 s after the one before, two readings per
    # chunk: a job of about 5 s to the worker, which reports every 0.5 s.
    assert runner.chunk_size(200) == 25
    monkeypatch.setattr(runner, "CONCURRENCY", 1)
    monkeypatch.setattr(runner, "time", StepClock(0.3))
    published: list[tuple[int, int]] = []
    report_progress = JobStore.report_progress

    def recorded(
        self: JobStore, job_id: str, token: str, progress: int, rows: int, *args: Any, **kwargs: Any
    ) -> bool:
        published.append((progress, rows))
        return report_progress(self, job_id, token, progress, rows, *args, **kwargs)

    monkeypatch.setattr(JobStore, "report_progress", recorded)
    ids = [lead.lead_id for lead in make_leads(200)]
    requested = await dispatch(api, "sp-operator", ids)
    assert await workers.drain("dispatchWorker") == 1
    done = await job(api, "sp-operator", requested["job"]["id"])
    assert (done["status"], done["progress"], done["succeededCount"]) == ("SUCCEEDED", 100, 200)
    # What the job record (and so the CLI's bar) showed on the way: every other chunk.
    # 99 until the report is written: 100 means the report can be downloaded.
    assert published == [(25, 50), (50, 100), (75, 150), (99, 200)]


async def test_r7_batch_dispatch_runs_as_a_job_with_a_masked_per_lead_report(
    api: Api,
    workers: Workers,
    sqs: Any,
    local_env: Any,
    clean_dispatch_queues: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    leads = make_leads(30)
    ids = [lead.lead_id for lead in leads]
    requested = await dispatch(api, "sp-operator", ids)
    assert requested["errors"] == []
    assert requested["job"]["status"] == "QUEUED"
    assert requested["job"]["kind"] == "LEAD_DISPATCH"
    assert requested["job"]["parameters"] == {
        "action": "dispatch",
        "staff_id": STAFF_1,
        "lead_count": 30,
    }
    # The message carries IDs only: no lead ID list, no personal data.
    message = sqs.receive_message(
        QueueUrl=local_env.outputs["DispatchQueueUrl"], VisibilityTimeout=0
    )["Messages"][0]
    assert set(json.loads(message["Body"])) == {"v", "partner_id", "job_id"}

    assert await workers.drain("dispatchWorker") == 1
    done = await job(api, "sp-operator", requested["job"]["id"])
    assert done["status"] == "SUCCEEDED", done
    assert (done["succeededCount"], done["failedCount"], done["rowCount"]) == (30, 0, 30)
    assert done["progress"] == 100

    rows = report_rows(done["downloadUrl"])
    # The order given, under the global IDs the request named (joinable to the input).
    assert [r["Lead ID"] for r in rows] == [gid("Lead", i) for i in ids]
    assert {r["Result"] for r in rows} == {"SUCCEEDED"}
    assert {r["Staff ID"] for r in rows} == {gid("User", STAFF_1)}
    assert {(r["Status before"], r["Status after"]) for r in rows} == {
        ("undispatched", "dispatched")
    }
    # R22: names, contact names and phones are masked; no raw value anywhere.
    text = json.dumps(rows, ensure_ascii=False)
    assert [v for v in personal(leads) if v in text] == []
    assert all("*" in r["Lead name"] and "*" in r["Phone"] for r in rows)

    for lead_id in ids:
        now = lead_now(PARTNER, lead_id)
        assert (now.status, now.assignee_id) == ("dispatched", STAFF_1)
        (entry,) = history_of(PARTNER, lead_id)
        assert (entry.action, entry.actor_id, entry.staff_id, entry.job_id) == (
            "dispatch",
            "usr-sp-operator",
            STAFF_1,
            raw(done["id"]),
        )
    # Nor in the logs.
    logged = capsys.readouterr().err
    assert [v for v in personal(leads) if v in logged] == []


async def test_r7_a_single_lead_is_a_dispatch_job_too(
    api: Api, workers: Workers, clean_dispatch_queues: None
) -> None:
    (lead,) = make_leads(1)
    requested = await dispatch(api, "sp-admin", [lead.lead_id], STAFF_2)
    await workers.drain("dispatchWorker")
    done = await job(api, "sp-admin", requested["job"]["id"])
    assert (done["status"], done["succeededCount"], done["failedCount"]) == ("SUCCEEDED", 1, 0)
    assert lead_now(PARTNER, lead.lead_id).assignee_id == STAFF_2


async def test_r7_each_lead_fails_on_its_own_with_a_reason(
    api: Api, workers: Workers, clean_dispatch_queues: None
) -> None:
    fresh, recalled = make_leads(1), make_leads(1, status="recalled")
    to_other = make_leads(1, status="dispatched", assignee=STAFF_2)
    to_same = make_leads(1, status="dispatched", assignee=STAFF_1)
    converted, closed = make_leads(1, status="converted"), make_leads(1, status="closed")
    foreign = make_leads(1, partner_id="ptn-sp-002")
    missing = "0190000000000000000000000000"
    batch = [
        fresh[0].lead_id,
        recalled[0].lead_id,
        to_other[0].lead_id,
        to_same[0].lead_id,
        converted[0].lead_id,
        closed[0].lead_id,
        foreign[0].lead_id,
        missing,
    ]
    requested = await dispatch(api, "sp-admin", batch)
    await workers.drain("dispatchWorker")
    done = await job(api, "sp-admin", requested["job"]["id"])
    assert (done["succeededCount"], done["failedCount"]) == (2, 6)
    reasons = {
        raw(r["Lead ID"]): (r["Result"], r["Reason"]) for r in report_rows(done["downloadUrl"])
    }
    assert reasons == {
        fresh[0].lead_id: ("SUCCEEDED", ""),
        recalled[0].lead_id: ("SUCCEEDED", ""),
        to_other[0].lead_id: ("FAILED", "ALREADY_DISPATCHED"),
        to_same[0].lead_id: ("FAILED", "ALREADY_DISPATCHED_TO_STAFF"),
        converted[0].lead_id: ("FAILED", "NOT_DISPATCHABLE"),
        closed[0].lead_id: ("FAILED", "NOT_DISPATCHABLE"),
        # Another partner's lead does not exist for this one (tenancy is structural).
        foreign[0].lead_id: ("FAILED", "LEAD_NOT_FOUND"),
        missing: ("FAILED", "LEAD_NOT_FOUND"),
    }
    assert lead_now(PARTNER, to_other[0].lead_id).assignee_id == STAFF_2
    assert lead_now("ptn-sp-002", foreign[0].lead_id).status == "undispatched"


async def test_r7_recall_of_a_recalled_lead_fails_for_that_lead_only(
    api: Api, workers: Workers, clean_dispatch_queues: None
) -> None:
    dispatched = make_leads(5, status="dispatched", assignee=STAFF_1)
    recalled = make_leads(1, status="recalled")
    never = make_leads(1)
    ids = [lead.lead_id for lead in dispatched + recalled + never]
    requested = await recall(api, "sp-operator", ids)
    await workers.drain("dispatchWorker")
    done = await job(api, "sp-operator", requested["job"]["id"])
    assert done["kind"] == "LEAD_RECALL"
    assert (done["succeededCount"], done["failedCount"]) == (5, 2)
    rows = {raw(r["Lead ID"]): r for r in report_rows(done["downloadUrl"])}
    assert rows[recalled[0].lead_id]["Reason"] == "ALREADY_RECALLED"
    assert rows[never[0].lead_id]["Reason"] == "NOT_DISPATCHED"
    for lead in dispatched:
        now = lead_now(PARTNER, lead.lead_id)
        assert (now.status, now.assignee_id) == ("recalled", None)
        (entry,) = history_of(PARTNER, lead.lead_id)
        assert (entry.action, entry.staff_id, entry.from_status) == (
            "recall",
            STAFF_1,
            "dispatched",
        )
    assert history_of(PARTNER, recalled[0].lead_id) == []


async def test_a_dispatch_message_delivered_twice_dispatches_each_lead_once_and_one_report(
    api: Api, workers: Workers, sqs: Any, s3: Any, local_env: Any, clean_dispatch_queues: None
) -> None:
    leads = make_leads(40)
    requested = await dispatch(api, "sp-admin", [lead.lead_id for lead in leads])
    job_id = raw(requested["job"]["id"])
    body = json.dumps({"v": 1, "partner_id": PARTNER, "job_id": job_id})
    sqs.send_message(QueueUrl=local_env.outputs["DispatchQueueUrl"], MessageBody=body)

    # Both copies in one invocation: they race for the claim.
    first = await workers.poll("dispatchWorker", batch_size=10)
    assert first.received == 2 and first.failed == 0
    stored = JobStore(PARTNER).get(job_id)
    assert stored is not None and stored.status == "succeeded" and stored.attempts == 1
    assert len(objects_under(s3, f"exports/{PARTNER}/{job_id}/")) == 1
    for lead in leads:
        assert len(history_of(PARTNER, lead.lead_id)) == 1

    # A late copy after completion changes nothing.
    sqs.send_message(QueueUrl=local_env.outputs["DispatchQueueUrl"], MessageBody=body)
    assert (await workers.poll("dispatchWorker")).failed == 0
    assert JobStore(PARTNER).get(job_id) == stored
    assert len(objects_under(s3, f"exports/{PARTNER}/{job_id}/")) == 1


async def test_two_jobs_racing_for_the_same_200_leads_each_lead_goes_to_exactly_one(
    api: Api, workers: Workers, clean_dispatch_queues: None
) -> None:
    leads = make_leads(200)
    ids = [lead.lead_id for lead in leads]
    first = await dispatch(api, "sp-admin", ids, STAFF_1)
    second = await dispatch(api, "sp-operator", ids, STAFF_2)

    # Both messages in one receive, so SQS cannot hand the same one to two pollers; the
    # batch processor runs the two records concurrently, each job in its own threads.
    result = await workers.poll("dispatchWorker", batch_size=10)
    assert (result.received, result.failed) == (2, 0)
    jobs = [await job(api, "sp-admin", j["job"]["id"]) for j in (first, second)]
    assert [j["status"] for j in jobs] == ["SUCCEEDED", "SUCCEEDED"]
    assert sum(j["succeededCount"] for j in jobs) == 200
    assert sum(j["failedCount"] for j in jobs) == 200

    reports = [{raw(r["Lead ID"]): r for r in report_rows(j["downloadUrl"])} for j in jobs]
    for lead_id in ids:
        a, b = reports[0][lead_id], reports[1][lead_id]
        assert sorted([a["Result"], b["Result"]]) == ["FAILED", "SUCCEEDED"], (a, b)
        winner = STAFF_1 if a["Result"] == "SUCCEEDED" else STAFF_2
        loser = b if a["Result"] == "SUCCEEDED" else a
        assert loser["Reason"] == "ALREADY_DISPATCHED"
        now = lead_now(PARTNER, lead_id)
        assert (now.status, now.assignee_id) == ("dispatched", winner)
        (entry,) = history_of(PARTNER, lead_id)
        assert entry.staff_id == winner


def _run_worker_process(local_env: Any, faults: str) -> int:
    env = {**os.environ, **local_env.env, "PC_FAULTS": faults}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "partner_center.local.worker",
            "dispatchWorker",
            local_env.outputs["DispatchQueueUrl"],
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()


async def test_worker_killed_mid_batch_is_redelivered_and_finishes_without_double_history(
    api: Api, workers: Workers, s3: Any, local_env: Any, clean_dispatch_queues: None
) -> None:
    leads = make_leads(120)
    requested = await dispatch(api, "sp-admin", [lead.lead_id for lead in leads])
    job_id = raw(requested["job"]["id"])

    # A real worker process dies (exit 137, a killed Lambda) once half the batch is done.
    assert _run_worker_process(local_env, "dispatch.half_done=exit") == 137
    crashed = JobStore(PARTNER).get(job_id)
    assert crashed is not None and crashed.status == "running"
    done_before = [lead for lead in leads if lead_now(PARTNER, lead.lead_id).status == "dispatched"]
    assert 60 <= len(done_before) < 120
    assert objects_under(s3, f"exports/{PARTNER}/{job_id}/") == []

    time.sleep(VISIBILITY_SECONDS + 0.5)
    await workers.drain("dispatchWorker")
    done = JobStore(PARTNER).get(job_id)
    assert done is not None and done.status == "succeeded", done
    assert done.attempts == 2
    assert (done.succeeded_count, done.failed_count) == (120, 0)
    for lead in leads:
        assert lead_now(PARTNER, lead.lead_id).status == "dispatched"
        assert len(history_of(PARTNER, lead.lead_id)) == 1
    shown = await job(api, "sp-admin", requested["job"]["id"])
    assert {r["Result"] for r in report_rows(shown["downloadUrl"])} == {"SUCCEEDED"}


async def _until_dead_lettered(workers: Workers, max_rounds: int = 8) -> None:
    for _ in range(max_rounds):
        await workers.poll("dispatchWorker")
        if (await workers.poll("dispatchDeadLetter")).received:
            return
        time.sleep(VISIBILITY_SECONDS + 0.2)
    raise AssertionError("the message never reached the dead-letter queue")


async def test_a_dispatch_job_that_always_fails_is_dead_lettered_and_reads_failed(
    api: Api, workers: Workers, monkeypatch: pytest.MonkeyPatch, clean_dispatch_queues: None
) -> None:
    leads = make_leads(3)
    requested = await dispatch(api, "sp-admin", [lead.lead_id for lead in leads])
    monkeypatch.setenv("PC_FAULTS", "dispatch.start=raise")
    await _until_dead_lettered(workers)
    shown = await job(api, "sp-admin", requested["job"]["id"])
    assert (shown["status"], shown["errorCode"], shown["lastAttemptError"]) == (
        "FAILED",
        "RETRIES_EXHAUSTED",
        "INJECTED_FAULT",
    )
    assert all(lead_now(PARTNER, lead.lead_id).status == "undispatched" for lead in leads)


async def test_poison_dispatch_message_is_dead_lettered_without_holding_back_others(
    api: Api, workers: Workers, sqs: Any, local_env: Any, clean_dispatch_queues: None
) -> None:
    sqs.send_message(QueueUrl=local_env.outputs["DispatchQueueUrl"], MessageBody="{nope")
    leads = make_leads(2)
    requested = await dispatch(api, "sp-admin", [lead.lead_id for lead in leads])
    await workers.drain("dispatchWorker")
    assert (await job(api, "sp-admin", requested["job"]["id"]))["status"] == "SUCCEEDED"
    await _until_dead_lettered(workers)
    assert await workers.drain("dispatchDeadLetter") == 0


@pytest.mark.parametrize(
    "login", ["sp-staff-1", "sp-manager-1", "sp-operator-noperm", "md-admin", "md-operator"]
)
async def test_r1_r6_forbidden_callers_get_a_permission_error_and_change_nothing(
    api: Api, login: str, sqs: Any, local_env: Any, clean_dispatch_queues: None
) -> None:
    (lead,) = make_leads(1)
    (held,) = make_leads(1, status="dispatched", assignee=STAFF_1)
    calls = [
        (
            "dispatchLeads",
            {"leadIds": [gid("Lead", lead.lead_id)], "staffId": gid("User", STAFF_1)},
            "DispatchLeadsInput",
        ),
        ("recallLeads", {"leadIds": [gid("Lead", held.lead_id)]}, "RecallLeadsInput"),
    ]
    for field, value, input_type in calls:
        body = await api.gql(
            login,
            f"mutation($i: {input_type}!) {{ {field}(input: $i) "
            "{ job { id } errors { code } } }",
            {"i": value},
        )
        assert body["data"] is None, body
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (
        sqs.receive_message(QueueUrl=local_env.outputs["DispatchQueueUrl"], WaitTimeSeconds=0).get(
            "Messages"
        )
        is None
    )
    assert lead_now(PARTNER, lead.lead_id).status == "undispatched"
    assert lead_now(PARTNER, held.lead_id).assignee_id == STAFF_1
    assert history_of(PARTNER, lead.lead_id) == history_of(PARTNER, held.lead_id) == []


async def test_another_partner_cannot_touch_these_leads(
    api: Api, workers: Workers, clean_dispatch_queues: None
) -> None:
    (held,) = make_leads(1, status="dispatched", assignee=STAFF_1)
    refused = await dispatch(api, "sp2-admin", [held.lead_id], STAFF_1)
    assert refused["job"] is None
    assert refused["errors"][0]["code"] == "STAFF_NOT_IN_PARTNER"
    requested = await recall(api, "sp2-admin", [held.lead_id])
    await workers.drain("dispatchWorker")
    done = await job(api, "sp2-admin", requested["job"]["id"])
    assert (done["succeededCount"], done["failedCount"]) == (0, 1)
    assert report_rows(done["downloadUrl"])[0]["Reason"] == "LEAD_NOT_FOUND"
    assert lead_now(PARTNER, held.lead_id).assignee_id == STAFF_1


@pytest.mark.parametrize(
    ("lead_ids", "staff", "code", "field"),
    [
        ([], STAFF_1, "BAD_USER_INPUT", "leadIds"),
        ([f"lead-{n}" for n in range(1001)], STAFF_1, "BAD_USER_INPUT", "leadIds"),
        (["lead-1"], "usr-sp-manager-1", "STAFF_NOT_IN_PARTNER", "staffId"),
        (["lead-1"], "usr-nobody", "STAFF_NOT_IN_PARTNER", "staffId"),
    ],
)
async def test_bad_dispatch_input_is_a_payload_error_and_creates_no_job(
    api: Api,
    lead_ids: list[str],
    staff: str,
    code: str,
    field: str,
    sqs: Any,
    local_env: Any,
    clean_dispatch_queues: None,
) -> None:
    payload = await dispatch(api, "sp-admin", lead_ids, staff)
    assert payload["job"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert (
        sqs.receive_message(QueueUrl=local_env.outputs["DispatchQueueUrl"], WaitTimeSeconds=0).get(
            "Messages"
        )
        is None
    )


async def test_a_batch_of_1000_is_accepted_and_duplicates_count_once(
    api: Api, clean_dispatch_queues: None
) -> None:
    ids = [f"lead-{n}" for n in range(1000)]
    payload = await dispatch(api, "sp-admin", ids + ids[:10])
    assert payload["errors"] == []
    assert payload["job"]["parameters"]["lead_count"] == 1000


async def test_ids_of_another_type_are_refused(api: Api, clean_dispatch_queues: None) -> None:
    body = await api.gql(
        "sp-admin",
        """mutation($i: DispatchLeadsInput!) {
        dispatchLeads(input: $i) { job { id } errors { code field } } }""",
        {"i": {"leadIds": [gid("Job", "x")], "staffId": gid("User", STAFF_1)}},
    )
    assert body["data"]["dispatchLeads"]["errors"] == [
        {"code": "BAD_USER_INPUT", "field": "leadIds"}
    ]
    body = await api.gql(
        "sp-admin",
        """mutation($i: DispatchLeadsInput!) {
        dispatchLeads(input: $i) { job { id } errors { code field } } }""",
        {"i": {"leadIds": ["not a global id"], "staffId": gid("User", STAFF_1)}},
    )
    # A malformed global ID is refused before any resolver runs, with a clear message.
    assert body.get("data") is None and body["errors"]
    assert "Unexpected" not in body["errors"][0]["message"]


async def test_same_idempotency_key_returns_the_same_dispatch_job(
    api: Api, clean_dispatch_queues: None
) -> None:
    leads = make_leads(2)
    ids = [lead.lead_id for lead in leads]
    first = await dispatch(api, "sp-admin", ids, key="dispatch-once")
    again = await dispatch(api, "sp-admin", ids, key="dispatch-once")
    assert again["job"]["id"] == first["job"]["id"]
    other = await dispatch(api, "sp-admin", ids[:1], key="dispatch-once")
    assert [e["code"] for e in other["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
