"""The embedded AWS keeps DynamoDB's guarantees under concurrent requests.

moto alone evaluates a condition and applies the write as separate steps on a threaded
server, and backs a transaction up by deep-copying whole tables (restoring that copy
on cancellation, over anyone else's writes). `partner_center.local.moto_server` fixes
both; these tests hold it to that, on the session's embedded AWS.
"""

from __future__ import annotations

import io
import json
import threading
import time
from typing import Any

import pytest
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from partner_center.core.ids import new_id
from partner_center.leads.models import LeadHistoryItem, LeadItem, history_key
from partner_center.local import moto_server
from tests.leads_helpers import lead_now, make_leads

PARTNER = "ptn-sp-001"


def _connection() -> Connection:
    return Connection(region=LeadItem.Meta.region, host=LeadItem.Meta.host)


def test_a_cancelled_transaction_undoes_its_own_items_only(local_env: Any) -> None:
    changed, refused, bystander = make_leads(3)
    entry_key = history_key(changed.lead_id, new_id())
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.update(
                LeadItem(PARTNER, changed.lead_key),
                actions=[LeadItem.status.set("dispatched")],
                condition=LeadItem.status == "undispatched",
            )
            transaction.save(
                LeadHistoryItem(
                    PARTNER,
                    entry_key,
                    lead_id=changed.lead_id,
                    job_id="j",
                    action="dispatch",
                    actor_id="a",
                    staff_id="s",
                    from_status="undispatched",
                    to_status="dispatched",
                    occurred_at="2026-01-01T00:00:00.000000Z",
                )
            )
            transaction.update(
                LeadItem(PARTNER, refused.lead_key),
                actions=[LeadItem.status.set("dispatched")],
                condition=LeadItem.status == "recalled",
            )
        raise AssertionError("the transaction should have been cancelled")
    except TransactWriteError as exc:
        codes = [r.code if r else None for r in exc.cancellation_reasons or []]
        assert codes[2] == "ConditionalCheckFailed"
    assert lead_now(PARTNER, changed.lead_id).status == "undispatched"
    assert lead_now(PARTNER, bystander.lead_id).status == "undispatched"
    try:
        LeadHistoryItem.get(PARTNER, entry_key, consistent_read=True)
        raise AssertionError("the history entry should have been rolled back")
    except LeadHistoryItem.DoesNotExist:
        pass


