"""One spider per source. Each takes its API base URL from ``SKILLTRENDS_<NAME>_URL``."""
