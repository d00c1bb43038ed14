"""Opportunities: the opportunities shared with the partner (商机) and the GMV figure of a
month. Enforces R21: a deal counts toward GMV by its transaction method alone, never by
whether it came through the opportunity-sharing flow (PCE)."""
