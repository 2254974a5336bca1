"""Scrapy contract ``@api_path``: like ``@url``, but on the spider's configured API host.

``scrapy check`` then runs against whatever ``SKILLTRENDS_<NAME>_URL`` points at (the test
suite's local server, or the real API), with the real path.
"""

from scrapy.contracts import Contract


class ApiPathContract(Contract):
    name = "api_path"

    def adjust_request_args(self, args):
        spider = args["callback"].__self__
        args["url"] = spider.base_url + self.args[0]
        return args
