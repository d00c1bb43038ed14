"""Every mutation writes an audit event; administrators read them (issue: audit log)."""

from __future__ import annotations

from typing import Any

from partner_center.audit.log import RETENTION
from tests.conftest import Api
from tests.helpers import REQUEST_EXPORT, export_input

EVENTS = """query($filter: AuditEventFilter, $first: Int) {
  auditEvents(first: $first, filter: $filter) {
    edges { node { actor actorRole operation targetIds outcome errorCodes requestId } }
  }
}"""


async def events(api: Api, **flt: Any) -> list[dict[str, Any]]:
    body = await api.gql("sp-admin", EVENTS, {"filter": flt, "first": 100})
    assert "errors" not in body, body
    return [e["node"] for e in body["data"]["auditEvents"]["edges"]]


async def test_a_successful_mutation_is_audited_with_its_target(api: Api) -> None:
    body = await api.gql("sp-operator", REQUEST_EXPORT, export_input({"product": "ECS"}))
    job_id = body["data"]["requestExport"]["job"]["id"]
    found = [e for e in await events(api, operation="requestExport") if job_id in e["targetIds"]]
    assert len(found) == 1
    assert found[0]["outcome"] == "SUCCEEDED" and found[0]["actorRole"] == "operator"
    assert found[0]["requestId"]


async def test_a_forbidden_mutation_is_audited(api: Api) -> None:
    await api.gql("sp-operator-noperm", REQUEST_EXPORT, export_input())
    found = await events(api, outcome="FORBIDDEN")
    assert any(
        e["operation"] == "requestExport" and e["errorCodes"] == ["FORBIDDEN"] for e in found
    )


async def test_a_refused_mutation_is_audited_with_its_codes(api: Api) -> None:
    await api.gql(
        "sp-admin", REQUEST_EXPORT, export_input({"dateFrom": "2026-09-02", "dateTo": "2026-09-01"})
    )
    found = await events(api, outcome="REFUSED")
    assert any("BAD_USER_INPUT" in e["errorCodes"] for e in found)


async def test_only_administrators_read_the_audit_log(api: Api) -> None:
    body = await api.gql("sp-operator", EVENTS, {"first": 5})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_audit_log_is_per_partner(api: Api) -> None:
    await api.gql("sp2-admin", REQUEST_EXPORT, export_input({"product": "OBS"}))
    body = await api.gql("sp2-admin", EVENTS, {"first": 100})
    actors = {e["node"]["actor"] for e in body["data"]["auditEvents"]["edges"]}
    mine = {e["actor"] for e in await events(api)}
    assert actors and not actors & mine


def test_audit_events_are_kept_at_least_180_days() -> None:
    assert RETENTION.days >= 180


NODE = """query($id: ID!) { node(id: $id) { id ... on AuditEvent { operation outcome } } }"""


async def test_an_event_resolves_by_its_id_for_its_partners_administrators_only(api: Api) -> None:
    import base64

    await api.gql("sp-operator", REQUEST_EXPORT, export_input({"product": "RDS"}))
    body = await api.gql(
        "sp-admin",
        """{ auditEvents(first: 1) { edges { node {
        id operation outcome } } } }""",
    )
    event = body["data"]["auditEvents"]["edges"][0]["node"]
    found = await api.gql("sp-admin", NODE, {"id": event["id"]})
    assert found["data"]["node"] == event
    # Not an administrator, or another partner's: null, as for any object not theirs.
    for login in ("sp-operator", "sp-staff-1", "sp2-admin"):
        other = await api.gql(login, NODE, {"id": event["id"]})
        assert other["data"]["node"] is None, login
    # A key of another shape never reaches the table.
    for key in ("nonsense", "2026-01-01T00:00:00.000000Z#short", ""):
        forged = base64.b64encode(f"AuditEvent:{key}".encode()).decode()
        answer = await api.gql("sp-admin", NODE, {"id": forged})
        assert (answer.get("data") or {}).get("node") is None
