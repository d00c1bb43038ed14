"""Who can receive leads: the partner's own staff users (伙伴专人)."""

from __future__ import annotations

from partner_center.core.auth import Role
from partner_center.storage.models import DirectoryItem


def is_partner_staff(partner_id: str, user_id: str) -> bool:
    try:
        item = DirectoryItem.get(partner_id, f"USER#{user_id}", consistent_read=True)
    except DirectoryItem.DoesNotExist:
        return False
    return item.role == Role.STAFF.value


def partner_staff(partner_id: str) -> list[DirectoryItem]:
    """The partner's staff users, in ID order."""
    return list(
        DirectoryItem.query(
            partner_id,
            DirectoryItem.entity.startswith("USER#"),
            filter_condition=DirectoryItem.role == Role.STAFF.value,
        )
    )
