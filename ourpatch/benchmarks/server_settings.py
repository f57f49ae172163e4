"""The settings the benchmark's server runs with: ourpatch's own, with the API's rate limit
off. One load generator on 127.0.0.1 is one client; at 15 requests a second it would be
measuring the limit, not the lookup. Everything else is exactly as deployed.
"""

from ourpatch.settings import *  # noqa: F403

OURPATCH_API_RATE_PER_SECOND = 0
OURPATCH_API_BURST = 1_000_000
