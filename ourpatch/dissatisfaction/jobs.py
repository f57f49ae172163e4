"""The dissatisfaction app's background jobs (registered on import, by the worker app)."""

from ourpatch.dissatisfaction import handling  # noqa: F401  (registers dissatisfaction.receipt)
