"""The API's conventions: authentication, global IDs, pagination, typed errors, R1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from strawberry.relay import GlobalID

from partner_center.config import get_settings
from partner_center.core.auth import issue_token
from partner_center.local import demo_data
from tests.conftest import Api
from tests.helpers import REQUEST_EXPORT, export_input

VIEWER = (
    "{ viewer { login role accountType permissions user { id displayName } "
    "partner { id name accountType } } }"
)
JOBS = (
    "query($first: Int, $after: String) { jobs(first: $first, after: $after) "
    "{ edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }"
)


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


# -- authentication ------------------------------------------------------------------


async def test_missing_token_is_401_unauthenticated(api: Api) -> None:
    response = await api.post(None, VIEWER)
    assert response.status_code == 401
    assert codes(response.json()) == ["UNAUTHENTICATED"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer not-a-jwt", "token x"])
async def test_malformed_authorization_is_401(api: Api, header: str) -> None:
    response = await api.post(None, VIEWER, authorization=header)
    assert response.status_code == 401
    assert codes(response.json()) == ["UNAUTHENTICATED"]


async def test_token_signed_with_another_key_is_401(api: Api) -> None:
    settings = get_settings()
    forged = jwt.encode(
        {
            "sub": "usr-sp-admin",
            "pid": "ptn-sp-001",
            "role": "admin",
            "acct": "solution_provider",
            "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience,
            "exp": 4102444800,
        },
        "another-secret-entirely-another-secret",
        algorithm="HS256",
    )
    response = await api.post(None, VIEWER, authorization=f"Bearer {forged}")
    assert response.status_code == 401


async def test_expired_token_is_401(api: Api) -> None:
    expired = issue_token(
        demo_data.principal("sp-admin"), get_settings(), ttl=timedelta(seconds=-10)
    )
    response = await api.post(None, VIEWER, authorization=f"Bearer {expired}")
    assert response.status_code == 401
    assert "expired" in response.json()["errors"][0]["message"]


async def test_viewer_describes_the_caller(api: Api) -> None:
    body = await api.gql("sp-operator", VIEWER)
    viewer = body["data"]["viewer"]
    assert viewer["login"] == "sp-operator"
    assert viewer["role"] == "operator"
    assert viewer["permissions"] == ["billing", "customers", "leads"]
    assert GlobalID.from_id(viewer["partner"]["id"]).node_id == "ptn-sp-001"
    assert viewer["user"]["displayName"]


async def test_healthz(api: Api) -> None:
    response = await api.client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


# -- R1: permissions ----------------------------------------------------------------


@pytest.mark.parametrize("login", ["sp-operator-noperm", "md-admin", "md-operator", "sp-staff-1"])
async def test_r1_export_without_customers_menu_is_forbidden(api: Api, login: str) -> None:
    body = await api.gql(login, REQUEST_EXPORT, export_input())
    assert body["data"] is None
    assert codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize("login", ["sp-admin", "sp-operator", "sp-manager-1"])
async def test_r1_export_with_customers_menu_is_allowed(api: Api, login: str) -> None:
    body = await api.gql(login, REQUEST_EXPORT, export_input({"product": "OBS"}))
    assert body["data"]["requestExport"]["errors"] == []


# -- jobs: idempotency, global IDs, tenancy ------------------------------------------


async def test_same_idempotency_key_returns_the_same_job(api: Api) -> None:
    first = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"product": "ELB"}, "k-1"))
    again = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"product": "ELB"}, "k-1"))
    one, two = first["data"]["requestExport"], again["data"]["requestExport"]
    assert one["created"] is True and two["created"] is False
    assert one["job"]["id"] == two["job"]["id"]


async def test_idempotency_key_reused_with_other_input_is_refused(api: Api) -> None:
    await api.gql("sp-admin", REQUEST_EXPORT, export_input({"product": "ELB"}, "k-2"))
    body = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"product": "OBS"}, "k-2"))
    payload = body["data"]["requestExport"]
    assert payload["job"] is None
    assert payload["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert payload["errors"][0]["field"] == "idempotencyKey"


async def test_idempotency_keys_are_per_user(api: Api) -> None:
    mine = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"product": "ECS"}, "k-3"))
    theirs = await api.gql("sp-operator", REQUEST_EXPORT, export_input({"product": "ECS"}, "k-3"))
    assert (
        mine["data"]["requestExport"]["job"]["id"] != theirs["data"]["requestExport"]["job"]["id"]
    )


async def _a_job_of(api: Api, login: str) -> str:
    body = await api.gql(login, REQUEST_EXPORT, export_input({"product": "CDN"}))
    return body["data"]["requestExport"]["job"]["id"]


async def test_another_partners_job_is_not_found_by_any_route(api: Api) -> None:
    theirs = await _a_job_of(api, "sp2-admin")
    job = await api.gql(
        "sp-admin", "query($id: ID!) { job(id: $id) { id status } }", {"id": theirs}
    )
    assert job["data"]["job"] is None and codes(job) == ["NOT_FOUND"]
    node = await api.gql("sp-admin", "query($id: ID!) { node(id: $id) { id } }", {"id": theirs})
    assert node["data"]["node"] is None and "errors" not in node
    listed = await api.gql("sp-admin", JOBS, {"first": 100})
    assert theirs not in {e["node"]["id"] for e in listed["data"]["jobs"]["edges"]}


async def test_a_token_for_another_partner_sees_only_its_own_jobs(api: Api) -> None:
    mine = await _a_job_of(api, "sp-admin")
    listed = await api.gql("sp2-admin", JOBS, {"first": 100})
    ids = {e["node"]["id"] for e in listed["data"]["jobs"]["edges"]}
    assert mine not in ids and ids  # sp2 has jobs of its own, none of sp's


async def test_non_admins_see_only_the_jobs_they_requested(api: Api) -> None:
    admins = await _a_job_of(api, "sp-admin")
    operator = await _a_job_of(api, "sp-operator")
    seen = await api.gql("sp-operator", JOBS, {"first": 100})
    ids = {e["node"]["id"] for e in seen["data"]["jobs"]["edges"]}
    assert operator in ids and admins not in ids
    admin_view = await api.gql("sp-admin", JOBS, {"first": 100})
    assert operator in {e["node"]["id"] for e in admin_view["data"]["jobs"]["edges"]}


@pytest.mark.parametrize("bad_id", ["not-base64!!", "", "Sm9i", GlobalID("Job", "").__str__()])
async def test_malformed_global_ids_are_clear_errors(api: Api, bad_id: str) -> None:
    body = await api.gql("sp-admin", "query($id: ID!) { job(id: $id) { id } }", {"id": bad_id})
    assert body.get("data") is None or body["data"]["job"] is None
    assert body["errors"]
    assert "Unexpected" not in body["errors"][0]["message"]


async def test_global_id_of_another_type_is_refused(api: Api) -> None:
    customer = str(GlobalID("Customer", "cus-001-0001"))
    body = await api.gql("sp-admin", "query($id: ID!) { job(id: $id) { id } }", {"id": customer})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_foreign_customer_in_export_filter_is_a_payload_error(api: Api) -> None:
    theirs = str(GlobalID("Customer", "cus-002-0001"))
    body = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"customerId": theirs}))
    payload = body["data"]["requestExport"]
    assert payload["job"] is None
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    assert payload["errors"][0]["field"] == "customerId"


async def test_r2_manager_cannot_filter_on_another_managers_customer(api: Api, demo: Any) -> None:
    other = next(c for c in demo.customers if c.manager_id == "usr-sp-manager-2")
    body = await api.gql(
        "sp-manager-1",
        REQUEST_EXPORT,
        export_input({"customerId": str(GlobalID("Customer", other.customer_id))}),
    )
    assert body["data"]["requestExport"]["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"dateFrom": "2026-09-02", "dateTo": "2026-09-01"}, "dateFrom"),
        ({"dateFrom": "2025-01-01", "dateTo": "2026-09-01"}, "dateTo"),
        ({"minAmount": "10", "maxAmount": "1"}, "minAmount"),
        ({"billingMode": "weekly"}, "billingMode"),
    ],
)
async def test_invalid_filters_are_payload_errors(
    api: Api, filters: dict[str, str], field: str
) -> None:
    body = await api.gql("sp-admin", REQUEST_EXPORT, export_input(filters))
    payload = body["data"]["requestExport"]
    assert payload["job"] is None
    assert payload["errors"][0]["field"] == field


async def test_unknown_filter_is_a_validation_error(api: Api) -> None:
    body = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"colour": "red"}))
    assert body.get("data") is None
    assert "colour" in body["errors"][0]["message"]


async def test_bad_amount_is_a_validation_error(api: Api) -> None:
    body = await api.gql("sp-admin", REQUEST_EXPORT, export_input({"minAmount": "lots"}))
    assert body.get("data") is None and body["errors"]


# -- pagination ------------------------------------------------------------------------


@pytest.mark.parametrize("first", [0, -1, 101, 10_000])
async def test_page_size_outside_1_to_100_is_refused(api: Api, first: int) -> None:
    body = await api.gql("sp-admin", JOBS, {"first": first})
    assert body["data"] is None and codes(body) == ["BAD_USER_INPUT"]


async def test_jobs_pages_follow_cursors_without_overlap(api: Api) -> None:
    for _ in range(3):
        await _a_job_of(api, "sp-admin")
    first = await api.gql("sp-admin", JOBS, {"first": 2})
    page = first["data"]["jobs"]
    assert page["pageInfo"]["hasNextPage"] is True
    second = await api.gql("sp-admin", JOBS, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    ids_one = [e["node"]["id"] for e in page["edges"]]
    ids_two = [e["node"]["id"] for e in second["data"]["jobs"]["edges"]]
    assert len(ids_two) == 2 and not set(ids_one) & set(ids_two)


@pytest.mark.parametrize("cursor", ["garbage", "Y3VzdG9tZXI6eA=="])
async def test_foreign_or_garbage_cursor_is_refused(api: Api, cursor: str) -> None:
    body = await api.gql("sp-admin", JOBS, {"first": 2, "after": cursor})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_unexpected_errors_are_masked(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from partner_center.jobs import service

    async def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("张三 13812345678 leaked into an exception")

    monkeypatch.setattr(service, "list_jobs", explode)
    response = await api.post("sp-admin", JOBS, {"first": 1})
    assert response.status_code == 200
    text = response.text
    assert "张三" not in text and "13812345678" not in text and "Traceback" not in text
