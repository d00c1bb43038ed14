"""Start-up shared by every entry point: settings, logs, table bindings.

This is the composition root: the one module that knows every area, so that storage
knows none. Each area's models register their table key when imported; `bind` then
points them all at the stack's table names.
"""

from __future__ import annotations

from partner_center.audit import models as audit_models  # noqa: F401
from partner_center.bills import models as bills_models  # noqa: F401
from partner_center.config import Settings, get_settings, reload_settings
from partner_center.consumption import models as consumption_models  # noqa: F401
from partner_center.core.logs import configure
from partner_center.customers import models as customers_models  # noqa: F401
from partner_center.finance import models as finance_models  # noqa: F401
from partner_center.idempotency import models as idempotency_models  # noqa: F401
from partner_center.incentives import models as incentives_models  # noqa: F401
from partner_center.leads import models as leads_models  # noqa: F401
from partner_center.marketplace import models as marketplace_models  # noqa: F401
from partner_center.ratelimit import models as ratelimit_models  # noqa: F401
from partner_center.storage import models as shared_models  # noqa: F401
from partner_center.storage.registry import bind
from partner_center.webhooks import models as webhooks_models  # noqa: F401


def bootstrap(*, reload: bool = False) -> Settings:
    settings = reload_settings() if reload else get_settings()
    configure()
    bind(settings)
    return settings
