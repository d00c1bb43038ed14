"""Leads: the `Lead` node, the `leads` search, whom leads go to (`partnerStaff`), and the
`dispatchLeads` / `recallLeads` mutations, which answer at once with a dispatch job to
poll.

Rules: R1 (the leads menu; dispatching and recalling are the administrator's or an
operator's; partner staff see only the leads dispatched to them), R6 and R7 (a dispatch
job settles the batch lead by lead).
"""
