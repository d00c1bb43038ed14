"""The audit log's enums, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.audit import log as audit_log

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(audit_log.Outcome, name="AuditOutcome")
AuditOutcome: TypeAlias = audit_log.Outcome
