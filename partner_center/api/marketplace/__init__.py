"""Marketplace: the catalog's products, the partner's share links (R8), its marketplace
bills with their transactions and invoice requests, the bill details export (R9), the
unattributed orders the provider's operations review, and the storefront's order.

Rules enforced here: R1 (the marketplace menu, through the access table and every
node's `resolve_nodes`), R8 (who may share a product, and orders attributed only through
a valid share link), R9 (only bills of product solutions are exportable) and R22 (the
buyer's personal data is masked unless the caller may see it in full)."""
