"""Fixtures of the web page tests: the service tests' real databases, Redis and workers."""

from tests.service.conftest import database_url, redis_url, settings, start_worker  # noqa: F401
