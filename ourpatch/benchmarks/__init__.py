"""Benchmarks: ``ourpatch bench locate`` measures neighbourhood lookups at national scale.

Each benchmark prints a table of its figures against their targets, then one line
``RESULT key=value ...`` that scripts can parse (``common.parse_result``).
"""
