"""Consumption: daily and monthly summaries, the detail lines, and the adjustment records
applied to customers' bills.

Rules: R2 (a customer manager sees only its own customers' consumption and adjustments),
R3 (a day is shown only after 24:00 of the next day, Beijing; a month in progress is
PARTIAL), R4 (the summaries are roll-ups of the detail lines, the final word), R5 (a
manager counts a customer from the day after its assignment). A line or record the
caller may not see resolves to null, never an error that would confirm it exists.
"""
