"""Business refusals of bills and finance: a stable code, the input field, a message.

Raised by the rules, turned into `UserError`s of the mutation payload by the API. The
message never quotes an input value (it could be an account number or a name).
"""

from __future__ import annotations


class Refusal(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
