"""``python -m ourpatch.benchmarks.loaddb CACHE``: load the cached national neighbourhoods.

The benchmark runs this in a subprocess whose ``DATABASE_URL`` names its own temporary
database, so the configured one (the one ``ourpatch`` serves) is never touched.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ourpatch.benchmarks.loaddb")
    parser.add_argument("cache", type=Path, help="the national neighbourhoods' .npz cache")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ourpatch.settings")
    import django

    django.setup()
    from ourpatch.benchmarks.national import load_areas, load_database

    areas = load_areas(args.cache)
    if areas is None:
        print(f"no up-to-date neighbourhood cache at {args.cache}", file=sys.stderr)
        return 1
    written = load_database(areas)
    print(f"loaded {written} neighbourhoods", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
