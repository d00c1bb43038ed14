"""Lambda entry point: the GraphQL API behind an HTTP API."""

import asyncio

from mangum import Mangum

from partner_center.api.app import create_app

# One event loop for the container's life: mangum runs each invocation on the current
# loop, and clients bound to it survive between invocations.
asyncio.set_event_loop(asyncio.new_event_loop())
handler = Mangum(create_app(), lifespan="off")
