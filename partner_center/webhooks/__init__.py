"""Webhooks: partners' subscriptions to job and bill events, signed deliveries
(Standard Webhooks), and the same events on the provider's EventBridge bus."""
