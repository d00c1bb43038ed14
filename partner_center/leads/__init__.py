"""Leads (Sales > Expand > Lead dispatch): search, dispatch and recall (R6, R7)."""
