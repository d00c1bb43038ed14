"""Finance (Sales > Billing): third-party payment agreements (代付) and request-payment
contracts (请款合同), which the partner submits and the provider's operations review.

Rules: R1 (the billing menu; creating, revoking and reviewing are role-bound, see
access.py), R2 (a customer manager requests and sees contracts of its own customers
only). An account number goes in once and only its mask ever comes out; customer names
are customers-menu data and are shown masked.
"""
