"""The `requestExport` mutation.

Its idempotency is the export job's own (exports/requests.py: a repeated key returns the
job it made, with `created: false`), not run_mutation's: the job is the stored result,
and a second record of it could only disagree with it.
"""

from __future__ import annotations

import strawberry

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.payloads import UserError
from partner_center.api.jobs.inputs import EXPORT_FILTERS, RequestExportInput
from partner_center.api.jobs.types import JobNode, RequestExportPayload
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.exports import requests


async def request_export(info: Info, input: RequestExportInput) -> RequestExportPayload:
    try:
        flt = await EXPORT_FILTERS[input.kind](info, input)
        job, created = await requests.request_export(
            info.context.principal,
            requests.ExportRequest(
                kind=input.kind,
                format=input.format,
                filter=flt,
                idempotency_key=input.idempotency_key,
            ),
            info.context.settings,
        )
    except (BadInput, NotFound, Refused) as refusal:
        # Input the caller can fix comes back in the payload; permission errors
        # (Forbidden) stay GraphQL errors.
        return RequestExportPayload(job=None, errors=[UserError.from_client_error(refusal)])
    return RequestExportPayload(job=JobNode.of(job), created=created)


@strawberry.type
class Mutation:
    request_export: RequestExportPayload = access.mutation(
        "Mutation.requestExport",
        request_export,
        "Ask for an export; a worker writes the file. Poll `job` for it.",
    )
