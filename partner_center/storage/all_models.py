"""Imports every area's models so that each is registered before `bind` runs."""

from partner_center.audit import models as audit_models  # noqa: F401
from partner_center.bills import models as bills_models  # noqa: F401
from partner_center.consumption import models as consumption_models  # noqa: F401
from partner_center.customers import models as customers_models  # noqa: F401
from partner_center.finance import models as finance_models  # noqa: F401
from partner_center.idempotency import models as idempotency_models  # noqa: F401
from partner_center.incentives import models as incentives_models  # noqa: F401
from partner_center.leads import models as leads_models  # noqa: F401
from partner_center.marketplace import models as marketplace_models  # noqa: F401
from partner_center.ratelimit import models as ratelimit_models  # noqa: F401
from partner_center.storage import models  # noqa: F401
from partner_center.webhooks import models as webhooks_models  # noqa: F401
