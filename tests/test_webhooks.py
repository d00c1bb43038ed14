"""Webhooks and EventBridge events, against the embedded AWS and a real local receiver
(`partner_center.webhooks.listener` on 127.0.0.1).

The retry schedule is shortened through PC_WEBHOOK_RETRY_SECONDS (three attempts, no
delay, no jitter), the way the cloud would be configured: the worker's code is the same.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks import Webhook

from partner_center.idempotency.models import IdempotencyItem
from partner_center.jobs.messages import JobMessage
from partner_center.webhooks import delivery as delivery_module
from partner_center.webhooks import urls
from partner_center.webhooks.listener import Receiver
from partner_center.webhooks.messages import AttemptMessage
from partner_center.webhooks.models import SubscriptionItem
from partner_center.webhooks.schedule import next_delay, sqs_delay
from partner_center.webhooks.sender import new_client
from partner_center.webhooks.settings import WebhookSettings, webhook_settings
from partner_center.webhooks.store import WebhookStore
from tests.conftest import Api, Workers
from tests.helpers import JOB, REQUEST_EXPORT, export_input

PARTNER = "ptn-sp-001"
ADMIN = "sp-admin"
MONTH = {"dateFrom": "2026-09-01", "dateTo": "2026-09-03"}

DOCS = {}
for _name in (
    "CreateWebhookSubscription",
    "UpdateWebhookSubscription",
    "RotateWebhookSecret",
    "DeleteWebhookSubscription",
    "SendWebhookTestEvent",
    "RedeliverWebhookDelivery",
    "WebhookSubscriptions",
    "WebhookDeliveries",
):
    from tests.test_tenant_isolation import OPS  # the operation documents of graphql/

    DOCS[_name] = OPS[_name]


@pytest.fixture(autouse=True)
def short_schedule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PC_WEBHOOK_RETRY_SECONDS", "0,0")  # three attempts
    monkeypatch.setenv("PC_WEBHOOK_JITTER", "0")
    monkeypatch.setenv("PC_WEBHOOK_DISABLE_AFTER", "2")
    monkeypatch.setenv("PC_WEBHOOK_READ_TIMEOUT", "2")
    webhook_settings.cache_clear()
    yield
    monkeypatch.undo()
    webhook_settings.cache_clear()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def drain_webhooks(workers: Workers) -> int:
    handled = 0
    for _ in range(10):
        got = await workers.drain("webhookWorker") + await workers.drain("webhookDeadLetter")
        handled += got
        if not got:
            return handled
    return handled


async def subscribe(
    api: Api, url: str, topics: list[str], login: str = ADMIN, key: str | None = None
) -> dict[str, Any]:
    value: dict[str, Any] = {"url": url, "topics": topics}
    if key:
        value["idempotencyKey"] = key
    answer = await api.gql(login, DOCS["CreateWebhookSubscription"], {"input": value})
    assert not answer.get("errors"), answer
    return answer["data"]["createWebhookSubscription"]


async def delete(api: Api, subscription_id: str) -> None:
    answer = await api.gql(
        ADMIN, DOCS["DeleteWebhookSubscription"], {"input": {"subscriptionId": subscription_id}}
    )
    assert answer["data"]["deleteWebhookSubscription"]["errors"] == []


async def deliveries_of(api: Api, subscription_id: str) -> list[dict[str, Any]]:
    answer = await api.gql(ADMIN, DOCS["WebhookDeliveries"], {"id": subscription_id, "first": 50})
    return [e["node"] for e in answer["data"]["node"]["deliveries"]["edges"]]


def tap_events(sqs: Any, local_env: Any) -> list[dict[str, Any]]:
    url = local_env.outputs["EventsTapQueueUrl"]
    found = []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
    ).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def for_job(receiver: Receiver, job_id: str) -> list[Any]:
    return [
        r
        for r in receiver.received
        if isinstance(r.payload, dict)
        and ((r.payload.get("data") or {}).get("job") or {}).get("id") == job_id
    ]


async def export(api: Api, workers: Workers) -> dict[str, Any]:
    answer = await api.gql(ADMIN, REQUEST_EXPORT, export_input(MONTH))
    job = answer["data"]["requestExport"]["job"]
    await workers.drain("exportWorker")
    done = await api.gql(ADMIN, JOB, {"id": job["id"]})
    assert done["data"]["job"]["status"] == "SUCCEEDED", done
    return done["data"]["job"]


# ------------------------------------------------------------------ the whole path


async def test_an_export_finishing_makes_exactly_one_signed_delivery_and_one_bus_event(
    api: Api,
    workers: Workers,
    receiver: Receiver,
    sqs: Any,
    local_env: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await drain_webhooks(workers)  # events other tests left behind
    tap_events(sqs, local_env)
    caplog.set_level(logging.DEBUG)
    created = await subscribe(api, receiver.url, ["EXPORT_JOB_SUCCEEDED"])
    assert created["errors"] == [] and created["secret"].startswith("whsec_")
    receiver.secret = created["secret"]
    subscription = created["subscription"]
    try:
        job = await export(api, workers)
        await drain_webhooks(workers)

        got = for_job(receiver, job["id"])
        assert len(got) == 1, receiver.received
        assert got[0].verified is True
        # Verified again here with the package alone, as a partner's receiver would.
        payload = Webhook(created["secret"]).verify(
            got[0].body,
            {
                "webhook-id": got[0].webhook_id,
                "webhook-timestamp": got[0].timestamp,
                "webhook-signature": got[0].signature,
            },
        )
        assert payload["type"] == "export_job.succeeded"
        data = payload["data"]["job"]
        assert data["status"] == "SUCCEEDED" and data["rowCount"] == job["rowCount"]
        # IDs, status, counts and times only: no download link, no file name.
        assert "downloadUrl" not in got[0].body and "X-Amz" not in got[0].body
        assert "fileName" not in got[0].body

        [shown] = [
            d for d in await deliveries_of(api, subscription["id"]) if d["eventId"] == payload["id"]
        ]
        assert shown["status"] == "SUCCEEDED" and shown["httpStatus"] == 200
        assert shown["attempts"] == 1 and shown["latencyMs"] is not None
        assert shown["webhookId"] == got[0].webhook_id and shown["nextRetryAt"] is None

        # The same event on the EventBridge bus, read through the tap rule's queue.
        events = [
            e
            for e in tap_events(sqs, local_env)
            if e["detail"]["data"].get("job", {}).get("id") == job["id"]
        ]
        assert len(events) == 1
        assert events[0]["source"] == "partner-center"
        assert events[0]["detail-type"] == "Export Job Succeeded"
        assert events[0]["detail"]["id"] == payload["id"]

        # The secret never reaches a log line, and is stored only encrypted.
        assert not [
            r
            for r in caplog.records
            if created["secret"] in r.getMessage()
            or created["secret"] in json.dumps(r.__dict__, default=str)
        ]
        raw_id = base64.b64decode(subscription["id"]).decode().split(":", 1)[1]
        item = WebhookStore(PARTNER).get_subscription(raw_id)
        assert item is not None and created["secret"] not in item.secret_ciphertext
        secret_body = created["secret"].removeprefix("whsec_")
        assert secret_body not in json.dumps(item.attribute_values, default=str)

        # A duplicate delivery of the finished job's message: no second event.
        sqs.send_message(
            QueueUrl=local_env.outputs["ExportQueueUrl"],
            MessageBody=JobMessage(
                PARTNER, base64.b64decode(job["id"]).decode().split(":", 1)[1]
            ).encode(),
        )
        assert await workers.drain("exportWorker") == 1
        await drain_webhooks(workers)
        assert len(for_job(receiver, job["id"])) == 1
        assert not [
            e
            for e in tap_events(sqs, local_env)
            if e["detail"]["data"].get("job", {}).get("id") == job["id"]
        ]
    finally:
        await delete(api, subscription["id"])


async def test_a_receiver_that_is_down_gets_retries_with_one_webhook_id_then_dead_letter(
    api: Api, workers: Workers, receiver: Receiver
) -> None:
    await drain_webhooks(workers)
    created = await subscribe(api, receiver.url, ["EXPORT_JOB_FAILED"])
    receiver.secret, receiver.status = created["secret"], 503
    subscription = created["subscription"]
    try:
        for _ in (1, 2):
            receiver.received.clear()
            sent = await api.gql(
                ADMIN,
                DOCS["SendWebhookTestEvent"],
                {"input": {"subscriptionId": subscription["id"]}},
            )
            test = sent["data"]["sendWebhookTestEvent"]
            assert test["errors"] == [] and test["delivery"]["status"] == "PENDING"
            await drain_webhooks(workers)
            # Three attempts (the shortened schedule), each signed, one webhook-id.
            assert len(receiver.received) == 3, receiver.received
            assert {r.webhook_id for r in receiver.received} == {test["delivery"]["webhookId"]}
            assert all(r.verified for r in receiver.received)
            [shown] = [
                d
                for d in await deliveries_of(api, subscription["id"])
                if d["id"] == test["delivery"]["id"]
            ]
            assert shown["status"] == "FAILED", shown
            assert (shown["attempts"], shown["httpStatus"], shown["lastError"]) == (
                3,
                503,
                "HTTP_503",
            )
            assert shown["finishedAt"] is not None and shown["nextRetryAt"] is None

        # Two deliveries in a row failed everything (PC_WEBHOOK_DISABLE_AFTER=2): off,
        # with an audit event by the system.
        listing = await api.gql(ADMIN, DOCS["WebhookSubscriptions"], {"first": 20})
        [mine] = [
            e["node"]
            for e in listing["data"]["webhookSubscriptions"]["edges"]
            if e["node"]["id"] == subscription["id"]
        ]
        assert mine["enabled"] is False and mine["disabledReason"] == "TOO_MANY_FAILURES"
        audit = await api.gql(
            ADMIN,
            """query { auditEvents(first: 20, filter:
            {operation: "disableWebhookSubscription"}) { edges { node { operation actorRole
            targetIds errorCodes } } } }""",
        )
        nodes = [e["node"] for e in audit["data"]["auditEvents"]["edges"]]
        assert any(
            subscription["id"] in n["targetIds"]
            and n["actorRole"] == "system"
            and n["errorCodes"] == ["TOO_MANY_FAILURES"]
            for n in nodes
        ), audit

        # Switched on again, the receiver back: a redelivery goes under the same id.
        enabled = await api.gql(
            ADMIN,
            DOCS["UpdateWebhookSubscription"],
            {"input": {"subscriptionId": subscription["id"], "enabled": True}},
        )
        assert (
            enabled["data"]["updateWebhookSubscription"]["subscription"]["consecutiveFailures"] == 0
        )
        receiver.status, last = 200, receiver.received[-1].webhook_id
        receiver.received.clear()
        again = await api.gql(
            ADMIN, DOCS["RedeliverWebhookDelivery"], {"input": {"deliveryId": shown["id"]}}
        )
        assert again["data"]["redeliverWebhookDelivery"]["errors"] == []
        await drain_webhooks(workers)
        assert [r.webhook_id for r in receiver.received] == [last]
        [redone] = [
            d for d in await deliveries_of(api, subscription["id"]) if d["id"] == shown["id"]
        ]
        assert (redone["status"], redone["attempts"]) == ("SUCCEEDED", 1)
    finally:
        await delete(api, subscription["id"])


async def test_a_wait_longer_than_sqs_allows_is_several_hops_without_an_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[AttemptMessage, int]] = []
    monkeypatch.setattr(
        delivery_module, "enqueue", lambda message, delay=0, **_: sent.append((message, delay))
    )
    message = AttemptMessage(PARTNER, "sub", "dlv", 1, 2, time.time() + 2 * 3600)
    async with new_client(webhook_settings()) as http:
        assert await delivery_module.attempt(message, webhook_settings(), http) == "not yet due"
    assert sent == [(message, 900)]  # the same message, at most 15 minutes later


def test_the_default_schedule_backs_off_over_hours_with_jitter() -> None:
    settings = WebhookSettings(production=True)
    delays = [next_delay(settings, n) for n in range(1, settings.max_attempts + 1)]
    assert delays[-1] is None and settings.max_attempts == 8
    bases = settings.retry_seconds
    for delay, base in zip(delays, bases, strict=False):
        assert delay is not None and base * 0.8 <= delay <= base * 1.2
    assert sum(bases) > 24 * 3600  # over a day of attempts
    assert sqs_delay(36000) == 900 and sqs_delay(0.2) == 1 and sqs_delay(0) == 0


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/hooks",
        "https://192.168.1.10/x",
        "https://169.254.169.254/latest",
        "https://[::ffff:10.0.0.1]/x",
        "https://[fe80::1]/x",
        "http://example.com/x",
        "https://100.64.0.1/",
        "ftp://example.com/",
        "https://user:pw@example.com/",
    ],
)
async def test_a_private_or_unsafe_url_is_refused_with_a_typed_error(api: Api, url: str) -> None:
    answer = await api.gql(
        ADMIN,
        DOCS["CreateWebhookSubscription"],
        {"input": {"url": url, "topics": ["EXPORT_JOB_SUCCEEDED"]}},
    )
    payload = answer["data"]["createWebhookSubscription"]
    assert payload["subscription"] is None and payload["secret"] is None
    [error] = payload["errors"]
    assert error["code"] in {"URL_NOT_ALLOWED", "INVALID_URL"} and error["field"] == "url"


def test_production_takes_https_to_public_addresses_only_also_after_resolution() -> None:
    def refused(url: str) -> str | None:
        try:
            urls.check(url, allow_loopback=False)
        except urls.UrlRefused as exc:
            return exc.code
        return None

    assert refused("https://8.8.8.8/hooks") is None
    assert refused("http://8.8.8.8/hooks") == "URL_NOT_ALLOWED"  # https only
    assert refused("https://127.0.0.1:8443/") == "URL_NOT_ALLOWED"
    # A name resolving to loopback is refused after resolution, not by its spelling.
    assert refused("https://localhost/") == "URL_NOT_ALLOWED"
    assert refused("http://127.0.0.1:8787/") == "URL_NOT_ALLOWED"
    assert refused("https://[::1]/") == "URL_NOT_ALLOWED"
    assert refused("https://0.0.0.0/") == "URL_NOT_ALLOWED"
    assert refused("https://no-such-host.invalid/") == "UNRESOLVABLE_HOST"


async def test_a_redirect_is_a_failed_attempt_not_followed(
    api: Api, workers: Workers, receiver: Receiver
) -> None:
    await drain_webhooks(workers)
    created = await subscribe(api, receiver.url, ["EXPORT_JOB_FAILED"])
    receiver.secret, receiver.status = created["secret"], 302
    try:
        sent = await api.gql(
            ADMIN,
            DOCS["SendWebhookTestEvent"],
            {"input": {"subscriptionId": created["subscription"]["id"]}},
        )
        delivery_id = sent["data"]["sendWebhookTestEvent"]["delivery"]["id"]
        await drain_webhooks(workers)
        [shown] = [
            d
            for d in await deliveries_of(api, created["subscription"]["id"])
            if d["id"] == delivery_id
        ]
        assert (shown["status"], shown["lastError"]) == ("FAILED", "REDIRECT_NOT_FOLLOWED")
    finally:
        await delete(api, created["subscription"]["id"])


@pytest.mark.parametrize("login", ["sp-operator", "sp-manager-1", "sp-staff-1"])
async def test_only_the_administrator_manages_webhooks(api: Api, login: str) -> None:
    answer = await api.gql(
        login,
        DOCS["CreateWebhookSubscription"],
        {"input": {"url": "http://127.0.0.1:9/x", "topics": ["EXPORT_JOB_SUCCEEDED"]}},
    )
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listing = await api.gql(login, DOCS["WebhookSubscriptions"], {"first": 5})
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_topics_and_ids_are_checked(api: Api) -> None:
    bad = await api.gql(
        ADMIN,
        DOCS["CreateWebhookSubscription"],
        {"input": {"url": "http://127.0.0.1:9/x", "topics": ["TEST"]}},
    )
    assert bad["data"]["createWebhookSubscription"]["errors"][0]["code"] == "INVALID_TOPICS"
    none = await api.gql(
        ADMIN,
        DOCS["CreateWebhookSubscription"],
        {"input": {"url": "http://127.0.0.1:9/x", "topics": []}},
    )
    assert none["data"]["createWebhookSubscription"]["errors"][0]["code"] == "INVALID_TOPICS"
    lead_id = base64.b64encode(b"Lead:x").decode()
    wrong = await api.gql(
        ADMIN, DOCS["RotateWebhookSecret"], {"input": {"subscriptionId": lead_id}}
    )
    assert wrong["data"]["rotateWebhookSecret"]["errors"][0]["code"] == "BAD_USER_INPUT"
    missing = await api.gql(
        ADMIN,
        DOCS["RotateWebhookSecret"],
        {"input": {"subscriptionId": base64.b64encode(b"WebhookSubscription:nope").decode()}},
    )
    assert missing["data"]["rotateWebhookSecret"]["errors"][0]["code"] == "SUBSCRIPTION_NOT_FOUND"
    redeliver = await api.gql(
        ADMIN,
        DOCS["RedeliverWebhookDelivery"],
        {"input": {"deliveryId": base64.b64encode(b"WebhookDelivery:nope").decode()}},
    )
    assert (
        redeliver["data"]["redeliverWebhookDelivery"]["errors"][0]["code"] == "DELIVERY_NOT_FOUND"
    )


async def test_an_id_refused_under_an_idempotency_key_is_refused_again_on_replay(
    api: Api,
) -> None:
    """As in the marketplace mutations: the ID is read inside the mutation's run, so its
    refusal is the key's outcome, and a replay answers it without running anything."""
    lead_id = base64.b64encode(b"Lead:x").decode()
    for document, field, variables in [
        ("RotateWebhookSecret", "rotateWebhookSecret", {"subscriptionId": lead_id}),
        ("SendWebhookTestEvent", "sendWebhookTestEvent", {"subscriptionId": lead_id}),
        ("RedeliverWebhookDelivery", "redeliverWebhookDelivery", {"deliveryId": lead_id}),
    ]:
        key = f"bad-id-{field}"
        answers = [
            await api.gql(ADMIN, DOCS[document], {"input": {**variables, "idempotencyKey": key}})
            for _ in range(2)
        ]
        first, replay = (a["data"][field]["errors"] for a in answers)
        assert first == replay and first[0]["code"] == "BAD_USER_INPUT", answers
        # The key now holds that request: another ID under it is a reuse, not a new run.
        other = {k: base64.b64encode(b"WebhookSubscription:other").decode() for k in variables}
        reused = await api.gql(ADMIN, DOCS[document], {"input": {**other, "idempotencyKey": key}})
        assert reused["data"][field]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED", reused


