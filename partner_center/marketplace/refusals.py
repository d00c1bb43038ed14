"""Business refusals of the marketplace, each with its own stable code.

They are client errors, so mutations turn them into payload errors
(`UserError.from_client_error`) like any `BadInput`.
"""

from __future__ import annotations

from typing import Any

from partner_center.core.errors import ClientError


class Refused(ClientError):
    def __init__(self, code: str, message: str, **extensions: Any) -> None:
        self.code = code
        super().__init__(message, **extensions)
