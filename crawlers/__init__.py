"""Scrapy project: one spider per public job source, writing into per-run landing DuckDB files."""
