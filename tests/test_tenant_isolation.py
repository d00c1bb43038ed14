"""Issue 8 (must hold): no role of partner A can read or change partner B's objects.

Partner A is ptn-sp-001 (each of its demo roles), partner B is ptn-sp-002 (sp2-admin).
B's global IDs are collected from B's own list queries (the operation documents in
graphql/), with a few objects created through B's own mutations where the demo data has
none. Then, as every role of A:

1. `node(id:)` for each of B's IDs (batched, 30 aliases a request);
2. every query root field taking an ID argument, with B's IDs of the matching type;
3. every mutation, with an input naming B's objects.

No answer may contain a B ID or a B customer/lead name, and each call must be refused
(an error, a payload error, or null). Finally B's listings must be unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, OperationDefinitionNode, parse, print_ast
from graphql.language import FragmentDefinitionNode, FragmentSpreadNode, visit
from graphql.language.visitor import Visitor

from partner_center.api.schema import schema
from partner_center.core.clock import beijing_date, utcnow
from partner_center.local.demo.marketplace import tax_number

A_LOGINS = ["sp-admin", "sp-operator", "sp-operator-noperm", "sp-manager-1", "sp-staff-1"]
B_LOGIN = "sp2-admin"
MAX_ALIASES = 30
DOCS = Path(__file__).resolve().parents[1] / "graphql"

GQL = schema._schema  # the graphql-core schema strawberry built
NODE_TYPES = {t.name for t in GQL.get_implementations(GQL.get_type("Node")).objects}

# Node types for which no B ID is expected. Each must be justified.
NOT_TENANT_SCOPED = {
    # The marketplace product catalogue is global: every partner lists the same products
    # under the same IDs (`marketplaceProducts` of A and B answer identical IDs).
    "MarketplaceProduct",
}


# --------------------------------------------------------------------------- documents


class Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.append(node.name.value)


def _operations() -> dict[str, str]:
    """Every named operation of graphql/*.graphql, with the fragments it uses."""
    found: dict[str, str] = {}
    for path in sorted(DOCS.glob("*.graphql")):
        document = parse(path.read_text())
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode) or definition.name is None:
                continue
            needed: dict[str, FragmentDefinitionNode] = {}
            pending: list[Any] = [definition]
            while pending:
                spreads = Spreads()
                visit(pending.pop(), spreads)
                for name in spreads.names:
                    if name not in needed:
                        needed[name] = fragments[name]
                        pending.append(fragments[name])
            found[definition.name.value] = "\n".join(
                print_ast(d) for d in [definition, *needed.values()]
            )
    return found


OPS = _operations()

# B's listings: what is collected (IDs, names) and compared before and after.
LISTINGS = {
    "Customers": {"first": 100},
    "CustomerAlerts": {"first": 100},
    "ConsumptionDetails": {"first": 50},
    "AdjustmentRecords": {"first": 50},
    "Leads": {"first": 100},
    "Incentives": {"first": 100},
    "IncentiveApplications": {"first": 50},
    "Opportunities": {"first": 50},
    "MarketplaceShareLinks": {"first": 50},
    "MarketplaceBills": {"first": 50},
    "PartnerBills": {"first": 20},
    "PaymentAgreements": {"first": 50},
    "PaymentContracts": {"first": 50},
    "Jobs": {"first": 50},
    "AuditEvents": {"first": 50},
    "WebhookSubscriptions": {"first": 20, "deliveries": 5},
    "Viewer": {},
}
# Fields that move on their own (a job is worked on by the export worker).
VOLATILE = {
    "progress",
    "status",
    "rowCount",
    "byteSize",
    "sha256",
    "fileName",
    "startedAt",
    "finishedAt",
    "attempts",
    "lastAttemptError",
    "errorCode",
    "cursor",
    "endCursor",
    "downloadUrl",
    "downloadUrlExpiresAt",
    # A webhook delivery is attempted by the webhook worker.
    "httpStatus",
    "latencyMs",
    "lastError",
    "lastAttemptAt",
    "nextRetryAt",
}

EXTRA = """
query Extra {
  partnerBills(first: 3) {
    edges { node { id items(first: 5) { edges { node { id customerName } } } } } }
  marketplaceBills(first: 50) {
    edges { node { id status transactionCount invoiceRequests { id } } } }
}"""
TRANSACTIONS = """
query T($billId: ID!) { marketplaceTransactions(billId: $billId, first: 5) {
  edges { node { id buyerName } } } }"""


def decode(global_id: str) -> str | None:
    try:
        text = base64.b64decode(global_id, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    kind, sep, _ = text.partition(":")
    return kind if sep and kind in NODE_TYPES else None


def walk(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)
    else:
        yield key, value


def ids_of(answer: Any) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for _, value in walk(answer):
        if isinstance(value, str) and (kind := decode(value)):
            found.setdefault(kind, set()).add(value)
    return found


def strip_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [strip_volatile(v) for v in value]
    return value


async def listings(api: Any, login: str) -> dict[str, Any]:
    answers = {}
    for name, variables in LISTINGS.items():
        answer = await api.gql(login, OPS[name], variables)
        assert not answer.get("errors") or login != B_LOGIN, (name, answer["errors"])
        answers[name] = answer.get("data")
    extra = await api.gql(login, EXTRA)
    assert not extra.get("errors") or login != B_LOGIN, extra["errors"]
    answers["Extra"] = extra.get("data")
    for edge in ((extra.get("data") or {}).get("marketplaceBills") or {}).get("edges", []):
        if edge["node"]["transactionCount"]:
            answer = await api.gql(login, TRANSACTIONS, {"billId": edge["node"]["id"]})
            answers[f"T{edge['node']['id']}"] = answer.get("data")
    return answers


def names_in(answer: Any, *sections: str) -> set[str]:
    return {
        v
        for section in sections
        for k, v in walk((answer or {}).get(section))
        if k in {"name", "contactName", "customerName", "buyerName"}
        and isinstance(v, str)
        and len(v) >= 2
    }


# --------------------------------------------------------------------------- B's world


async def create_b_objects(api: Any) -> None:
    """Objects the demo data gives B none of: a job, an agreement, a contract, an invoice
    request (audit events follow from these mutations)."""

    async def ok(name: str, input_: dict[str, Any]) -> dict[str, Any]:
        answer = await api.gql(B_LOGIN, OPS[name], {"input": input_})
        assert not answer.get("errors"), answer
        payload = next(iter(answer["data"].values()))
        assert not payload.get("errors"), (name, payload)
        return payload

    await ok(
        "RequestExport",
        {
            "kind": "CONSUMPTION_DETAILS",
            "format": "CSV",
            "consumptionDetails": {"dateFrom": "2026-09-01", "dateTo": "2026-09-30"},
        },
    )
    today = beijing_date(utcnow())
    await ok(
        "CreatePaymentAgreement",
        {
            "payerAccountName": "乙方数据服务有限公司",
            "bank": "招商银行深圳分行",
            "accountNumber": "6222 0212 3456 7890 999",
            "entrustedParty": "乙方数据服务有限公司",
            "entrustedPartyType": "ENTERPRISE",
            "validFrom": today.isoformat(),
            "validUntil": (today + timedelta(days=365)).isoformat(),
        },
    )
    customers = (await api.gql(B_LOGIN, OPS["Customers"], {"first": 100}))["data"]["customers"]
    reseller = next(
        e["node"]["id"] for e in customers["edges"] if e["node"]["association"] == "RESELLER"
    )
    await ok(
        "RequestPaymentContract",
        {"customerId": reseller, "amount": "100.00", "purpose": "乙方服务费"},
    )
    bills = (await api.gql(B_LOGIN, OPS["MarketplaceBills"], {"first": 50}))["data"]
    closed = [
        e["node"]["id"]
        for e in bills["marketplaceBills"]["edges"]
        if e["node"]["status"] == "CLOSED" and not e["node"]["invoiced"]
    ]
    assert closed, "B has no closed marketplace bill to request an invoice for"
    await ok(
        "RequestMarketplaceInvoice",
        {
            "billId": closed[0],
            "title": "乙方科技有限公司",
            "taxNumber": tax_number(random.Random(2)),
            "type": "VAT_SPECIAL",
        },
    )
    # A webhook subscription with one delivery (a test event, left queued).
    created = await ok(
        "CreateWebhookSubscription",
        {"url": "http://127.0.0.1:9/b-hooks", "topics": ["EXPORT_JOB_SUCCEEDED"]},
    )
    await ok("SendWebhookTestEvent", {"subscriptionId": created["subscription"]["id"]})


class World:
    def __init__(self, b: dict[str, Any], a: dict[str, Any]) -> None:
        self.snapshot = b
        self.b_ids = ids_of(b)
        a_ids = set().union(*ids_of(a).values())
        # IDs that are the same for A and B name A's own object when A sends them
        # (marketplace bills are `month.category`, products are global).
        self.shared = {i for ids in self.b_ids.values() for i in ids if i in a_ids}
        a_names = names_in(a, *a)
        self.names = names_in(b, "Customers", "Leads") - a_names
        self.secrets = {
            i
            for kind, ids in self.b_ids.items()
            for i in ids
            if kind not in NOT_TENANT_SCOPED and i not in self.shared
        }
        self.secrets |= self.names

    def one(self, kind: str, private: bool = True) -> str:
        pool = sorted(self.b_ids.get(kind, ()))
        if private:
            pool = [i for i in pool if i not in self.shared] or pool
        assert pool, f"no B ID of {kind}"
        return pool[0]


@pytest.fixture(scope="module")
async def world(api: Any) -> World:
    await create_b_objects(api)
    b = await listings(api, B_LOGIN)
    a = await listings(api, "sp-admin")
    return World(b, a)


def assert_no_b_data(world: World, answer: dict[str, Any], sent: Any, what: str) -> None:
    text = json.dumps(answer, ensure_ascii=False)
    sent_text = json.dumps(sent, ensure_ascii=False)
    # An ID the caller sent may be echoed back in an error (it told us nothing new).
    leaked = sorted(s for s in world.secrets if s in text and s not in sent_text)
    assert not leaked, f"{what}: B's data in A's answer: {leaked[:5]} in {text[:500]}"


def refused(answer: dict[str, Any]) -> bool:
    if answer.get("errors"):
        return True
    data = answer.get("data")
    if data is None:
        return True
    for payload in data.values():
        if payload is None:
            continue
        if not isinstance(payload, dict):
            return False
        if payload.get("errors"):
            continue
        results = payload.get("results")
        if results is not None and not any(r.get("ok") for r in results):
            continue
        return False
    return True


# --------------------------------------------------------------------------- 1. node


def test_every_node_type_has_a_b_id_or_a_justified_skip(world: World) -> None:
    missing = NODE_TYPES - NOT_TENANT_SCOPED - set(world.b_ids)
    assert not missing, f"no B ID collected for node types {sorted(missing)}: collect some"
    assert NOT_TENANT_SCOPED <= NODE_TYPES, "skip list names a type that is gone"


# Types `node` resolves for nobody, not even their owner: A's null would prove nothing
# for them (none today: audit events resolve for their partner's administrators).
NOT_BY_NODE: set[str] = set()
PER_TYPE = 12  # B IDs tried per node type: keeps the run short

NODE_FIELDS = """id __typename
  ... on Customer { name accountName } ... on Lead { name contactName }
  ... on PartnerBill { month amountDue { amount } } ... on User { login }
  ... on Partner { name } ... on Job { fileName parameters }"""


async def test_b_itself_resolves_its_ids(api: Any, world: World) -> None:
    """The control: the nulls A gets mean something only if B gets the objects."""
    assert len(world.names) > 20 and len(world.secrets) > 100
    unresolved = []
    for kind, ids in sorted(world.b_ids.items()):
        if kind in NOT_BY_NODE:
            continue
        # Some collected IDs name what B sees but does not own (an actor of its audit
        # events, a bill other tests generated and removed): one of its own suffices.
        for global_id in sorted(ids)[:10]:
            answer = await api.gql(
                B_LOGIN, "query N($id: ID!) { node(id: $id) { id } }", {"id": global_id}
            )
            if (answer.get("data") or {}).get("node"):
                break
        else:
            unresolved.append(kind)
    assert not unresolved, f"B cannot resolve its own {unresolved}"


@pytest.mark.parametrize("login", A_LOGINS)
async def test_node_never_resolves_b_objects(api: Any, world: World, login: str) -> None:
    ids = sorted(
        i
        for kind, all_ in world.b_ids.items()
        for i in sorted(all_)[:PER_TYPE]
        if kind not in NOT_TENANT_SCOPED
    )
    assert len(ids) > 20
    for start in range(0, len(ids), MAX_ALIASES):
        chunk = ids[start : start + MAX_ALIASES]
        params = ", ".join(f"$i{n}: ID!" for n in range(len(chunk)))
        body = " ".join(f"n{n}: node(id: $i{n}) {{ {NODE_FIELDS} }}" for n in range(len(chunk)))
        variables = {f"i{n}": i for n, i in enumerate(chunk)}
        answer = await api.gql(login, f"query Nodes({params}) {{ {body} }}", variables)
        assert_no_b_data(world, answer, {}, f"node as {login}")
        data = answer.get("data") or {}
        for n, global_id in enumerate(chunk):
            found = data.get(f"n{n}")
            if global_id in world.shared:  # names A's own object of that ID
                continue
            assert found is None, f"{login}: node({global_id}) resolved {found}"


# --------------------------------------------------------------------------- 2. queries

# (root field, argument) -> the node type of the ID it takes, and a query using it.
ID_QUERIES: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {
    ("job", "id"): ("Job", "query Q($v: ID!) { job(id: $v) { id fileName parameters } }", {}),
    ("customer", "id"): ("Customer", "query Q($v: ID!) { customer(id: $v) { id name } }", {}),
    ("customerAlert", "id"): (
        "CustomerAlert",
        "query Q($v: ID!) { customerAlert(id: $v) { id customer { id name } } }",
        {},
    ),
    ("dailyConsumption", "customerId"): (
        "Customer",
        'query Q($v: ID) { dailyConsumption(dateFrom: "2026-09-01", '
        'dateTo: "2026-09-30", customerId: $v) { total { amount } } }',
        {},
    ),
    ("monthlyConsumption", "customerId"): (
        "Customer",
        'query Q($v: ID) { monthlyConsumption(monthFrom: "2026-08", '
        'monthTo: "2026-10", customerId: $v) { total { amount } } }',
        {},
    ),
    ("marketplaceBill", "id"): (
        "MarketplaceBill",
        "query Q($v: ID!) { marketplaceBill(id: $v) { id orderAmount "
        "{ amount } invoiceRequests { id title } } }",
        {},
    ),
    ("marketplaceTransactions", "billId"): (
        "MarketplaceBill",
        "query Q($v: ID!) { marketplaceTransactions(billId: $v, first: 20) "
        "{ edges { node { id buyerName } } } }",
        {},
    ),
    ("incentiveApplicationPreview", "positiveIncentiveIds"): (
        "Incentive",
        "query Q($v: ID!) { incentiveApplicationPreview("
        "positiveIncentiveIds: [$v]) { __typename } }",
        {},
    ),
    ("lead", "id"): ("Lead", "query Q($v: ID!) { lead(id: $v) { id name contactName } }", {}),
    ("partnerBill", "partnerId"): (
        "Partner",
        'query Q($v: ID) { partnerBill(month: "2026-10", partnerId: $v) '
        "{ __typename ... on PartnerBill { id } } }",
        {},
    ),
    ("partnerBills", "partnerId"): (
        "Partner",
        "query Q($v: ID) { partnerBills(first: 5, partnerId: $v) { edges { node { id } } } }",
        {},
    ),
    ("paymentAgreements", "partnerId"): (
        "Partner",
        "query Q($v: ID) { paymentAgreements(first: 5, partnerId: $v) { edges { node { id } } } }",
        {},
    ),
    ("paymentContracts", "customerId"): (
        "Customer",
        "query Q($v: ID) { paymentContracts(first: 5, customerId: $v) "
        "{ edges { node { id customerName } } } }",
        {},
    ),
    ("paymentContracts", "partnerId"): (
        "Partner",
        "query Q($v: ID) { paymentContracts(first: 5, partnerId: $v) "
        "{ edges { node { id customerName } } } }",
        {},
    ),
    ("incentivePrograms", "partnerId"): (
        "Partner",
        "query Q($v: ID) { incentivePrograms(partnerId: $v) { program lapsedOn } }",
        {},
    ),
}


def _named(kind: Any) -> Any:
    while isinstance(kind, (GraphQLNonNull, GraphQLList)):
        kind = kind.of_type
    return kind


def test_every_query_taking_an_id_is_covered() -> None:
    taking_ids = {
        (name, arg)
        for name, field in GQL.query_type.fields.items()
        for arg, spec in field.args.items()
        if _named(spec.type).name == "ID"
    }
    assert taking_ids - {("node", "id")} == set(ID_QUERIES)


@pytest.mark.parametrize("login", A_LOGINS)
async def test_queries_by_id_refuse_b_objects(api: Any, world: World, login: str) -> None:
    problems = []
    for (field, arg), (kind, query, _) in ID_QUERIES.items():
        global_id = world.one(kind)
        answer = await api.gql(login, query, {"v": global_id})
        assert_no_b_data(world, answer, {"v": global_id}, f"{field}({arg}) as {login}")
        result = (answer.get("data") or {}).get(field)
        single = field in {"job", "customer", "customerAlert", "marketplaceBill", "lead"}
        if single and global_id not in world.shared and not answer.get("errors") and result:
            problems.append(f"{field}({arg}={global_id}) answered {result}")
    assert not problems, problems


# --------------------------------------------------------------------------- 3. mutations


def _mutations(w: World) -> dict[str, list[dict[str, Any]]]:
    """Per mutation, inputs naming B's objects (A's own IDs only where B's make no sense)."""
    customer, alert, lead = w.one("Customer"), w.one("CustomerAlert"), w.one("Lead")
    b_user = w.one("User")
    a_manager = base64.b64encode(b"User:usr-sp-manager-1").decode()
    a_staff = base64.b64encode(b"User:usr-sp-staff-1").decode()
    bill, mbill = w.one("PartnerBill"), w.one("MarketplaceBill")
    incentive, application = w.one("Incentive"), w.one("IncentiveApplication")
    agreement, contract = w.one("PaymentAgreement"), w.one("PaymentContract")
    link, invoice = w.one("MarketplaceShareLink"), w.one("MarketplaceInvoiceRequest")
    product = sorted(w.b_ids["MarketplaceProduct"])[0]
    hook, hook_delivery = w.one("WebhookSubscription"), w.one("WebhookDelivery")
    return {
        "requestExport": [
            {"kind": "CONSUMPTION_DETAILS", "consumptionDetails": {"customerId": customer}},
            {"kind": "ADJUSTMENT_RECORDS", "adjustmentRecords": {"customerId": customer}},
            {"kind": "PARTNER_BILL", "format": "PDF", "partnerBill": {"billId": bill}},
            {"kind": "PARTNER_BILL_DETAILS", "partnerBill": {"billId": bill}},
        ],
        "assignCustomers": [{"customerIds": [customer], "managerId": a_manager}],
        "assignCustomer": [{"customerId": customer, "managerId": a_manager}],
        "unassignCustomers": [{"customerIds": [customer]}],
        "unassignCustomer": [{"customerId": customer}],
        "handleCustomerAlerts": [{"alertIds": [alert], "remark": "x"}],
        "handleCustomerAlert": [{"alertId": alert, "remark": "x"}],
        # Names no B object (products are global): only "nothing of B's comes back".
        "createMarketplaceShareLink": [{"productId": product, "validDays": 1}],
        "revokeMarketplaceShareLink": [{"linkId": link}],
        "placeMarketplaceOrder": [
            {
                "productId": product,
                "pricePlanId": "x",
                "buyer": {"name": "买家"},
                "shareLinkRef": link,
            }
        ],
        "requestMarketplaceInvoice": [
            {
                "billId": mbill,
                "title": "甲方",
                "type": "VAT_SPECIAL",
                "taxNumber": tax_number(random.Random(3)),
            }
        ],
        "reviewMarketplaceInvoiceRequest": [
            {"requestId": invoice, "decision": "REJECT", "reason": "x"}
        ],
        "applyForIncentiveDisbursement": [
            {"positiveIncentiveIds": [incentive], "negativeIncentiveIds": []}
        ],
        "approveIncentiveApplication": [{"applicationId": application}],
        "notifyIncentiveDisbursement": [{"incentiveIds": [incentive]}],
        "recordProgramMembership": [
            {
                "partnerId": w.one("Partner"),
                "program": "SOLUTION_PROVIDER",
                "lapsedOn": "2026-01-01",
            }
        ],
        "dispatchLeads": [{"leadIds": [lead], "staffId": a_staff}],
        "recallLeads": [{"leadIds": [lead]}],
        "confirmPartnerBill": [{"billId": bill}],
        "adjustPartnerBill": [{"billId": bill, "amount": "1.00", "reason": "x"}],
        "markPartnerBillPaid": [{"billId": bill, "paymentReference": "x"}],
        # Names no B object (an agreement is new): B's account number must not be
        # reported as a duplicate to A.
        "createPaymentAgreement": [
            {
                "payerAccountName": "甲方",
                "bank": "银行",
                "accountNumber": "6222 0212 3456 7890 999",
                "entrustedParty": "甲方",
                "entrustedPartyType": "ENTERPRISE",
                "validFrom": "2026-12-01",
                "validUntil": "2027-11-30",
            }
        ],
        "revokePaymentAgreement": [{"agreementId": agreement}],
        "reviewPaymentAgreement": [{"agreementId": agreement, "approve": True}],
        "requestPaymentContract": [{"customerId": customer, "amount": "1.00", "purpose": "x"}],
        "cancelPaymentContract": [{"contractId": contract}],
        "reviewPaymentContract": [{"contractId": contract, "approve": True}],
        # Names no B object (a subscription is new): only "nothing of B's comes back".
        "createWebhookSubscription": [
            {"url": "http://127.0.0.1:9/a-hooks", "topics": ["EXPORT_JOB_SUCCEEDED"]}
        ],
        "updateWebhookSubscription": [
            {"subscriptionId": hook, "enabled": False},
            {"subscriptionId": hook, "url": "http://127.0.0.1:9/y"},
        ],
        "rotateWebhookSecret": [{"subscriptionId": hook}],
        "deleteWebhookSubscription": [{"subscriptionId": hook}],
        "sendWebhookTestEvent": [{"subscriptionId": hook}],
        "redeliverWebhookDelivery": [{"deliveryId": hook_delivery}],
        # B's user as the manager/staff of A's objects: B's user is not A's.
        "_assignToBUser": [{"customerIds": [customer], "managerId": b_user}],
    }


# Mutations whose input names no B object, so success is allowed (leak check only).
MAY_SUCCEED = {"createMarketplaceShareLink", "createPaymentAgreement", "createWebhookSubscription"}


def test_every_mutation_is_covered() -> None:
    class Fake(World):
        def __init__(self) -> None:
            self.b_ids = {k: {base64.b64encode(f"{k}:x".encode()).decode()} for k in NODE_TYPES}
            self.shared = set()

    covered = {m for m in _mutations(Fake()) if not m.startswith("_")}
    assert covered == set(GQL.mutation_type.fields)


# Lead dispatch and recall are jobs (R6, R7): the request is accepted and the job's
# worker refuses each lead the partner does not own. Checked once the worker has run.
AS_JOB = {"dispatchLeads", "recallLeads"}
DISPATCH_JOB = """query J($id: ID!) { job(id: $id) { id status succeededCount failedCount
  parameters lastAttemptError } }"""


@pytest.mark.parametrize("login", A_LOGINS)
async def test_mutations_refuse_b_objects(api: Any, world: World, workers: Any, login: str) -> None:
    problems, jobs = [], []
    for field, inputs in _mutations(world).items():
        name = "assignCustomers" if field == "_assignToBUser" else field
        document = OPS[name[0].upper() + name[1:]]
        for input_ in inputs:
            answer = await api.gql(login, document, {"input": input_})
            assert_no_b_data(world, answer, input_, f"{field} as {login}")
            payload = (answer.get("data") or {}).get(name) or {}
            if field == "createPaymentAgreement":
                assert "DUPLICATE" not in json.dumps(answer), (
                    f"{login}: B's payer account reported as a duplicate to A"
                )
                if payload.get("agreement"):  # A's own: revoke, so the next role starts clean
                    revoked = await api.gql(
                        "sp-admin",
                        OPS["RevokePaymentAgreement"],
                        {"input": {"agreementId": payload["agreement"]["id"]}},
                    )
                    assert not revoked.get("errors"), revoked
            if field == "createWebhookSubscription" and payload.get("subscription"):
                # A's own: delete it, so the next role (and other tests) start clean.
                deleted = await api.gql(
                    "sp-admin",
                    OPS["DeleteWebhookSubscription"],
                    {"input": {"subscriptionId": payload["subscription"]["id"]}},
                )
                assert not deleted.get("errors"), deleted
            if field in AS_JOB and not refused(answer):
                jobs.append((field, payload["job"]["id"]))
            elif field not in MAY_SUCCEED and not refused(answer):
                problems.append(f"{field}({input_}) succeeded: {json.dumps(answer)[:300]}")
    if jobs:
        await workers.drain("dispatchWorker")
    for field, job_id in jobs:
        answer = await api.gql(login, DISPATCH_JOB, {"id": job_id})
        assert_no_b_data(world, answer, {}, f"{field} job as {login}")
        job = answer["data"]["job"]
        if job["succeededCount"]:
            problems.append(f"{field} job {job_id} succeeded on B's lead: {job}")
    assert not problems, problems


# --------------------------------------------------------------------------- B unchanged


async def test_b_data_is_unchanged(api: Any, world: World) -> None:
    # Runs after the attacks above (pytest keeps file order).
    after = await listings(api, B_LOGIN)
    assert strip_volatile(after) == strip_volatile(world.snapshot)
