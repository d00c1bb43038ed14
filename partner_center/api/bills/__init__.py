"""Partner bills (Sales > Billing): `partnerBill`, `partnerBills`, their items and
adjustments, and the changes of a bill (confirm, adjust, mark paid).

Rules: R1 (the billing menu; a bill's customer names are customers-menu data, so they
are shown masked and the `customer` ID resolves to the full customer only for callers
who hold that menu), R2 (a customer manager never sees partner bills), R10–R12 (a bill
is a Beijing month's, there by 12:00 on the 5th of the next month, and covers data up to
the end of the day before it was generated).
"""
