"""Scrapy settings for skilltrends crawls: polite by default.

Every crawl runs in its own process (Twisted's reactor cannot restart), writes its items
into its own landing DuckDB file and records the run there (see ``crawlers.landing``).
"""

import os

from skilltrends import __version__

BOT_NAME = "skilltrends"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Who we are: sites can see the project and how to reach its operators.
# An empty variable counts as unset: a user agent without a contact is no identification.
SKILLTRENDS_CONTACT_URL = os.environ.get("SKILLTRENDS_CONTACT_URL", "").strip() or \
    "https://github.com/skilltrends/skilltrends"
USER_AGENT = f"skilltrends/{__version__} (+{SKILLTRENDS_CONTACT_URL})"

# Politeness: robots.txt, one request at a time per domain, a delay AutoThrottle adapts.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60

# Retries: 429 and 5xx with exponential backoff, honouring Retry-After (crawlers.middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 120.0
RETRY_AFTER_MAX = 600.0
# The spider's errback logs the one line per failure; Scrapy's own "Gave up retrying" is noise.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100), so robots.txt fetches count too.
    "crawlers.middlewares.RequestBudgetMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.EveryWaiterRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.ConditionalRequestsMiddleware": 560,
}

# True when the host crawled serves generated data (the offline demo's mirror): the run is
# recorded as generated from its start (stat skilltrends/generated, kept by a killed run too),
# and the home's snapshots say so from then on (meta.demo).
GENERATED_DATA = False
# Per-source request budget: a crawl stops (incomplete: nothing closed) after this many
# requests; 0 = unlimited. Continue it later with `skilltrends crawl SOURCE --resume`.
CRAWL_REQUEST_BUDGET = 0
# Conditional requests (If-None-Match / If-Modified-Since) for job boards whose last complete
# crawl got an ETag or Last-Modified; a 304 counts as the same board, unchanged.
CONDITIONAL_REQUESTS_ENABLED = True
# Remember, per source, the stored version of each posting (store only new or changed ones),
# each board's last complete listing and validators, and the crawl job (for --resume), in
# <SKILLTRENDS_HOME>/crawl_state/<source>.duckdb. A crawl holds that file: two crawls of the
# same source at once are refused.
CRAWL_STATE_ENABLED = True
# Continue the source's unfinished crawl job (killed, interrupted, budget spent): only the
# boards it had not finished are crawled (the CLI's --resume).
CRAWL_RESUME = False
# Bodies larger than this are not downloaded (a board over it counts as failed: body_too_large).
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
# Redirects followed before a request is given up as a redirect loop.
REDIRECT_MAX_TIMES = 10

ITEM_PIPELINES = {
    "crawlers.pipelines.LandingPipeline": 800,
}
EXTENSIONS = {
    "crawlers.extensions.CrawlProgress": 500,
    "crawlers.extensions.OneLinePerFailure": 510,
}
# Drop Scrapy's own warnings about oversized or truncated downloads: the spider logs one line.
ONE_LINE_PER_FAILURE_ENABLED = True

# Where landing files go: <SKILLTRENDS_HOME>/landing/<source>/<run_id>.duckdb.
SKILLTRENDS_HOME = os.environ.get("SKILLTRENDS_HOME", "data")
LANDING_BATCH_SIZE = 500
# Seconds an item may wait uncommitted; a stopping crawl commits at once (crawlers.pipelines).
LANDING_FLUSH_SECONDS = 10.0
# Lever postings asked for per page (the API's ``limit``); pages are read until a short one.
LEVER_PAGE_SIZE = 100
# Progress display on stderr (the CLI turns it on); seconds between updates.
CRAWL_PROGRESS_ENABLED = False
CRAWL_PROGRESS_INTERVAL = 1.0

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

SPIDER_CONTRACTS = {
    "crawlers.contracts.ApiPathContract": 10,
}
