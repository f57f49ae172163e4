from ourpatch.updates import monthly  # noqa: F401  (registers the monthly update jobs)
