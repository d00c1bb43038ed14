"""Matching an order to the provider whose share link it came through (R8).

The storefront passes what the link carried (`ref` and `st`) with the order. An order is
attributed only when every check passes; otherwise it is still accepted, unattributed,
with the first failed check recorded as the reason. Nothing the customer or anyone else
edits in a link can move an order to another provider: the provider comes only from a
token whose signature verifies, for this link, this product, before its expiry, while
the link is active and the provider is still in the CSP program.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from partner_center.marketplace import tokens
from partner_center.marketplace.eligibility import standing
from partner_center.marketplace.links import ACTIVE, ShareLinkStore


class UnattributedReason(enum.StrEnum):
    NO_SHARE_LINK = "no_share_link"  # the order did not come through a link
    INCOMPLETE_LINK = "incomplete_link"  # a link ID without a token, or the reverse
    MALFORMED_TOKEN = tokens.Rejection.MALFORMED_TOKEN.value
    UNKNOWN_KEY = tokens.Rejection.UNKNOWN_KEY.value
    BAD_SIGNATURE = tokens.Rejection.BAD_SIGNATURE.value
    EXPIRED = tokens.Rejection.EXPIRED.value
    LINK_MISMATCH = "link_mismatch"  # a genuine token, signed for another link
    PRODUCT_MISMATCH = "product_mismatch"  # a genuine token, for another product
    UNKNOWN_LINK = "unknown_link"
    LINK_REVOKED = "link_revoked"
    PROVIDER_NOT_IN_PROGRAM = "provider_not_in_program"


@dataclass(frozen=True)
class Attribution:
    partner_id: str | None
    link_id: str | None
    reason: UnattributedReason | None

    @property
    def attributed(self) -> bool:
        return self.partner_id is not None

    @classmethod
    def none(cls, reason: UnattributedReason) -> Attribution:
        return cls(partner_id=None, link_id=None, reason=reason)


def attribute(
    product_id: str,
    link_ref: str | None,
    token: str | None,
    keys: tokens.SigningKeys,
    now: datetime,
) -> Attribution:
    if not link_ref and not token:
        return Attribution.none(UnattributedReason.NO_SHARE_LINK)
    if not link_ref or not token:
        return Attribution.none(UnattributedReason.INCOMPLETE_LINK)
    try:
        claims = tokens.verify(token, keys, now)
    except tokens.TokenRejected as rejected:
        return Attribution.none(UnattributedReason(rejected.reason.value))
    if claims.link_id != link_ref:
        return Attribution.none(UnattributedReason.LINK_MISMATCH)
    if claims.product_id != product_id:
        return Attribution.none(UnattributedReason.PRODUCT_MISMATCH)
    # The partner ID is trusted from here on: it comes from a verified signature.
    link = ShareLinkStore(claims.partner_id).get(claims.link_id)
    if link is None or link.product_id != product_id:
        return Attribution.none(UnattributedReason.UNKNOWN_LINK)
    if link.status != ACTIVE:
        return Attribution.none(UnattributedReason.LINK_REVOKED)
    if not standing(claims.partner_id).in_csp_program:
        return Attribution.none(UnattributedReason.PROVIDER_NOT_IN_PROGRAM)
    return Attribution(partner_id=claims.partner_id, link_id=claims.link_id, reason=None)
