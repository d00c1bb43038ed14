"""Imports every area's models so that each is registered before `bind` runs."""

from partner_center.storage import models  # noqa: F401
