"""The customers area through GraphQL: R1, R2, R3, R4, R5 at their boundaries, assignment,
alerts, details, adjustment records and their exports, and the N+1 guarantee."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import httpx
import pytest
from strawberry.relay import GlobalID

from partner_center.api.access import ACCESS
from partner_center.consumption import summaries
from partner_center.consumption.rollup import rollup
from partner_center.core.auth import Menu
from partner_center.core.clock import utcnow
from partner_center.customers import alerts as alert_service
from partner_center.customers import assignment
from partner_center.customers.models import AdjustmentItem, AlertItem
from partner_center.storage.models import CustomerItem, DirectoryItem
from partner_center.storage.registry import registered
from tests import customer_data as td
from tests.conftest import Api, Workers
from tests.customer_data import beijing, gid
from tests.helpers import leaked, parse_csv

SP = "ptn-sp-001"


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


async def as_(
    api: Api, who: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """GraphQL as a user of the test partner."""
    response = await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {td.token(who)}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def money(value: Decimal) -> dict[str, str]:
    return {"amount": f"{value:.2f}", "currency": "CNY"}


@pytest.fixture(scope="module")
def partner(demo: Any) -> str:
    td.seed()
    rollup(td.PARTNER, date(2026, 8, 1), date(2026, 10, 31), now=utcnow())
    return td.PARTNER


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Stand at a chosen instant for R3 (summaries read `summaries.clock`)."""

    def set_to(instant: datetime) -> None:
        monkeypatch.setattr(summaries, "clock", lambda: instant)

    yield set_to


def lines_of(demo: Any, partner_id: str = SP) -> list[Any]:
    return [line for line in demo.lines if line.partner_id == partner_id]


def day_after(instant: datetime) -> date:
    """R5 computed here, independently of the code under test."""
    return (instant.astimezone(td.BEIJING) + timedelta(days=1)).date()


def managed(demo: Any, manager: str) -> dict[str, date]:
    return {
        c.customer_id: day_after(c.assigned_at) for c in demo.customers if c.manager_id == manager
    }


# -- R1 ---------------------------------------------------------------------------------

CUSTOMER_ID = str(GlobalID("Customer", "cus-001-0001"))
ALERT_ID = str(GlobalID("CustomerAlert", "0"))
MANAGER_ID = str(GlobalID("User", "usr-sp-manager-1"))

R1_OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "Query.customers": ("{ customers { edges { node { id } } } }", {}),
    "Query.customer": ("query($id: ID!) { customer(id: $id) { id } }", {"id": CUSTOMER_ID}),
    "Query.customerManagers": ("{ customerManagers { id } }", {}),
    "Query.customerAlerts": ("{ customerAlerts { edges { node { id } } } }", {}),
    "Query.customerAlert": ("query($id: ID!) { customerAlert(id: $id) { id } }", {"id": ALERT_ID}),
    "Query.dailyConsumption": (
        '{ dailyConsumption(dateFrom: "2026-09-01", dateTo: "2026-09-02") { complete } }',
        {},
    ),
    "Query.monthlyConsumption": (
        '{ monthlyConsumption(monthFrom: "2026-09", monthTo: "2026-09") { complete } }',
        {},
    ),
    "Query.consumptionDetails": ("{ consumptionDetails { edges { node { id } } } }", {}),
    "Query.adjustmentRecords": ("{ adjustmentRecords { edges { node { id } } } }", {}),
    "Mutation.assignCustomers": (
        "mutation($c: ID!, $m: ID!) { assignCustomers(input: {customerIds: [$c], "
        "managerId: $m}) { succeededCount } }",
        {"c": CUSTOMER_ID, "m": MANAGER_ID},
    ),
    "Mutation.assignCustomer": (
        "mutation($c: ID!, $m: ID!) { assignCustomer(input: {customerId: $c, "
        "managerId: $m}) { errors { code } } }",
        {"c": CUSTOMER_ID, "m": MANAGER_ID},
    ),
    "Mutation.unassignCustomers": (
        "mutation($c: ID!) { unassignCustomers(input: {customerIds: [$c]}) { succeededCount } }",
        {"c": CUSTOMER_ID},
    ),
    "Mutation.unassignCustomer": (
        "mutation($c: ID!) { unassignCustomer(input: {customerId: $c}) { errors { code } } }",
        {"c": CUSTOMER_ID},
    ),
    "Mutation.handleCustomerAlerts": (
        "mutation($a: ID!) { handleCustomerAlerts(input: {alertIds: [$a]}) { succeededCount } }",
        {"a": ALERT_ID},
    ),
    "Mutation.handleCustomerAlert": (
        "mutation($a: ID!) { handleCustomerAlert(input: {alertId: $a}) { errors { code } } }",
        {"a": ALERT_ID},
    ),
    "Mutation.requestExport": (
        "mutation { requestExport(input: {kind: ADJUSTMENT_RECORDS}) { created } }",
        {},
    ),
}


def test_r1_every_customers_field_is_covered_here() -> None:
    customers_fields = {key for key, rule in ACCESS.items() if rule.menu is Menu.CUSTOMERS}
    assert customers_fields <= set(R1_OPERATIONS)


@pytest.mark.parametrize("login", ["sp-operator-noperm", "md-admin", "md-operator", "sp-staff-1"])
@pytest.mark.parametrize("operation", sorted(R1_OPERATIONS))
async def test_r1_without_the_customers_menu_every_call_is_forbidden(
    api: Api, login: str, operation: str
) -> None:
    query, variables = R1_OPERATIONS[operation]
    body = await api.gql(login, query, variables)
    assert body["data"] is None, body
    assert codes(body) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    "operation",
    [
        "Mutation.assignCustomers",
        "Mutation.assignCustomer",
        "Mutation.unassignCustomers",
        "Mutation.unassignCustomer",
    ],
)
async def test_r2_a_manager_may_not_move_customers(api: Api, operation: str) -> None:
    query, variables = R1_OPERATIONS[operation]
    body = await api.gql("sp-manager-1", query, variables)
    assert codes(body) == ["FORBIDDEN"]


# -- R2: a manager sees its own customers only, by every route --------------------------

