"""The demo logins that `partner-center dev` hands the API for GraphiQL's login picker."""

from __future__ import annotations

from partner_center.api.graphiql.page import DemoSignIn
from partner_center.local import demo_data

DEMO_SIGN_IN = DemoSignIn(
    logins=lambda: demo_data.USERS + demo_data.SERVICE_USERS, principal=demo_data.principal
)
