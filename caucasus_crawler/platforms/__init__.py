"""Platform bases: one news CMS's conventions each, between the engine and the outlets.

An outlet is a declaration on one of them (``spiders/<outlet>.py``): its name, origin,
editions, sections, profile and only the URL patterns where it departs from its
platform. ``plain.PlainSpider`` is for in-house CMSs, which declare their patterns.
"""
