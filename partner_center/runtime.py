"""Start-up shared by every entry point: settings, logs, table bindings."""

from __future__ import annotations

from partner_center.config import Settings, get_settings, reload_settings
from partner_center.core.logs import configure
from partner_center.storage import all_models  # noqa: F401  (registers every table)
from partner_center.storage.registry import bind


def bootstrap(*, reload: bool = False) -> Settings:
    settings = reload_settings() if reload else get_settings()
    configure()
    bind(settings)
    return settings
