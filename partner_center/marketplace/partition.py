"""Which partition (table hash key) marketplace data lives in.

Every table is keyed by partner ID. Two kinds of marketplace data belong to no partner:
the product catalogue (published by the platform, read by every partner with the
marketplace menu) and orders that no share link attributes to a provider. Both live in
one reserved partition, `PLATFORM_PARTITION`, that no partner's token can name: partner
IDs are `ptn-...` and the platform's services carry it as their own partner ID.
"""

from __future__ import annotations

PLATFORM_PARTITION = "platform"
