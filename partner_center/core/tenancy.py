"""Tenancy: every table is keyed by partner ID, and one partition belongs to no partner.

Some data is the platform's, not a partner's: the marketplace catalogue (published by
the platform, read by every partner with the marketplace menu), orders that no share
link attributes to a provider, and the provider's review queue of agreements and
contracts. It lives in one reserved partition, `PLATFORM_PARTITION`, that no partner's
token can name: partner IDs are `ptn-...`, and the platform's services (the storefront,
provider operations) carry it as their own partner ID.
"""

from __future__ import annotations

PLATFORM_PARTITION = "platform"
