"""A small GraphQL client for the command line, sending the documents in graphql/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from partner_center.api import trusted_documents

# Where the API is when neither --api (PARTNER_CENTER_API) nor a running dev says.
FALLBACK_API = "http://127.0.0.1:8000/graphql"
# The --api option's default: "ask the running dev" (see `resolve_api`).
DEFAULT_API: str | None = None


def resolve_api(api: str | None) -> str:
    """--api when given, else the running `partner-center dev`'s, else the fallback."""
    if api:
        return api
    from partner_center.local import dev_state

    found = dev_state.lookup()
    return found.state.api if found.state is not None else FALLBACK_API


class ApiError(Exception):
    """What the API (or the way to it) answered; `hint` says what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


NOT_RUNNING_HINT = (
    "no local environment answers there: start one with `partner-center "
    "dev` (in another terminal, in this directory), or pass --api URL"
)

_HTTP_HINTS = {
    401: "the token was refused: pass --user LOGIN (a demo login) or a fresh "
    "PARTNER_CENTER_TOKEN from `partner-center token --user LOGIN`",
    403: "this user may not do that: try a user with the right role or menu "
    "(`partner-center dev` lists the demo logins)",
    404: "nothing serves GraphQL at that URL: --api takes the /graphql URL dev shows",
}


class GraphQLClient:
    def __init__(self, api: str | None, token: str, timeout: float = 30.0) -> None:
        self.api = resolve_api(api)
        self._http = httpx.Client(timeout=timeout, headers={"Authorization": f"Bearer {token}"})

    def call(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            # A trusted document by ID: what production accepts, and development too.
            response = self._http.post(
                self.api,
                json={
                    "documentId": trusted_documents.id_of(operation),
                    "operationName": operation,
                    "variables": variables,
                },
            )
        except httpx.ConnectError as exc:
            raise ApiError(f"cannot reach the API at {self.api}", NOT_RUNNING_HINT) from exc
        except httpx.TimeoutException as exc:
            raise ApiError(
                f"the API at {self.api} did not answer in time", "is the machine busy? try again"
            ) from exc
        except httpx.HTTPError as exc:
            raise ApiError(f"cannot reach the API at {self.api}: {exc}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError(
                f"the API answered HTTP {response.status_code} without JSON",
                _HTTP_HINTS.get(response.status_code),
            ) from exc
        if response.status_code >= 400 and not body.get("errors"):
            raise ApiError(
                f"the API answered HTTP {response.status_code}",
                _HTTP_HINTS.get(response.status_code),
            )
        errors = body.get("errors")
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code", "ERROR")
            raise ApiError(f"{code}: {first.get('message')}", _HTTP_HINTS.get(response.status_code))
        return body["data"]

    def download(self, url: str, target: Path) -> None:
        try:
            self._download(url, target)
        except httpx.HTTPError as exc:
            raise ApiError(
                f"the download failed: {exc}", "the link lasts 15 minutes: run the command again"
            ) from exc

    def _download(self, url: str, target: Path) -> None:
        with httpx.stream("GET", url, timeout=60.0) as response:
            if response.status_code != 200:
                raise ApiError(f"download failed with HTTP {response.status_code}")
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)

    def close(self) -> None:
        self._http.close()
