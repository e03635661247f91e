"""Helpers for the kg sync tests: sample articles written for these tests, a local HTTP server, a test clock."""
