"""Adapters to the outside world (email, calendars, CSV, webhooks). No business rules here."""
