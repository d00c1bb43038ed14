"""Webhooks: the partner's subscriptions and their deliveries, for its administrator.

Every mutation is idempotent by `idempotencyKey` (a replay gets the first result; the
signing secret is never kept for replays, so a replayed create or rotate answers
`secret: null`) and refuses with typed `WebhookError`s rather than the shared
`UserError`: their codes are the webhooks area's own (`WebhookErrorCode`).

Rules: R1 (webhooks are the administrator's alone: the secret signs news of every job
and bill of the partner).
"""
