"""The contact app's background jobs (registered on import, by the worker app)."""

from ourpatch.contact import messages  # noqa: F401  (registers contact.acknowledge)
