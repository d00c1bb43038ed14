"""R9: the details of a "marketplace product solution" bill export through the job
pipeline, as CSV and XLSX, anonymized (R22)."""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest
from strawberry.relay import GlobalID

from partner_center.local.demo import marketplace as marketplace_demo
from tests.conftest import Api, Workers
from tests.helpers import JOB, REQUEST_EXPORT, parse_csv

SOLUTION_BILL = "2026-09.product_solution"


@pytest.fixture(scope="module")
def generated() -> marketplace_demo.MarketplaceDemo:
    return marketplace_demo.generate()


@pytest.fixture
def clean_queues(local_env: Any, sqs: Any) -> None:
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


def bill(bill_id: str, partner_id: str = "ptn-sp-001") -> str:
    return str(GlobalID("MarketplaceBill", f"{partner_id}:{bill_id}"))


def expected_rows(
    generated: marketplace_demo.MarketplaceDemo, partner_id: str, bill_id: str
) -> list[Any]:
    return [
        t for t in generated.transactions if t.partner_id == partner_id and t.bill_id == bill_id
    ]


async def request(
    api: Api, login: str, filters: dict[str, Any], fmt: str = "CSV", key: str | None = None
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "kind": "MARKETPLACE_BILL_DETAILS",
        "format": fmt,
        "marketplaceBillDetails": filters,
    }
    if key:
        value["idempotencyKey"] = key
    body = await api.gql(login, REQUEST_EXPORT, {"input": value})
    assert "errors" not in body, body
    return body["data"]["requestExport"]


async def finished(api: Api, workers: Workers, login: str, job_id: str) -> dict[str, Any]:
    await workers.drain()
    body = await api.gql(login, JOB, {"id": job_id})
    assert "errors" not in body, body
    done = body["data"]["job"]
    assert done["status"] == "SUCCEEDED", done
    return done


def leaked(text: str, generated: marketplace_demo.MarketplaceDemo) -> list[str]:
    return sorted(v for v in marketplace_demo.buyers(generated) if len(v) >= 2 and v in text)


async def test_r9_solution_bill_details_export_to_an_anonymized_csv(
    api: Api, workers: Workers, generated: Any, clean_queues: None
) -> None:
    requested = await request(api, "sp-admin", {"billId": bill(SOLUTION_BILL)})
    assert requested["errors"] == [] and requested["created"] is True
    assert requested["job"]["kind"] == "MARKETPLACE_BILL_DETAILS"
    assert requested["job"]["status"] == "QUEUED"  # the answer is "task created"
    done = await finished(api, workers, "sp-admin", requested["job"]["id"])
    body = httpx.get(done["downloadUrl"]).content
    assert hashlib.sha256(body).hexdigest() == done["sha256"]
    assert done["fileName"].startswith("marketplace-bill-2026-09-product_solution-")
    rows = parse_csv(body)
    header, data = rows[0], rows[1:]
    expected = expected_rows(generated, "ptn-sp-001", SOLUTION_BILL)
    assert 0 < len(data) == len(expected) == done["rowCount"]
    assert [r[0] for r in data] == [t.order_id for t in expected]  # in time order
    amount = header.index("订单金额/Order amount")
    provider = header.index("服务商分成/Provider share")
    assert sum(Decimal(r[amount]) for r in data) == sum(t.amount for t in expected)
    assert sum(Decimal(r[provider]) for r in data) == sum(t.provider_share for t in expected)
    # R22: buyers' names, phones and emails appear masked, never raw.
    assert leaked(body.decode("utf-8-sig"), generated) == []
    for column in ("买家/Buyer", "买家手机/Buyer phone", "买家邮箱/Buyer email"):
        index = header.index(column)
        assert all("*" in r[index] for r in data), column


async def test_r9_the_export_totals_agree_with_the_bill(
    api: Api, workers: Workers, clean_queues: None
) -> None:
    shown = await api.gql(
        "sp-admin",
        """query($id: ID!) { marketplaceBill(id: $id) {
        transactionCount orderAmount { amount } providerShare { amount } } }""",
        {"id": bill("2026-10.product_solution")},
    )
    totals = shown["data"]["marketplaceBill"]
    requested = await request(api, "sp-admin", {"billId": bill("2026-10.product_solution")})
    done = await finished(api, workers, "sp-admin", requested["job"]["id"])
    rows = parse_csv(httpx.get(done["downloadUrl"]).content)
    amount = rows[0].index("订单金额/Order amount")
    assert len(rows) - 1 == totals["transactionCount"]
    assert sum(Decimal(r[amount]) for r in rows[1:]) == Decimal(totals["orderAmount"]["amount"])


