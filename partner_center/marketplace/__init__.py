"""Marketplace (云商店): products, share links with referral attribution (R8), the
revenue split, marketplace bills with their transactions, invoice requests, and the
bill-details export (R9)."""
