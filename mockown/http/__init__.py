"""Starlette wiring only: the app, body parsing, and the routes of each API."""