LIST = """query($first: Int, $after: String, $filter: CustomerFilter, $order: CustomerOrder) {
  customers(first: $first, after: $after, filter: $filter, orderBy: $order) {
    edges { cursor node { id name createdAt association manager { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def all_customers(
    api: Api,
    login: str,
    flt: dict[str, Any] | None = None,
    order: dict[str, str] | None = None,
    first: int = 100,
) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        body = await api.gql(
            login, LIST, {"first": first, "after": after, "filter": flt, "order": order}
        )
        assert "errors" not in body, body
        page = body["data"]["customers"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def raw(global_id: str) -> str:
    return GlobalID.from_id(global_id).node_id


async def test_r2_manager_lists_exactly_its_customers(api: Api, demo: Any) -> None:
    seen = {raw(n["id"]) for n in await all_customers(api, "sp-manager-1")}
    assert seen == set(managed(demo, "usr-sp-manager-1"))
    own = str(GlobalID("User", "usr-sp-manager-1"))
    narrowed = await all_customers(api, "sp-manager-1", {"managerId": own})
    assert {raw(n["id"]) for n in narrowed} == seen


@pytest.mark.parametrize(
    "flt", [{"managerId": str(GlobalID("User", "usr-sp-manager-2"))}, {"unassigned": True}]
)
async def test_r2_manager_cannot_list_others_customers(api: Api, flt: dict[str, Any]) -> None:
    body = await api.gql("sp-manager-1", LIST, {"filter": flt})
    assert body["data"] is None and codes(body) == ["FORBIDDEN"]


async def test_r2_guessed_ids_reveal_nothing(api: Api, demo: Any) -> None:
    theirs = set(managed(demo, "usr-sp-manager-2"))
    alert = next(a for a in AlertItem.query(SP) if a.customer_id in theirs)
    other = alert.customer_id
    adjustment = next(
        a
        for a in AdjustmentItem.query(SP)
        if a.customer_id not in managed(demo, "usr-sp-manager-1")
    )
    line = next(line for line in lines_of(demo) if line.customer_id in theirs)
    guesses = {
        "Customer": other,
        "CustomerAlert": alert.alert_id,
        "AdjustmentRecord": adjustment.adjustment_key,
        "ConsumptionLine": line.line_key,
    }
    for type_name, node_id in guesses.items():
        body = await api.gql(
            "sp-manager-1",
            "query($id: ID!) { node(id: $id) { id } }",
            {"id": gid(type_name, node_id)},
        )
        assert body["data"]["node"] is None and "errors" not in body, type_name
        # The administrator does see each of them: the guesses were real.
        body = await api.gql(
            "sp-admin", "query($id: ID!) { node(id: $id) { id } }", {"id": gid(type_name, node_id)}
        )
        assert body["data"]["node"] is not None, type_name
    made_up = await api.gql(
        "sp-admin",
        "query($id: ID!) { customer(id: $id) { id } }",
        {"id": gid("Customer", "cus-001-9999")},
    )
    assert codes(made_up) == ["NOT_FOUND"]
    for query, variables in [
        ("query($id: ID!) { customer(id: $id) { id } }", {"id": gid("Customer", other)}),
        (
            "query($id: ID!) { customerAlert(id: $id) { id } }",
            {"id": gid("CustomerAlert", alert.alert_id)},
        ),
        (
            'query($c: ID!) { dailyConsumption(customerId: $c, dateFrom: "2026-09-01", '
            'dateTo: "2026-09-01") { complete } }',
            {"c": gid("Customer", other)},
        ),
        (
            'query($c: ID!) { monthlyConsumption(customerId: $c, monthFrom: "2026-09", '
            'monthTo: "2026-09") { complete } }',
            {"c": gid("Customer", other)},
        ),
        (
            "query($c: ID!) { consumptionDetails(filter: {customerId: $c}) { edges { cursor } } }",
            {"c": gid("Customer", other)},
        ),
        (
            "query($c: ID!) { adjustmentRecords(filter: {customerId: $c}) { edges { cursor } } }",
            {"c": gid("Customer", other)},
        ),
        (
            "query($c: ID!) { customerAlerts(filter: {customerId: $c}) { edges { cursor } } }",
            {"c": gid("Customer", other)},
        ),
    ]:
        body = await api.gql("sp-manager-1", query, variables)
        assert codes(body) == ["NOT_FOUND"], (query, body)
    handled = await api.gql(
        "sp-manager-1",
        "mutation($a: ID!) { handleCustomerAlert(input: {alertId: $a}) "
        "{ alert { id } errors { code field } } }",
        {"a": gid("CustomerAlert", alert.alert_id)},
    )
    assert handled["data"]["handleCustomerAlert"] == {
        "alert": None,
        "errors": [{"code": "NOT_FOUND", "field": "alertId"}],
    }


async def test_r2_manager_lists_only_its_customers_records(api: Api, demo: Any) -> None:
    own = set(managed(demo, "usr-sp-manager-1"))
    alerts = await api.gql(
        "sp-manager-1",
        "{ customerAlerts(first: 100) { edges { node { customer { id } customerId } } } }",
    )
    found = {raw(e["node"]["customerId"]) for e in alerts["data"]["customerAlerts"]["edges"]}
    assert found and found <= own
    records = await api.gql(
        "sp-manager-1", "{ adjustmentRecords(first: 100) { edges { node { customerId } } } }"
    )
    found = {raw(e["node"]["customerId"]) for e in records["data"]["adjustmentRecords"]["edges"]}
    assert found and found <= own
    details = await api.gql(
        "sp-manager-1",
        "{ consumptionDetails(first: 100) { edges { node { customerId billDate } } } }",
    )
    since = managed(demo, "usr-sp-manager-1")
    rows = [e["node"] for e in details["data"]["consumptionDetails"]["edges"]]
    assert len(rows) == 100
    for row in rows:  # R5 too: never a day before the day after the assignment
        assert date.fromisoformat(row["billDate"]) >= since[raw(row["customerId"])]


# -- the customers list: filters, sorting, pagination -----------------------------------


@pytest.mark.parametrize(
    ("flt", "keep"),
    [
        ({"search": "有限公司"}, lambda c: "有限公司" in c.name),
        ({"association": "ADVISORY"}, lambda c: c.association == "advisory"),
        ({"unassigned": True}, lambda c: c.manager_id is None),
        (
            {"managerId": str(GlobalID("User", "usr-sp-manager-2"))},
            lambda c: c.manager_id == "usr-sp-manager-2",
        ),
        (
            {"createdFrom": "2026-03-01", "createdTo": "2026-04-30", "association": "RESELLER"},
            lambda c: (
                "2026-03-01"
                <= c.created_at.astimezone(td.BEIJING).date().isoformat()
                <= "2026-04-30"
                and c.association == "reseller"
            ),
        ),
    ],
)
async def test_customer_filters_page_correctly(
    api: Api, demo: Any, flt: dict[str, Any], keep: Any
) -> None:
    expected = sorted(c.customer_id for c in demo.customers if c.partner_id == SP and keep(c))
    got = [raw(n["id"]) for n in await all_customers(api, "sp-admin", flt, first=17)]
    assert got == expected and expected


async def test_search_matches_the_account_name_too(api: Api, demo: Any) -> None:
    customer = next(c for c in demo.customers if c.partner_id == SP)
    got = await all_customers(api, "sp-admin", {"search": customer.account_name})
    assert customer.customer_id in {raw(n["id"]) for n in got}


@pytest.mark.parametrize(
    ("field", "direction"),
    [("NAME", "ASC"), ("NAME", "DESC"), ("CREATED_AT", "ASC"), ("CUSTOMER_ID", "DESC")],
)
async def test_customer_sorting_pages_through_everything_once(
    api: Api, demo: Any, field: str, direction: str
) -> None:
    def key(c: Any) -> tuple[Any, str]:
        value = {"NAME": c.name, "CREATED_AT": c.created_at, "CUSTOMER_ID": c.customer_id}[field]
        return value, c.customer_id

    expected = [
        c.customer_id
        for c in sorted(
            (c for c in demo.customers if c.partner_id == SP and c.association == "advisory"),
            key=key,
            reverse=direction == "DESC",
        )
    ]
    got = await all_customers(
        api,
        "sp-admin",
        {"association": "ADVISORY"},
        {"field": field, "direction": direction},
        first=13,
    )
    assert [raw(n["id"]) for n in got] == expected


async def test_a_cursor_of_another_order_is_refused(api: Api) -> None:
    body = await api.gql("sp-admin", LIST, {"first": 2, "order": {"field": "NAME"}})
    cursor = body["data"]["customers"]["pageInfo"]["endCursor"]
    other = await api.gql("sp-admin", LIST, {"first": 2, "after": cursor})
    assert codes(other) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("first", [0, 101])
async def test_page_size_outside_1_to_100_is_refused(api: Api, first: int) -> None:
    body = await api.gql("sp-admin", LIST, {"first": first})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_customer_detail_has_manager_alerts_history_and_month(api: Api, demo: Any) -> None:
    customer = next(
        c for c in demo.customers if c.manager_id == "usr-sp-manager-1" and c.open_alerts
    )
    body = await api.gql(
        "sp-admin",
        """query($id: ID!) { customer(id: $id) {
        name manager { id login } openAlertCount assignedAt
        monthConsumption(month: "2026-10") { status amount { amount currency } }
        assignmentHistory { action toManager { login } by { login } at } } }""",
        {"id": gid("Customer", customer.customer_id)},
    )
    node = body["data"]["customer"]
    assert node["manager"]["login"] == "sp-manager-1"
    assert node["openAlertCount"] == customer.open_alerts
    assert node["assignmentHistory"][0]["toManager"]["login"] == "sp-manager-1"
    october = sum(
        (
            line.amount
            for line in lines_of(demo)
            if line.customer_id == customer.customer_id and line.bill_date.startswith("2026-10")
        ),
        Decimal("0"),
    )
    assert node["monthConsumption"] == {"status": "AVAILABLE", "amount": money(october)}


# -- R4: summaries agree with the details to the cent -----------------------------------

MONTHLY = """query($c: ID, $from: String!, $to: String!) {
  monthlyConsumption(customerId: $c, monthFrom: $from, monthTo: $to) {
    total { amount currency } complete countedFrom
    figures { period status amount { amount currency } throughDate }
  }
}"""
DAILY = """query($c: ID, $from: Date!, $to: Date!) {
  dailyConsumption(customerId: $c, dateFrom: $from, dateTo: $to) {
    total { amount currency } complete countedFrom
    figures { period status amount { amount currency } throughDate }
  }
}"""


def sums_by(lines: list[Any], key: Any) -> Counter[str]:
    totals: Counter[str] = Counter()
    for line in lines:
        totals[key(line)] += line.amount  # type: ignore[assignment]
    return totals


async def test_r4_partner_monthly_and_daily_summaries_equal_the_details(
    api: Api, demo: Any
) -> None:
    lines = lines_of(demo)
    by_month = sums_by(lines, lambda line: line.bill_date[:7])
    body = await api.gql("sp-admin", MONTHLY, {"from": "2026-08", "to": "2026-10"})
    summary = body["data"]["monthlyConsumption"]
    assert [f["amount"] for f in summary["figures"]] == [
        money(by_month[m]) for m in ("2026-08", "2026-09", "2026-10")
    ]
    assert summary["complete"] is True
    assert summary["total"] == money(sum(by_month.values(), Decimal("0")))

    by_day = sums_by(lines, lambda line: line.bill_date)
    body = await api.gql("sp-admin", DAILY, {"from": "2026-09-01", "to": "2026-09-30"})
    figures = body["data"]["dailyConsumption"]["figures"]
    assert len(figures) == 30
    for figure in figures:
        assert figure["status"] == "AVAILABLE"
        assert figure["amount"] == money(by_day.get(figure["period"], Decimal("0")))


async def test_r4_every_customers_month_equals_its_details(api: Api, demo: Any) -> None:
    query = """query($after: String) { customers(first: 100, after: $after) {
        edges { node { id monthConsumption(month: "2026-09") { status amount { amount } } } }
        pageInfo { hasNextPage endCursor } } }"""
    expected = sums_by(
        [line for line in lines_of(demo) if line.bill_date[:7] == "2026-09"],
        lambda line: line.customer_id,
    )
    after, seen = None, 0
    while True:
        page = (await api.gql("sp-admin", query, {"after": after}))["data"]["customers"]
        for edge in page["edges"]:
            figure = edge["node"]["monthConsumption"]
            customer_id = raw(edge["node"]["id"])
            assert figure["status"] == "AVAILABLE"
            assert figure["amount"]["amount"] == f"{expected.get(customer_id, 0):.2f}"
            seen += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == 300


async def test_r4_r5_manager_summary_equals_its_details_from_the_day_after(
    api: Api, demo: Any
) -> None:
    since = managed(demo, "usr-sp-manager-1")
    lines = [
        line
        for line in lines_of(demo)
        if line.customer_id in since
        and date.fromisoformat(line.bill_date) >= since[line.customer_id]
    ]
    by_month = sums_by(lines, lambda line: line.bill_date[:7])
    body = await api.gql("sp-manager-1", MONTHLY, {"from": "2026-08", "to": "2026-10"})
    assert [f["amount"] for f in body["data"]["monthlyConsumption"]["figures"]] == [
        money(by_month[m]) for m in ("2026-08", "2026-09", "2026-10")
    ]
    # Everything the administrator sees of these customers is more, not less.
    everything = sum(
        (line.amount for line in lines_of(demo) if line.customer_id in since), Decimal("0")
    )
    assert sum(by_month.values(), Decimal("0")) < everything


async def test_r4_one_customers_details_summary_and_month_agree(api: Api, demo: Any) -> None:
    customer = lines_of(demo)[0].customer_id
    customer_gid = gid("Customer", customer)
    query = """query($f: ConsumptionDetailFilter, $after: String) {
        consumptionDetails(first: 100, after: $after, filter: $f) {
          edges { node { amount { amount } } } pageInfo { hasNextPage endCursor } } }"""
    total, after = Decimal("0"), None
    while True:
        page = (
            await api.gql(
                "sp-admin",
                query,
                {
                    "after": after,
                    "f": {
                        "customerId": customer_gid,
                        "dateFrom": "2026-09-01",
                        "dateTo": "2026-09-30",
                    },
                },
            )
        )["data"]["consumptionDetails"]
        total += sum((Decimal(e["node"]["amount"]["amount"]) for e in page["edges"]), Decimal("0"))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    daily = await api.gql(
        "sp-admin", DAILY, {"c": customer_gid, "from": "2026-09-01", "to": "2026-09-30"}
    )
    monthly = await api.gql(
        "sp-admin", MONTHLY, {"c": customer_gid, "from": "2026-09", "to": "2026-09"}
    )
    assert total > 0
    assert daily["data"]["dailyConsumption"]["total"] == money(total)
    assert monthly["data"]["monthlyConsumption"]["total"] == money(total)


# -- R3 and R5 at their boundaries (the test partner) -----------------------------------


async def test_r3_a_day_appears_at_2400_of_the_next_day(api: Api, partner: str, clock: Any) -> None:
    clock(beijing(2026, 9, 12, 23, 59, 59, 999999))
    body = await as_(api, "admin", DAILY, {"from": "2026-09-10", "to": "2026-09-11"})
    tenth, eleventh = body["data"]["dailyConsumption"]["figures"]
    assert tenth == {
        "period": "2026-09-10",
        "status": "AVAILABLE",
        "amount": money(td.expected(first=date(2026, 9, 10), last=date(2026, 9, 10))),
        "throughDate": "2026-09-10",
    }
    assert eleventh["status"] == "NOT_YET_AVAILABLE" and eleventh["amount"] is None
    assert body["data"]["dailyConsumption"]["complete"] is False

    clock(beijing(2026, 9, 13, 0, 0, 0))
    body = await as_(api, "admin", DAILY, {"from": "2026-09-10", "to": "2026-09-11"})
    eleventh = body["data"]["dailyConsumption"]["figures"][1]
    assert eleventh["status"] == "AVAILABLE"
    assert eleventh["amount"] == money(td.expected(first=date(2026, 9, 11), last=date(2026, 9, 11)))


async def test_r3_month_end(api: Api, partner: str, clock: Any) -> None:
    clock(beijing(2026, 10, 1, 23, 59, 59))
    body = await as_(api, "admin", MONTHLY, {"from": "2026-09", "to": "2026-10"})
    september, october = body["data"]["monthlyConsumption"]["figures"]
    assert september["status"] == "PARTIAL" and september["throughDate"] == "2026-09-29"
    assert september["amount"] == money(td.expected(first=date(2026, 9, 1), last=date(2026, 9, 29)))
    assert october == {
        "period": "2026-10",
        "status": "NOT_YET_AVAILABLE",
        "amount": None,
        "throughDate": None,
    }

    clock(beijing(2026, 10, 2, 0, 0, 0))
    body = await as_(api, "admin", MONTHLY, {"from": "2026-09", "to": "2026-09"})
    september = body["data"]["monthlyConsumption"]["figures"][0]
    assert september["status"] == "AVAILABLE" and september["throughDate"] == "2026-09-30"
    assert september["amount"] == money(td.expected(first=date(2026, 9, 1), last=date(2026, 9, 30)))
    # The customers list says the same of the month, from the same clock.
    body = await as_(
        api,
        "admin",
        """{ customers(first: 100) { edges { node { id
        monthConsumption(month: "2026-09") { status amount { amount } } } } } }""",
    )
    for edge in body["data"]["customers"]["edges"]:
        customer_id = raw(edge["node"]["id"])
        figure = edge["node"]["monthConsumption"]
        assert figure["status"] == "AVAILABLE"
        september = td.expected({customer_id}, first=date(2026, 9, 1), last=date(2026, 9, 30))
        assert figure["amount"]["amount"] == f"{september:.2f}"


async def test_r3_a_closed_day_not_rolled_up_says_pending(api: Api, partner: str) -> None:
    # November's days are closed by now, but nothing rolled them up for this partner.
    body = await as_(api, "admin", MONTHLY, {"from": "2026-11", "to": "2026-11"})
    figure = body["data"]["monthlyConsumption"]["figures"][0]
    assert figure["status"] == "PENDING" and figure["amount"] is None
    future = await as_(api, "admin", MONTHLY, {"from": "2099-01", "to": "2099-01"})
    assert future["data"]["monthlyConsumption"]["figures"][0]["status"] == "NOT_YET_AVAILABLE"


@pytest.mark.parametrize(
    ("customer", "first_counted"),
    [("cus-t-01", date(2026, 9, 11)), ("cus-t-02", date(2026, 9, 12))],
)
async def test_r5_manager_counts_from_the_day_after_assignment_at_2359_and_0000(
    api: Api, partner: str, customer: str, first_counted: date
) -> None:
    body = await as_(
        api, "m1", DAILY, {"c": gid("Customer", customer), "from": "2026-09-01", "to": "2026-09-30"}
    )
    summary = body["data"]["dailyConsumption"]
    assert summary["countedFrom"] == first_counted.isoformat()
    for figure in summary["figures"]:
        day = date.fromisoformat(figure["period"])
        expected = (
            td.expected({customer}, first=day, last=day) if day >= first_counted else Decimal("0")
        )
        assert figure["amount"] == money(expected), day
    # The administrator counts every day.
    admin = await as_(
        api,
        "admin",
        DAILY,
        {"c": gid("Customer", customer), "from": "2026-09-01", "to": "2026-09-30"},
    )
    assert admin["data"]["dailyConsumption"]["countedFrom"] is None
    assert admin["data"]["dailyConsumption"]["total"] == money(
        td.expected({customer}, first=date(2026, 9, 1), last=date(2026, 9, 30))
    )


def manager_view(manager: str, first: date, last: date) -> Decimal:
    """What R5 says a manager's all-customers summary holds, from the table's state."""
    since = {
        c.customer_id: day_after(c.assigned_at)
        for c in CustomerItem.by_manager.query(f"{td.PARTNER}#{manager}")
    }
    return td.expected(set(since), first=first, last=last, since=since)


async def test_r5_customer_reassigned_mid_month(api: Api, partner: str) -> None:
    customer, customer_gid = "cus-t-06", gid("Customer", "cus-t-06")
    september = {"from": "2026-09", "to": "2026-09"}
    assert manager_view("usr-t-m1", date(2026, 9, 1), date(2026, 9, 30)) > 0

    moved = assignment.assign(
        td.principal("admin"), [customer], "usr-t-m2", now=lambda: beijing(2026, 9, 15, 12, 0, 0)
    )
    assert moved[0].ok
    m2 = await as_(api, "m2", MONTHLY, {"c": customer_gid, **september})
    assert m2["data"]["monthlyConsumption"]["countedFrom"] == "2026-09-16"
    assert m2["data"]["monthlyConsumption"]["total"] == money(
        td.expected({customer}, first=date(2026, 9, 16), last=date(2026, 9, 30))
    )
    # The previous manager no longer sees the customer at all (R2)...
    m1 = await as_(api, "m1", MONTHLY, {"c": customer_gid, **september})
    assert codes(m1) == ["NOT_FOUND"]
    # ...and its all-customers month no longer counts it.
    m1_all = await as_(api, "m1", MONTHLY, september)
    assert m1_all["data"]["monthlyConsumption"]["total"] == money(
        manager_view("usr-t-m1", date(2026, 9, 1), date(2026, 9, 30))
    )

    # Back to the first manager: it counts from the day after its latest assignment.
    back = assignment.assign(
        td.principal("operator"), [customer], "usr-t-m1", now=lambda: beijing(2026, 9, 20, 8, 0, 0)
    )
    assert back[0].ok
    m1 = await as_(api, "m1", DAILY, {"c": customer_gid, "from": "2026-09-01", "to": "2026-09-30"})
    assert m1["data"]["dailyConsumption"]["countedFrom"] == "2026-09-21"
    assert m1["data"]["dailyConsumption"]["total"] == money(
        td.expected({customer}, first=date(2026, 9, 21), last=date(2026, 9, 30))
    )
    details = await as_(
        api,
        "m1",
        """query($c: ID!) { consumptionDetails(first: 100,
        filter: {customerId: $c}) { edges { node { billDate } } } }""",
        {"c": customer_gid},
    )
    days = {e["node"]["billDate"] for e in details["data"]["consumptionDetails"]["edges"]}
    assert days and min(days) >= "2026-09-21"
    history = await as_(
        api,
        "admin",
        """query($id: ID!) { customer(id: $id) {
        assignmentHistory { action fromManager { login } toManager { login } by { login } at }
        } }""",
        {"id": customer_gid},
    )
    changes = history["data"]["customer"]["assignmentHistory"]
    assert [
        (c["action"], c["fromManager"]["login"], c["toManager"]["login"], c["by"]["login"])
        for c in changes[:2]
    ] == [("REASSIGN", "t-m2", "t-m1", "t-operator"), ("REASSIGN", "t-m1", "t-m2", "t-admin")]
    assert changes[1]["at"].startswith("2026-09-15T04:00:00")


# -- assignment -------------------------------------------------------------------------

ASSIGN = """mutation($input: AssignCustomersInput!) { assignCustomers(input: $input) {
  succeededCount failedCount
  results { customerId ok error { code field } customer { id manager { login } } }
  errors { code field message } } }"""
UNASSIGN_ONE = """mutation($input: UnassignCustomerInput!) { unassignCustomer(input: $input) {
  customer { id manager { login } } errors { code field } } }"""
ASSIGN_ONE = """mutation($input: AssignCustomerInput!) { assignCustomer(input: $input) {
  customer { id manager { login } assignedAt } errors { code field } } }"""


async def test_r2_batch_assignment_reports_each_customer(api: Api, partner: str) -> None:
    ids = [
        gid("Customer", "cus-t-07"),
        gid("Customer", "cus-t-08"),
        gid("Customer", "cus-t-07"),
        gid("Job", "cus-t-09"),
        gid("Customer", "cus-t-404"),
        gid("Customer", "cus-001-0001"),
    ]
    body = await as_(
        api, "admin", ASSIGN, {"input": {"customerIds": ids, "managerId": gid("User", "usr-t-m2")}}
    )
    payload = body["data"]["assignCustomers"]
    assert payload["errors"] == []
    assert [(r["ok"], r["error"] and r["error"]["code"]) for r in payload["results"]] == [
        (True, None),
        (True, None),
        (False, "DUPLICATE_IN_BATCH"),
        (False, "BAD_USER_INPUT"),
        (False, "NOT_FOUND"),
        (False, "NOT_FOUND"),
    ]  # another partner's is not found
    assert (payload["succeededCount"], payload["failedCount"]) == (2, 4)
    assert payload["results"][0]["customer"]["manager"]["login"] == "t-m2"
    listed = await as_(api, "m2", "{ customers(first: 100) { edges { node { id } } } }")
    assert {raw(e["node"]["id"]) for e in listed["data"]["customers"]["edges"]} >= {
        "cus-t-07",
        "cus-t-08",
    }
    again = await as_(
        api,
        "admin",
        ASSIGN,
        {
            "input": {
                "customerIds": [gid("Customer", "cus-t-07")],
                "managerId": gid("User", "usr-t-m2"),
            }
        },
    )
    assert again["data"]["assignCustomers"]["results"][0]["error"]["code"] == "ALREADY_ASSIGNED"


async def test_r2_single_assign_reassign_unassign_with_history(api: Api, partner: str) -> None:
    customer = gid("Customer", "cus-t-09")
    body = await as_(
        api,
        "operator",
        ASSIGN_ONE,
        {"input": {"customerId": customer, "managerId": gid("User", "usr-t-m1")}},
    )
    assert body["data"]["assignCustomer"]["errors"] == []
    assert body["data"]["assignCustomer"]["customer"]["manager"]["login"] == "t-m1"
    seen = await as_(api, "m1", "query($id: ID!) { node(id: $id) { id } }", {"id": customer})
    assert seen["data"]["node"] == {"id": customer}

    body = await as_(
        api,
        "admin",
        ASSIGN_ONE,
        {"input": {"customerId": customer, "managerId": gid("User", "usr-t-m2")}},
    )
    assert body["data"]["assignCustomer"]["customer"]["manager"]["login"] == "t-m2"
    gone = await as_(api, "m1", "query($id: ID!) { node(id: $id) { id } }", {"id": customer})
    assert gone["data"]["node"] is None

    body = await as_(api, "admin", UNASSIGN_ONE, {"input": {"customerId": customer}})
    assert body["data"]["unassignCustomer"]["customer"]["manager"] is None
    body = await as_(api, "admin", UNASSIGN_ONE, {"input": {"customerId": customer}})
    assert body["data"]["unassignCustomer"]["errors"] == [
        {"code": "NOT_ASSIGNED", "field": "customerId"}
    ]

    history = await as_(
        api,
        "admin",
        """query($id: ID!) { customer(id: $id) {
        assignmentHistory { action fromManager { login } toManager { login } by { login } }
        } }""",
        {"id": customer},
    )
    assert [
        (
            h["action"],
            h["fromManager"] and h["fromManager"]["login"],
            h["toManager"] and h["toManager"]["login"],
            h["by"]["login"],
        )
        for h in history["data"]["customer"]["assignmentHistory"]
    ] == [
        ("UNASSIGN", "t-m2", None, "t-admin"),
        ("REASSIGN", "t-m1", "t-m2", "t-admin"),
        ("ASSIGN", None, "t-m1", "t-operator"),
    ]


@pytest.mark.parametrize(
    ("manager", "code"),
    [
        (gid("User", "usr-t-op"), "NOT_FOUND"),  # a user, not a customer manager
        (gid("User", "usr-sp-manager-1"), "NOT_FOUND"),  # another partner's manager
        (gid("Customer", "usr-t-m1"), "BAD_USER_INPUT"),
    ],
)
async def test_assigning_to_something_other_than_a_manager_is_refused(
    api: Api, partner: str, manager: str, code: str
) -> None:
    body = await as_(
        api,
        "admin",
        ASSIGN,
        {"input": {"customerIds": [gid("Customer", "cus-t-04")], "managerId": manager}},
    )
    payload = body["data"]["assignCustomers"]
    assert payload["results"] == []
    assert payload["errors"][0]["code"] == code and payload["errors"][0]["field"] == "managerId"


async def test_oversized_batch_is_refused_whole(api: Api, partner: str) -> None:
    ids = [gid("Customer", f"cus-t-{n:03d}") for n in range(101)]
    body = await as_(
        api, "admin", ASSIGN, {"input": {"customerIds": ids, "managerId": gid("User", "usr-t-m1")}}
    )
    assert body["data"]["assignCustomers"]["errors"][0]["field"] == "customerIds"


async def test_assignment_is_idempotent_per_key(api: Api, partner: str) -> None:
    variables = {
        "input": {
            "customerIds": [gid("Customer", "cus-t-04")],
            "managerId": gid("User", "usr-t-m2"),
            "idempotencyKey": "assign-04",
        }
    }
    first = await as_(api, "admin", ASSIGN, variables)
    again = await as_(api, "admin", ASSIGN, variables)
    assert first["data"]["assignCustomers"]["results"][0]["ok"] is True
    # The retry gets the first outcome back, not ALREADY_ASSIGNED.
    assert again["data"]["assignCustomers"]["results"][0]["ok"] is True
    variables["input"]["managerId"] = gid("User", "usr-t-m1")
    other = await as_(api, "admin", ASSIGN, variables)
    assert other["data"]["assignCustomers"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    unassigned = await as_(
        api, "admin", UNASSIGN_ONE, {"input": {"customerId": gid("Customer", "cus-t-04")}}
    )
    assert unassigned["data"]["unassignCustomer"]["errors"] == []


# -- alerts -----------------------------------------------------------------------------

ALERTS = """query($filter: CustomerAlertFilter) { customerAlerts(first: 100, filter: $filter)
  { edges { node { id type severity handled handledBy { login } handledAt remark
    customer { id openAlertCount } } } } }"""
HANDLE = """mutation($input: HandleCustomerAlertsInput!) { handleCustomerAlerts(input: $input) {
  succeededCount failedCount results { alertId ok error { code field } alert { handled
  handledBy { login } remark } } errors { code field } } }"""
HANDLE_ONE = """mutation($input: HandleCustomerAlertInput!) { handleCustomerAlert(input: $input) {
  alert { id handled handledAt handledBy { login } remark customer { openAlertCount } }
  errors { code field message } } }"""


@pytest.fixture(scope="module")
def raised(partner: str) -> dict[str, list[str]]:
    own = [
        alert_service.raise_alert(
            td.PARTNER, "cus-t-01", alert_service.AlertType.ARREARS, severity, "欠费 / In arrears"
        ).alert_id
        for severity in (
            alert_service.Severity.CRITICAL,
            alert_service.Severity.WARNING,
            alert_service.Severity.INFO,
        )
    ]
    other = [
        alert_service.raise_alert(
            td.PARTNER,
            "cus-t-05",
            alert_service.AlertType.BALANCE_LOW,
            alert_service.Severity.INFO,
            "余额不足",
        ).alert_id
    ]
    return {"m1": own, "m2": other}


async def open_count(api: Api, customer: str) -> int:
    body = await as_(
        api,
        "admin",
        "query($id: ID!) { customer(id: $id) { openAlertCount } }",
        {"id": gid("Customer", customer)},
    )
    return int(body["data"]["customer"]["openAlertCount"])


async def test_alerts_are_listed_with_filters(api: Api, raised: dict[str, list[str]]) -> None:
    body = await as_(api, "m1", ALERTS, {"filter": {"handled": False, "type": "ARREARS"}})
    nodes = [e["node"] for e in body["data"]["customerAlerts"]["edges"]]
    assert {raw(n["id"]) for n in nodes} >= set(raised["m1"][1:])
    assert all(n["type"] == "ARREARS" and not n["handled"] for n in nodes)
    critical = await as_(
        api,
        "admin",
        ALERTS,
        {"filter": {"severity": "CRITICAL", "customerId": gid("Customer", "cus-t-01")}},
    )
    assert {raw(e["node"]["id"]) for e in critical["data"]["customerAlerts"]["edges"]} == {
        raised["m1"][0]
    }
    m2 = await as_(api, "m1", ALERTS)
    assert raised["m2"][0] not in {
        raw(e["node"]["id"]) for e in m2["data"]["customerAlerts"]["edges"]
    }


async def test_handling_records_who_when_remark_and_twice_is_an_error(
    api: Api, raised: dict[str, list[str]]
) -> None:
    alert = gid("CustomerAlert", raised["m1"][0])
    before = await open_count(api, "cus-t-01")
    body = await as_(api, "m1", HANDLE_ONE, {"input": {"alertId": alert, "remark": "已联系客户"}})
    payload = body["data"]["handleCustomerAlert"]
    assert payload["errors"] == []
    assert payload["alert"]["handled"] is True
    assert payload["alert"]["handledBy"]["login"] == "t-m1"
    assert payload["alert"]["remark"] == "已联系客户"
    handled_at = datetime.fromisoformat(payload["alert"]["handledAt"])
    assert abs((handled_at - datetime.now(UTC)).total_seconds()) < 60
    assert await open_count(api, "cus-t-01") == before - 1

    twice = await as_(api, "admin", HANDLE_ONE, {"input": {"alertId": alert}})
    assert twice["data"]["handleCustomerAlert"]["errors"][0]["code"] == "ALREADY_HANDLED"
    assert await open_count(api, "cus-t-01") == before - 1
    # The first handling stands: who, when and remark unchanged.
    seen = await as_(
        api,
        "admin",
        "query($id: ID!) { customerAlert(id: $id) { handledBy { login } remark } }",
        {"id": alert},
    )
    assert seen["data"]["customerAlert"] == {"handledBy": {"login": "t-m1"}, "remark": "已联系客户"}


async def test_batch_handling_reports_each_alert(api: Api, raised: dict[str, list[str]]) -> None:
    first, second, third = (gid("CustomerAlert", a) for a in raised["m1"])
    others = gid("CustomerAlert", raised["m2"][0])
    await as_(api, "m1", HANDLE_ONE, {"input": {"alertId": first}})  # may be handled already
    before = await open_count(api, "cus-t-01")
    body = await as_(
        api,
        "m1",
        HANDLE,
        {
            "input": {
                "alertIds": [second, third, second, first, others, gid("Customer", "cus-t-01")],
                "remark": "batch",
            }
        },
    )
    payload = body["data"]["handleCustomerAlerts"]
    assert [(r["ok"], r["error"] and r["error"]["code"]) for r in payload["results"]] == [
        (True, None),
        (True, None),
        (False, "DUPLICATE_IN_BATCH"),
        (False, "ALREADY_HANDLED"),
        (False, "NOT_FOUND"),
        (False, "BAD_USER_INPUT"),
    ]
    assert payload["results"][0]["alert"]["remark"] == "batch"
    assert await open_count(api, "cus-t-01") == before - 2
    handled = await as_(
        api,
        "admin",
        ALERTS,
        {"filter": {"handled": True, "customerId": gid("Customer", "cus-t-01")}},
    )
    assert {raw(e["node"]["id"]) for e in handled["data"]["customerAlerts"]["edges"]} >= set(
        raised["m1"]
    )


async def test_remark_too_long_is_a_payload_error(api: Api, raised: dict[str, list[str]]) -> None:
    body = await as_(
        api,
        "admin",
        HANDLE_ONE,
        {"input": {"alertId": gid("CustomerAlert", raised["m2"][0]), "remark": "x" * 501}},
    )
    assert body["data"]["handleCustomerAlert"]["errors"][0]["field"] == "remark"


# -- consumption details ----------------------------------------------------------------

DETAILS = """query($first: Int, $after: String, $f: ConsumptionDetailFilter) {
  consumptionDetails(first: $first, after: $after, filter: $f) {
    edges { node { lineId billDate product amount { amount } } }
    pageInfo { hasNextPage endCursor } } }"""


@pytest.mark.parametrize(
    "flt",
    [
        {},
        {"product": "ECS"},
        {"dateFrom": "2026-09-11", "dateTo": "2026-09-15", "minAmount": "300"},
        {"customerId": gid("Customer", "cus-t-03"), "maxAmount": "400.00"},
        {"billingMode": "reserved"},
    ],
)
async def test_details_filters_page_newest_first(
    api: Api, partner: str, flt: dict[str, Any]
) -> None:
    def keep(line: Any) -> bool:
        return (
            (not flt.get("product") or line.product == flt["product"])
            and (not flt.get("dateFrom") or line.bill_date >= flt["dateFrom"])
            and (not flt.get("dateTo") or line.bill_date <= flt["dateTo"])
            and (not flt.get("minAmount") or line.amount >= Decimal(flt["minAmount"]))
            and (not flt.get("maxAmount") or line.amount <= Decimal(flt["maxAmount"]))
            and (not flt.get("customerId") or line.customer_id == raw(flt["customerId"]))
            and (not flt.get("billingMode") or line.billing_mode == flt["billingMode"])
        )

    expected = [
        line.line_id
        for line in sorted(td.lines(), key=lambda line: line.line_key, reverse=True)
        if keep(line)
    ]
    got, after = [], None
    while True:
        page = (await as_(api, "admin", DETAILS, {"first": 7, "after": after, "f": flt}))["data"][
            "consumptionDetails"
        ]
        got += [e["node"]["lineId"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert got == expected


async def test_details_bad_filters_are_clear_errors(api: Api, partner: str) -> None:
    body = await as_(api, "admin", DETAILS, {"f": {"billingMode": "weekly"}})
    assert codes(body) == ["BAD_USER_INPUT"]
    body = await as_(api, "admin", DETAILS, {"f": {"customerId": gid("Job", "x")}})
    assert codes(body) == ["BAD_USER_INPUT"]


# -- adjustment records and their exports -----------------------------------------------

ADJUSTMENTS = """query($first: Int, $after: String, $f: AdjustmentRecordFilter) {
  adjustmentRecords(first: $first, after: $after, filter: $f) {
    edges { node { adjustmentId type amount { amount currency } customerId operatorId
      billDate customer { id } } }
    pageInfo { hasNextPage endCursor } } }"""


async def all_adjustments(api: Api, login: str, flt: dict[str, Any]) -> list[dict[str, Any]]:
    nodes, after = [], None
    while True:
        page = (await api.gql(login, ADJUSTMENTS, {"first": 50, "after": after, "f": flt}))["data"][
            "adjustmentRecords"
        ]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_adjustment_filters(api: Api, demo: Any) -> None:
    records = list(AdjustmentItem.query(SP))
    customer = records[0].customer_id
    cases = [
        ({"type": "CREDIT"}, lambda r: r.adjustment_type == "credit"),
        (
            {"dateFrom": "2026-09-01", "dateTo": "2026-09-30", "type": "DEBIT"},
            lambda r: "2026-09-01" <= r.bill_date <= "2026-09-30" and r.adjustment_type == "debit",
        ),
        ({"customerId": gid("Customer", customer)}, lambda r: r.customer_id == customer),
        (
            {"operatorId": gid("User", "usr-sp-operator")},
            lambda r: r.operator_id == "usr-sp-operator",
        ),
    ]
    for flt, keep in cases:
        expected = [
            r.adjustment_id
            for r in sorted(records, key=lambda r: r.adjustment_key, reverse=True)
            if keep(r)
        ]
        got = [n["adjustmentId"] for n in await all_adjustments(api, "sp-admin", flt)]
        assert got == expected and expected, flt
    bad = await api.gql(
        "sp-admin", ADJUSTMENTS, {"f": {"dateFrom": "2026-09-02", "dateTo": "2026-09-01"}}
    )
    assert codes(bad) == ["BAD_USER_INPUT"]


REQUEST = """mutation($input: RequestExportInput!) { requestExport(input: $input) {
  created job { id status } errors { code field message } } }"""
JOB = "query($id: ID!) { job(id: $id) { status rowCount downloadUrl errorCode } }"


async def export(
    api: Api, workers: Workers, login: str, fmt: str, flt: dict[str, Any]
) -> tuple[dict[str, Any], bytes]:
    body = await api.gql(
        login,
        REQUEST,
        {"input": {"kind": "ADJUSTMENT_RECORDS", "format": fmt, "adjustmentRecords": flt}},
    )
    payload = body["data"]["requestExport"]
    assert payload["errors"] == [], payload
    await workers.drain()
    job = (await api.gql(login, JOB, {"id": payload["job"]["id"]}))["data"]["job"]
    assert job["status"] == "SUCCEEDED", job
    return job, httpx.get(job["downloadUrl"]).content


async def test_adjustment_export_csv_is_anonymized_and_complete(
    api: Api, workers: Workers, demo: Any
) -> None:
    records = [r for r in AdjustmentItem.query(SP) if "2026-08-01" <= r.bill_date <= "2026-09-30"]
    job, body = await export(
        api, workers, "sp-admin", "CSV", {"dateFrom": "2026-08-01", "dateTo": "2026-09-30"}
    )
    rows = parse_csv(body)
    header, data = rows[0], rows[1:]
    assert job["rowCount"] == len(data) == len(records)
    amount = header.index("金额/Amount")
    assert sum(Decimal(r[amount]) for r in data) == sum(r.amount for r in records)
    text = body.decode("utf-8-sig")
    assert leaked(text, demo) == []
    for column in ("客户名称/Customer name", "操作员/Operator"):
        index = header.index(column)
        assert all("*" in r[index] for r in data), column


async def test_adjustment_export_xlsx_and_manager_scope(
    api: Api, workers: Workers, demo: Any
) -> None:
    from openpyxl import load_workbook

    own = set(managed(demo, "usr-sp-manager-1"))
    records = [r for r in AdjustmentItem.query(SP) if r.customer_id in own]
    job, body = await export(api, workers, "sp-manager-1", "XLSX", {})
    sheet = load_workbook(BytesIO(body), read_only=True).worksheets[0]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header, data = rows[0], rows[1:]
    assert job["rowCount"] == len(data) == len(records) > 0
    customer = header.index("客户ID/Customer ID")
    assert {r[customer] for r in data} <= own
    names = {c.name for c in demo.customers} | {i.name for i in demo.directory}
    assert not any(cell in names for row in data for cell in row if isinstance(cell, str))


async def test_adjustment_export_refuses_others_customer_and_bad_type(api: Api, demo: Any) -> None:
    other = next(c.customer_id for c in demo.customers if c.manager_id == "usr-sp-manager-2")
    body = await api.gql(
        "sp-manager-1",
        REQUEST,
        {
            "input": {
                "kind": "ADJUSTMENT_RECORDS",
                "adjustmentRecords": {"customerId": gid("Customer", other)},
            }
        },
    )
    assert body["data"]["requestExport"]["errors"][0]["code"] == "NOT_FOUND"
    body = await api.gql(
        "sp-admin",
        REQUEST,
        {
            "input": {
                "kind": "ADJUSTMENT_RECORDS",
                "adjustmentRecords": {"operatorId": gid("Customer", other)},
            }
        },
    )
    assert body["data"]["requestExport"]["errors"][0]["field"] == "operatorId"


# -- N+1: requests do not grow with the page size ---------------------------------------


class DynamoDBCalls:
    """Counts DynamoDB API calls through botocore's event hooks on every model's client."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._clients = {
            id(c): c for c in (model._get_connection().connection.client for model in registered())
        }

    def _hook(self, model: Any, params: Any = None, **_: Any) -> None:
        from partner_center.ratelimit.models import BudgetItem

        # The per-request query budget is a fixed pair of calls whatever the page size.
        if isinstance(params, dict) and params.get("TableName") == BudgetItem.Meta.table_name:
            return
        # So is the caller's read of its own directory records (core/grants.py), the one
        # strongly consistent read of the directory.
        if isinstance(params, dict) and any(
            DirectoryItem.Meta.table_name == table and keys.get("ConsistentRead")
            for table, keys in (params.get("RequestItems") or {}).items()
        ):
            return
        self.calls[model.name] += 1

    def __enter__(self) -> DynamoDBCalls:
        for client in self._clients.values():
            client.meta.events.register("before-parameter-build.dynamodb", self._hook)
        return self

    def __exit__(self, *exc: Any) -> None:
        for client in self._clients.values():
            client.meta.events.unregister("before-parameter-build.dynamodb", self._hook)


