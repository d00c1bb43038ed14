"""Lambda entry point: the GraphQL API behind an HTTP API."""

from mangum import Mangum

from partner_center.api.app import create_app

handler = Mangum(create_app(), lifespan="off")
