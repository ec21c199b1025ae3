"""One spider per outlet; shared discovery lives in ``base.NewsSpider``."""