PAGE = """query($first: Int!) { customers(first: $first) { edges { node {
  id name manager { id displayName } openAlertCount
  monthConsumption(month: "2026-09") { status amount { amount currency } } } } } }"""


@pytest.mark.parametrize("login", ["sp-admin", "sp-manager-1"])
async def test_a_page_of_100_costs_the_requests_of_a_page_of_10(api: Api, login: str) -> None:
    await api.gql(login, PAGE, {"first": 5})  # connections and metadata warmed up
    counts = {}
    for size in (10, 100):
        with DynamoDBCalls() as counter:
            body = await api.gql(login, PAGE, {"first": size})
        edges = body["data"]["customers"]["edges"]
        assert len(edges) == min(size, 100 if login == "sp-admin" else 60)
        assert all(e["node"]["monthConsumption"]["amount"] for e in edges)
        counts[size] = counter.calls
    assert counts[10] == counts[100], counts
    assert 3 <= sum(counts[100].values()) <= 4, counts[100]
    assert counts[100]["Query"] == 1 and counts[100]["BatchGetItem"] == 2, counts[100]


ROWS = """fragment Row on Customer {
  id manager { id displayName }
  september: monthConsumption(month: "2026-09") { status amount { amount } }
  ... on Customer { october: monthConsumption(month: "2026-10") { status amount { amount } } }
}"""


