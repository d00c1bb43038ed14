"""Share links (R8): created by a provider in the CSP program, stored in its partition.

The link a customer receives is the product's page on the storefront with two query
parameters: `ref` (the link's ID) and `st` (its signed token). The token binds provider,
product, link and expiry; the order mutation checks the token and that `ref` names the
link it was signed for, so a token pasted into another link attributes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from pynamodb.exceptions import UpdateError

from partner_center.config import Settings
from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import from_iso, to_iso, utcnow
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.core.ids import new_id
from partner_center.core.permissions import require_menu
from partner_center.marketplace import tokens
from partner_center.marketplace.catalog import get_product
from partner_center.marketplace.codes import MarketplaceCode
from partner_center.marketplace.eligibility import MESSAGES, share_refusal, standing
from partner_center.marketplace.models import ShareLinkItem

LINK_PREFIX = "LINK#"
DEFAULT_VALID_DAYS = 30
MAX_VALID_DAYS = 90
ACTIVE, REVOKED = "active", "revoked"


@dataclass(frozen=True)
class ShareLink:
    partner_id: str
    link_id: str
    product_id: str
    product_name: str
    token: str
    key_id: str
    created_by: str
    created_at: str
    expires_at: str
    status: str
    revoked_at: str | None

    def expired(self, now: datetime) -> bool:
        return now >= from_iso(self.expires_at)

    def url(self, settings: Settings) -> str:
        query = urlencode({"ref": self.link_id, "st": self.token})
        return f"{settings.storefront_url.rstrip('/')}/product/{quote(self.product_id)}?{query}"

    @classmethod
    def from_item(cls, item: ShareLinkItem) -> ShareLink:
        return cls(
            partner_id=item.partner_id,
            link_id=item.link_id,
            product_id=item.product_id,
            product_name=item.product_name,
            token=item.token,
            key_id=item.key_id,
            created_by=item.created_by,
            created_at=item.created_at,
            expires_at=item.expires_at,
            status=item.status,
            revoked_at=item.revoked_at,
        )


class ShareLinkStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def get(self, link_id: str) -> ShareLink | None:
        try:
            item = ShareLinkItem.get(self.partner_id, LINK_PREFIX + link_id)
        except ShareLinkItem.DoesNotExist:
            return None
        return ShareLink.from_item(item)

    def page(
        self, *, product_id: str | None, after_link_id: str | None, limit: int
    ) -> tuple[list[ShareLink], bool]:
        """Newest first (link IDs are time-ordered)."""
        start = None
        if after_link_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": LINK_PREFIX + after_link_id},
            }
        condition = ShareLinkItem.product_id == product_id if product_id else None
        items: Iterator[ShareLinkItem] = ShareLinkItem.query(
            self.partner_id,
            ShareLinkItem.item_key.startswith(LINK_PREFIX),
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 25),
        )
        links = [ShareLink.from_item(item) for item in items]
        return links[:limit], len(links) > limit

    def create(self, link: ShareLink) -> None:
        ShareLinkItem(
            self.partner_id,
            LINK_PREFIX + link.link_id,
            link_id=link.link_id,
            product_id=link.product_id,
            product_name=link.product_name,
            token=link.token,
            key_id=link.key_id,
            created_by=link.created_by,
            created_at=link.created_at,
            expires_at=link.expires_at,
            status=link.status,
        ).save(condition=ShareLinkItem.item_key.does_not_exist())

    def revoke(self, link_id: str, now: datetime) -> bool:
        """active → revoked; False when the link is not active (or not there)."""
        try:
            ShareLinkItem(self.partner_id, LINK_PREFIX + link_id).update(
                actions=[
                    ShareLinkItem.status.set(REVOKED),
                    ShareLinkItem.revoked_at.set(to_iso(now)),
                ],
                condition=ShareLinkItem.status == ACTIVE,
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False
        return True


def create_share_link(
    principal: Principal,
    product_id: str,
    valid_days: int,
    settings: Settings,
    now: datetime | None = None,
) -> ShareLink:
    require_menu(principal, Menu.MARKETPLACE)
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise BadInput(f"validDays must be 1 to {MAX_VALID_DAYS}", field="validDays")
    product = get_product(product_id)
    if product is None:
        raise NotFound("no marketplace product with this ID", field="productId")
    refusal = share_refusal(standing(principal.partner_id), product)
    if refusal is not None:
        raise Refused(refusal.value, MESSAGES[refusal], field="productId")
    now = now or utcnow()
    expires = now + timedelta(days=valid_days)
    keys = tokens.SigningKeys.from_settings(settings)
    link_id = new_id()
    token = tokens.sign(
        tokens.LinkClaims(
            partner_id=principal.partner_id,
            product_id=product.product_id,
            link_id=link_id,
            expires_at=int(expires.timestamp()),
            key_id=keys.current_id,
        ),
        keys,
    )
    link = ShareLink(
        partner_id=principal.partner_id,
        link_id=link_id,
        product_id=product.product_id,
        product_name=product.name,
        token=token,
        key_id=keys.current_id,
        created_by=principal.user_id,
        created_at=to_iso(now),
        # The token's expiry is whole seconds: the record says the same instant.
        expires_at=to_iso(datetime.fromtimestamp(int(expires.timestamp()), tz=now.tzinfo)),
        status=ACTIVE,
        revoked_at=None,
    )
    ShareLinkStore(principal.partner_id).create(link)
    return link


def get_share_link(principal: Principal, link_id: str) -> ShareLink | None:
    require_menu(principal, Menu.MARKETPLACE)
    return ShareLinkStore(principal.partner_id).get(link_id)


def revoke_share_link(principal: Principal, link_id: str, now: datetime | None = None) -> ShareLink:
    require_menu(principal, Menu.MARKETPLACE)
    store = ShareLinkStore(principal.partner_id)
    if store.get(link_id) is None:
        raise NotFound("no share link with this ID", field="linkId")
    if not store.revoke(link_id, now or utcnow()):
        raise Refused(
            MarketplaceCode.LINK_ALREADY_REVOKED,
            "the share link is already revoked",
            field="linkId",
        )
    link = store.get(link_id)
    if link is None:  # pragma: no cover - links are never deleted
        raise NotFound("no share link with this ID", field="linkId")
    return link