# ------------------------------------------------------------------ secrets


async def test_create_is_idempotent_and_the_secret_is_shown_once(api: Api) -> None:
    first = await subscribe(
        api, "http://127.0.0.1:9/once", ["PARTNER_BILL_GENERATED"], key="webhook-once-1"
    )
    again = await subscribe(
        api, "http://127.0.0.1:9/once", ["PARTNER_BILL_GENERATED"], key="webhook-once-1"
    )
    try:
        assert again["subscription"]["id"] == first["subscription"]["id"]
        assert first["secret"] and again["secret"] is None
        # The idempotency record keeps the subscription's ID, never the secret.
        records = [
            i
            for i in IdempotencyItem.query("ptn-sp-001")
            if "createWebhookSubscription#webhook-once-1" in i.record_key
        ]
        assert records and first["secret"] not in (records[0].result or "")
    finally:
        await delete(api, first["subscription"]["id"])


async def test_rotation_replaces_the_secret_at_once(
    api: Api, workers: Workers, receiver: Receiver
) -> None:
    await drain_webhooks(workers)
    created = await subscribe(api, receiver.url, ["EXPORT_JOB_FAILED"])
    old = created["secret"]
    try:
        rotated = await api.gql(
            ADMIN,
            DOCS["RotateWebhookSecret"],
            {"input": {"subscriptionId": created["subscription"]["id"]}},
        )
        new = rotated["data"]["rotateWebhookSecret"]["secret"]
        assert new and new != old
        receiver.secret = old
        await api.gql(
            ADMIN,
            DOCS["SendWebhookTestEvent"],
            {"input": {"subscriptionId": created["subscription"]["id"]}},
        )
        await workers.drain("webhookWorker", rounds=1)
        assert receiver.received and receiver.received[0].verified is False
        assert (
            Receiver(secret=new).verify(
                receiver.received[0].body.encode(),
                {
                    "webhook-id": receiver.received[0].webhook_id,
                    "webhook-timestamp": receiver.received[0].timestamp,
                    "webhook-signature": receiver.received[0].signature,
                },
            )[0]
            is True
        )
    finally:
        await delete(api, created["subscription"]["id"])
        await drain_webhooks(workers)


def test_a_sealed_secret_does_not_open_on_another_subscription() -> None:
    from partner_center.webhooks import secret

    sealed = secret.seal("whsec_abc", PARTNER, "sub-1")
    assert secret.unseal(sealed, PARTNER, "sub-1") == "whsec_abc"
    with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidTag)
        secret.unseal(sealed, PARTNER, "sub-2")
    assert SubscriptionItem.secret_ciphertext.attr_name == "secret_ciphertext"
