"""The audit log: `auditEvents` and the `AuditEvent` node, for partner administrators.

Rules: R1 (who may not read the log gets FORBIDDEN from `auditEvents` and null from
`node`, as for any object it may not see); events are the caller's partner's only. The
events themselves are written by every mutation (`partner_center.api.core.audited`).
"""