@pytest.mark.parametrize("login", ["sp-admin", "sp-manager-1"])
async def test_r2_r5_a_pages_prefetched_rows_answer_as_rows_read_on_their_own(
    api: Api, login: str
) -> None:
    """The page asks its loaders for its rows' managers and months up front (through
    fragments and aliases); `node` reads the same customers row by row (9 of them: the
    query may hold 30 aliases). R5 for a manager: the same figures either way."""
    page = await api.gql(
        login, ROWS + "query { customers(first: 9) { edges { node { ...Row } } } }"
    )
    rows = [e["node"] for e in page["data"]["customers"]["edges"]]
    assert rows and any(r["manager"] for r in rows) and all(r["october"] for r in rows)
    one_by_one = " ".join(f'n{i}: node(id: "{r["id"]}") {{ ...Row }}' for i, r in enumerate(rows))
    alone = await api.gql(login, ROWS + f"query {{ {one_by_one} }}")
    assert "errors" not in alone, alone["errors"]
    assert [alone["data"][f"n{i}"] for i in range(len(rows))] == rows


async def test_a_skipped_row_field_is_not_read_for_the_page(api: Api) -> None:
    await api.gql("sp-admin", PAGE, {"first": 5})
    skipped = PAGE.replace("manager { id displayName }", "manager @skip(if: true) { id }")
    with DynamoDBCalls() as counter:
        body = await api.gql("sp-admin", skipped, {"first": 20})
    assert all("manager" not in e["node"] for e in body["data"]["customers"]["edges"])
    # The rows' month roll-ups only: no BatchGetItem of the managers.
    assert counter.calls["BatchGetItem"] == 1, counter.calls