async def test_r9_xlsx_holds_the_same_masked_rows(
    api: Api, workers: Workers, generated: Any, clean_queues: None
) -> None:
    from openpyxl import load_workbook

    requested = await request(
        api, "sp2-admin", {"billId": bill(SOLUTION_BILL, "ptn-sp-002")}, fmt="XLSX"
    )
    done = await finished(api, workers, "sp2-admin", requested["job"]["id"])
    assert done["fileName"].endswith(".xlsx")
    content = httpx.get(done["downloadUrl"]).content
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    expected = expected_rows(generated, "ptn-sp-002", SOLUTION_BILL)
    assert rows[0][0] == "订单ID/Order ID"
    assert 0 < len(rows) - 1 == len(expected) == done["rowCount"]
    assert {r[0] for r in rows[1:]} == {t.order_id for t in expected}
    text = "\n".join(",".join(str(c) for c in r) for r in rows)
    assert leaked(text, generated) == []


async def test_r9_filters_narrow_the_exported_rows(
    api: Api, workers: Workers, generated: Any, clean_queues: None
) -> None:
    product = str(GlobalID("MarketplaceProduct", "mp-sol-erp"))
    requested = await request(
        api,
        "sp-admin",
        {
            "billId": bill(SOLUTION_BILL),
            "productId": product,
            "dateFrom": "2026-09-01",
            "dateTo": "2026-09-20",
            "minAmount": "20000",
        },
    )
    done = await finished(api, workers, "sp-admin", requested["job"]["id"])
    from partner_center.core.clock import BEIJING, from_iso

    expected = [
        t
        for t in expected_rows(generated, "ptn-sp-001", SOLUTION_BILL)
        if t.product_id == "mp-sol-erp"
        and t.amount >= 20000
        and from_iso(t.placed_at).astimezone(BEIJING).date().isoformat() <= "2026-09-20"
    ]
    assert done["rowCount"] == len(expected) > 0


@pytest.mark.parametrize(
    ("login", "filters", "code"),
    [
        # R9 names only the product solution bills' details.
        ("sp-admin", {"billId": bill("2026-09.saas")}, "BILL_NOT_EXPORTABLE"),
        # Another partner's bill, or none, is not found (and reveals nothing).
        ("md-admin", {"billId": bill(SOLUTION_BILL)}, "NOT_FOUND"),
        ("sp-admin", {"billId": bill("1999-01.product_solution")}, "NOT_FOUND"),
        ("sp-admin", {"billId": str(GlobalID("Customer", SOLUTION_BILL))}, "BAD_USER_INPUT"),
        (
            "sp-admin",
            {"billId": bill(SOLUTION_BILL), "dateFrom": "2026-09-30", "dateTo": "2026-09-01"},
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_r9_refused_exports_create_no_job(
    api: Api, login: str, filters: dict[str, Any], code: str
) -> None:
    requested = await request(api, login, filters)
    assert requested["job"] is None
    assert [e["code"] for e in requested["errors"]] == [code]


async def test_r9_a_missing_filter_is_refused(api: Api) -> None:
    body = await api.gql(
        "sp-admin", REQUEST_EXPORT, {"input": {"kind": "MARKETPLACE_BILL_DETAILS", "format": "CSV"}}
    )
    payload = body["data"]["requestExport"]
    assert payload["job"] is None and payload["errors"][0]["field"] == "marketplaceBillDetails"


async def test_r1_marketplace_export_needs_the_marketplace_menu(api: Api) -> None:
    for login in ("sp-operator", "sp-operator-noperm", "sp-manager-1"):
        body = await api.gql(
            login,
            REQUEST_EXPORT,
            {
                "input": {
                    "kind": "MARKETPLACE_BILL_DETAILS",
                    "marketplaceBillDetails": {"billId": bill(SOLUTION_BILL)},
                }
            },
        )
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], login


async def test_r22_no_buyer_data_in_logs_or_queue_messages(
    api: Api,
    workers: Workers,
    generated: Any,
    sqs: Any,
    local_env: Any,
    capfd: pytest.CaptureFixture[str],
    clean_queues: None,
) -> None:
    capfd.readouterr()
    requested = await request(
        api, "sp-admin", {"billId": bill("2026-08.product_solution")}, key="r22-queue"
    )
    queued = sqs.receive_message(
        QueueUrl=local_env.outputs["ExportQueueUrl"],
        MaxNumberOfMessages=10,
        VisibilityTimeout=0,
        WaitTimeSeconds=0,
    ).get("Messages", [])
    assert queued and leaked(" ".join(m["Body"] for m in queued), generated) == []
    await finished(api, workers, "sp-admin", requested["job"]["id"])
    # The storefront's order path logs IDs and codes only.
    await api.gql(
        "storefront",
        """mutation($input: PlaceMarketplaceOrderInput!) {
        placeMarketplaceOrder(input: $input) { errors { code } } }""",
        {
            "input": {
                "productId": str(GlobalID("MarketplaceProduct", "mp-sol-erp")),
                "pricePlanId": "basic",
                "buyer": {
                    "name": "欧阳明月",
                    "phone": "13900001111",
                    "email": "ouyang.mingyue@example.cn",
                },
                "shareLinkRef": "lnk-x",
                "shareToken": "forged.token.value",
            }
        },
    )
    out, err = capfd.readouterr()
    assert "export completed" in err and "marketplace order placed" in err
    assert leaked(out + err, generated) == []
    for raw in ("欧阳明月", "13900001111", "ouyang.mingyue", "forged.token.value"):
        assert raw not in out + err
