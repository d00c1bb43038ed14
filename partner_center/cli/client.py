"""A small GraphQL client for the command line, sending the documents in graphql/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from partner_center.api import trusted_documents

DEFAULT_API = "http://127.0.0.1:8000/graphql"


class ApiError(Exception):
    pass


class GraphQLClient:
    def __init__(self, api: str, token: str, timeout: float = 30.0) -> None:
        self.api = api
        self._http = httpx.Client(timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"})

    def call(self, operation: str, variables: dict[str, Any]
             ) -> dict[str, Any]:
        try:
            # A trusted document by ID: what production accepts, and development too.
            response = self._http.post(self.api, json={
                "documentId": trusted_documents.id_of(operation), "operationName": operation,
                "variables": variables})
        except httpx.HTTPError as exc:
            raise ApiError(f"cannot reach the API at {self.api}: {exc}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise ApiError(f"the API answered HTTP {response.status_code} without JSON"
                           ) from exc
        errors = body.get("errors")
        if errors:
            first = errors[0]
            code = (first.get("extensions") or {}).get("code", "ERROR")
            raise ApiError(f"{code}: {first.get('message')}")
        return body["data"]

    def download(self, url: str, target: Path) -> None:
        with httpx.stream("GET", url, timeout=60.0) as response:
            if response.status_code != 200:
                raise ApiError(f"download failed with HTTP {response.status_code}")
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)

    def close(self) -> None:
        self._http.close()
