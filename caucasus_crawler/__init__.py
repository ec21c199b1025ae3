"""caucasus_crawler: a Scrapy crawler and research archive of news from the South Caucasus."""
