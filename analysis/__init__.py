"""Trend maths over the published snapshot: the dashboard's only data source.

- :mod:`analysis.snapshot` opens the current snapshot read-only, one connection per call.
- :mod:`analysis.queries` pulls the rows a view needs (parameterized SQL, Arrow → Polars).
- :mod:`analysis.shares` turns those rows into monthly and period shares with Wilson
  95% intervals (pure frame-in, frame-out functions).
- :mod:`analysis.families` holds the family order and labels, defined once.
"""
