"""The edit-gate tests use the board tests' governed repositories."""

from tests.board.conftest import governed  # noqa: F401 - a fixture, shared by import
