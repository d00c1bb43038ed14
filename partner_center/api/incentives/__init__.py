"""Incentives: the partner's incentive items with their reconciliation status and
validity, their totals, program memberships, and applications for disbursement.

Rules enforced here, by the incentives service the resolvers call: R14 (the status
flow), R15 (every negative incentive goes into an application and cannot be deselected),
R16 (an application whose negatives exceed its positives is refused), R17 (negative
incentives never expire), R18 (validity starts at the notification), R19 (it ends one
year after the partner's identity in the program lapsed) and R20 (the daily expiry)."""
