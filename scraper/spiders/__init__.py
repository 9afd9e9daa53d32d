"""The spiders: thin, they fetch and hand pages to ``scraper.sites``."""
