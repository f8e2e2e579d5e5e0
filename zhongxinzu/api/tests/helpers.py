"""Helpers for the API tests."""

import json

from django.test import Client


class ApiClient:
    """A test client that speaks JSON and carries a bearer token (or nothing)."""

    def __init__(self, token: str | None = None, **defaults):
        self.client = Client(**defaults)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method, path, body=None, **extra):
        data = json.dumps(body) if body is not None else ""
        return self.client.generic(
            method,
            path,
            data=data,
            content_type="application/json",
            headers={**self.headers, **extra.pop("headers", {})},
            **extra,
        )

    def get(self, path, params=None, **extra):
        return self.client.get(path, params or {}, headers=self.headers, **extra)

    def post(self, path, body=None, **extra):
        return self._send("POST", path, body, **extra)

    def patch(self, path, body=None, **extra):
        return self._send("PATCH", path, body, **extra)

    def delete(self, path, **extra):
        return self._send("DELETE", path, **extra)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}
