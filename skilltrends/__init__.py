"""skilltrends: how demand shifts between classic ML, MLOps and LLM skills in job postings."""

__version__ = "0.1.0"
