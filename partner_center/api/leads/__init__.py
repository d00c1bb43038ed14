"""Leads: the `Lead` node, the `leads` search, whom leads go to (`partnerStaff`), and the
`dispatchLeads` / `recallLeads` mutations, which answer at once with a dispatch job to
poll.

Rules: R1 (the leads menu, whose contact fields are guarded; partner staff see only the
leads dispatched to them), R6 (only the administrator, or an operator holding the menu,
dispatches and recalls), R7 (a batch is a job that settles lead by lead, with a result
per lead).
"""