def test_concurrent_conditional_writes_never_both_win(local_env: Any) -> None:
    leads = make_leads(150)
    wins: dict[str, list[str]] = {"a": [], "b": []}
    cancelled = threading.Event()

    def race(who: str) -> None:
        for lead in leads:
            try:
                LeadItem(PARTNER, lead.lead_key).update(
                    actions=[LeadItem.assignee_id.set(who), LeadItem.status.set("dispatched")],
                    condition=LeadItem.status == "undispatched",
                )
                wins[who].append(lead.lead_id)
            except UpdateError:
                cancelled.set()

    threads = [threading.Thread(target=race, args=(who,)) for who in wins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(wins["a"]) & set(wins["b"])
    assert len(wins["a"]) + len(wins["b"]) == len(leads)
    for who, won in wins.items():
        for lead_id in won:
            assert lead_now(PARTNER, lead_id).assignee_id == who


def test_a_100_action_transaction_names_every_failed_condition_and_undoes_all(
    local_env: Any,
) -> None:
    # Lead dispatch settles 50 leads (update + history entry each) per transaction and
    # relies on this: every item that failed its own condition is named in
    # CancellationReasons (the others are None), and nothing of the transaction stays.
    leads = make_leads(50)
    job_id = new_id()
    refused = {3, 17, 49}
    with LeadItem.batch_write() as batch:
        for index in refused:
            lead = lead_now(PARTNER, leads[index].lead_id)
            lead.status = "closed"
            batch.save(lead)
    try:
        with TransactWrite(connection=_connection()) as transaction:
            for lead in leads:
                transaction.update(
                    LeadItem(PARTNER, lead.lead_key),
                    actions=[LeadItem.status.set("dispatched")],
                    condition=LeadItem.status == "undispatched",
                )
                transaction.save(
                    LeadHistoryItem(
                        PARTNER,
                        history_key(lead.lead_id, job_id),
                        lead_id=lead.lead_id,
                        job_id=job_id,
                        action="dispatch",
                        actor_id="a",
                        staff_id="s",
                        from_status="undispatched",
                        to_status="dispatched",
                        occurred_at="2026-01-01T00:00:00.000000Z",
                    ),
                    condition=LeadHistoryItem.lead_key.does_not_exist(),
                )
        raise AssertionError("the transaction should have been cancelled")
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        assert len(reasons) == 100
        failed = {i for i, r in enumerate(reasons) if r is not None}
        # pynamodb sends the puts (history entries) first, then the updates.
        assert failed == {50 + i for i in refused}
        assert {reasons[i].code for i in failed} == {"ConditionalCheckFailed"}  # type: ignore[union-attr]
    for index, lead in enumerate(leads):
        now = lead_now(PARTNER, lead.lead_id)
        assert now.status == ("closed" if index in refused else "undispatched")
        try:
            LeadHistoryItem.get(PARTNER, history_key(lead.lead_id, job_id), consistent_read=True)
            raise AssertionError("the history entry should have been rolled back")
        except LeadHistoryItem.DoesNotExist:
            pass


def test_a_request_locks_every_table_it_names_in_one_order() -> None:
    # The per-table locks keep conditional writes and transactions atomic only if a
    # request takes the lock of every table it touches: a transaction across two tables
    # takes both (sorted, so two such transactions cannot deadlock).
    transaction = {
        "TransactItems": [
            {"Update": {"TableName": "leads", "Key": {}}},
            {"Put": {"TableName": "audit", "Item": {}}},
            {"ConditionCheck": {"TableName": "leads", "Key": {}}},
        ]
    }
    assert moto_server.tables_named(json.dumps(transaction).encode()) == ["audit", "leads"]
    batch = {"RequestItems": {"b": {"Keys": []}, "a": {"Keys": []}}}
    assert moto_server.tables_named(json.dumps(batch).encode()) == ["a", "b"]
    assert moto_server.tables_named(b'{"TableName": "t", "Key": {}}') == ["t"]
    assert moto_server.tables_named(b"{}") == []
    assert moto_server.tables_named(b"not json") == []


def test_the_latency_option_is_taken_out_of_motos_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(moto_server.LATENCY_ENV, raising=False)
    assert moto_server.latency_option(["-H", "127.0.0.1", "-p", "1"]) == (
        0.0,
        ["-H", "127.0.0.1", "-p", "1"],
    )
    assert moto_server.latency_option(["--latency-ms", "5", "-p", "1"]) == (5.0, ["-p", "1"])
    assert moto_server.latency_option(["--latency-ms=2.5"]) == (2.5, [])
    monkeypatch.setenv(moto_server.LATENCY_ENV, "7")
    assert moto_server.latency_option([]) == (7.0, [])


def test_the_latency_model_waits_outside_the_table_lock() -> None:
    # Two requests on one table, each delayed 50 ms: had the wait held the lock they
    # would take 100 ms or more; waiting side by side they take about 50.
    served: list[float] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        served.append(time.monotonic())
        return [b"{}"]

    middleware = moto_server.SerializedDynamoDB(app, latency_ms=50)
    body = b'{"TableName": "t"}'

    def call() -> None:
        environ = {
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        assert middleware(environ, lambda *a: None) == [b"{}"]

    started = time.monotonic()
    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(served) == 2
    # Both were served after their own wait, and the second did not wait for the first's.
    assert min(served) - started >= 0.05
    assert max(served) - min(served) < 0.05
