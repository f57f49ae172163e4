"""The problems app's background jobs."""

from ourpatch.problems import priorities  # noqa: F401  (registers problems.tell_raisers)
