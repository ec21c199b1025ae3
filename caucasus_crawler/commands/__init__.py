"""Project commands (COMMANDS_MODULE): Scrapy's own, with friendlier errors."""
