"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl`` with
``thaidigest crawl``'s report and exit status."""
