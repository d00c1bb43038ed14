"""The partner's users as the customers area's records name them."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.storage.models import DirectoryItem


@strawberry.type(
    description="A user of the partner as other records name it (a customer's "
    "manager, who handled an alert, who assigned a customer)."
)
class PartnerUser:
    id: relay.GlobalID = strawberry.field(description="The user's global ID (a User).")
    login: str
    display_name: str

    @classmethod
    def of(cls, user_id: str, item: DirectoryItem | None) -> PartnerUser:
        return cls(
            id=relay.GlobalID("User", user_id),
            login=(item.login or "") if item else "",
            display_name=item.name if item else "",
        )