# -- races: conditional writes decide -----------------------------------------------------


async def test_a_handler_that_read_before_another_handled_is_refused(
    api: Api, partner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two handlers race: the loser read the alert while it was still open. Its write is
    conditional, so it gets ALREADY_HANDLED and the open count drops once. (Staged with
    a stale read: the embedded AWS does not serialize concurrent requests the way
    DynamoDB does, so real threads would test moto rather than our condition.)"""
    alert_id = alert_service.raise_alert(
        td.PARTNER,
        "cus-t-03",
        alert_service.AlertType.ARREARS,
        alert_service.Severity.CRITICAL,
        "欠费 / In arrears",
    ).alert_id
    store = alert_service.AlertStore(td.PARTNER)
    open_copy = store.get(alert_id)
    before = await open_count(api, "cus-t-03")
    assert alert_service.handle(td.principal("admin"), [alert_id], "first")[0].ok
    monkeypatch.setattr(alert_service.AlertStore, "get", lambda self, _: open_copy)
    late = alert_service.handle(td.principal("m1"), [alert_id], "second")
    assert late[0].code == "ALREADY_HANDLED"
    monkeypatch.undo()
    assert await open_count(api, "cus-t-03") == before - 1
    kept = store.get(alert_id)
    assert kept is not None and (kept.handled_by, kept.remark) == ("usr-t-admin", "first")


def test_a_stale_read_never_overwrites_a_newer_assignment(
    partner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from partner_center.customers.store import CustomerStore

    customer = "cus-t-05"  # assigned to m2
    fresh = CustomerStore(td.PARTNER).get(customer, consistent=True)
    assert fresh is not None and fresh.manager_id == "usr-t-m2"
    stale = CustomerItem(
        td.PARTNER,
        customer,
        name=fresh.name,
        account_name="x",
        association="reseller",
        created_at=fresh.created_at,
    )
    real_get = CustomerStore.get
    reads: list[str] = []

    def get(self: CustomerStore, customer_id: str, *, consistent: bool = False) -> Any:
        reads.append(customer_id)
        return stale if len(reads) == 1 else real_get(self, customer_id, consistent=consistent)

    monkeypatch.setattr(CustomerStore, "get", get)
    outcome = assignment.assign(td.principal("admin"), [customer], "usr-t-m1")
    assert outcome[0].ok and len(reads) == 2  # the stale write was refused, then redone
    history = assignment.history(td.PARTNER, customer)
    assert (history[0].from_manager, history[0].to_manager) == ("usr-t-m2", "usr-t-m1")
    monkeypatch.setattr(CustomerStore, "get", real_get)
    back = assignment.assign(
        td.principal("admin"), [customer], "usr-t-m2", now=lambda: beijing(2026, 7, 1, 9, 0, 0)
    )
    assert back[0].ok
