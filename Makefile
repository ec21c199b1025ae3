# The README's commands. `make test` and `make demo` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARCHIVE_PATH ?= archive/caucasus.db
HOST ?= 127.0.0.1
PORT ?= 8001
DEMO_MIRROR_PORT ?= 8765
SPIDER ?=
DEMO_SETTINGS = -s ARCHIVE_PATH=archive/demo.db -s WARC_DIR=archive/warc-demo \
	-s DOWNLOAD_DELAY=0 -s AUTOTHROTTLE_START_DELAY=0

.PHONY: install test lint fuzz crawl serve demo demo-crawl bench bench-large bench-scale \
	bench-extraction clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[test]'
	touch $@

test: install
	$(BIN)/pytest

# The property tests of tests/test_fuzz.py, 20,000 examples each instead of 150.
fuzz: install
	HYPOTHESIS_PROFILE=long $(BIN)/pytest tests/test_fuzz.py -p no:cacheprovider

lint: install
	$(BIN)/ruff check caucasus_crawler tests bench archive/plugins
	$(BIN)/ruff format --check caucasus_crawler tests bench archive/plugins

# Every outlet (scrapy crawlall); one outlet with `make crawl SPIDER=oc_media`.
crawl: install
	$(BIN)/scrapy $(if $(SPIDER),crawl $(SPIDER),crawlall) -s ARCHIVE_PATH=$(ARCHIVE_PATH) $(ARGS)

serve: install
	@ls archive/*.db >/dev/null 2>&1 || { echo "archive/ holds no archive yet: run make crawl \
	(the outlets) or make demo (the bundled mirrors) first, then make serve"; exit 1; }
	$(BIN)/datasette archive/ --host $(HOST) --port $(PORT)

# Crawl the bundled mirror of every outlet on 127.0.0.1 (one port each from
# DEMO_MIRROR_PORT) into archive/demo.db with scrapy crawlall, then OC Media's mirror
# a week later (its edits: the edit history and its feed have content), then serve it.
demo: demo-crawl
	@echo "Search the archive: http://$(HOST):$(PORT)/demo/search?q=Pashinyan"
	$(BIN)/datasette archive/ --host $(HOST) --port $(PORT)

demo-crawl: install
	rm -rf archive/demo.db archive/demo.db-wal archive/demo.db-shm archive/warc-demo
	$(BIN)/python -m caucasus_crawler.devmirror --port $(DEMO_MIRROR_PORT) \
		$(foreach outlet,$(shell $(BIN)/scrapy list | grep -vx news),--site $(outlet)) -- \
		$(BIN)/scrapy crawlall {mirrors} $(DEMO_SETTINGS)
	$(BIN)/python -m caucasus_crawler.devmirror --port $(DEMO_MIRROR_PORT) --state later \
		--site oc_media -- $(BIN)/scrapy crawlall --spiders oc_media {mirrors} $(DEMO_SETTINGS) \
		-s 'RECRAWL_SCHEDULE={"*": 0}'

# Benchmarks (not tests): figures to bench/RESULTS.md; about 10 minutes, 30 for bench-large.
bench: install
	$(BIN)/python -m bench

bench-large: install
	$(BIN)/python -m bench --large

# Every figure at a million articles: the archive in five languages (writes, search,
# size), the crawl against its peers and its memory, a night's re-crawl; about 75
# minutes and 40 GB of disk while it runs (ARCHIVED=50000 for a smaller archive).
ARCHIVED ?=
bench-scale: install
	$(BIN)/python -m bench --scale $(if $(ARCHIVED),--archived $(ARCHIVED))

# The generic extractor against trafilatura on a public set of news pages (about 2 minutes).
EXTRACTION_DEV ?= ../shared/extraction-dev
bench-extraction: install
	$(BIN)/python -m bench.extraction_dev --set $(EXTRACTION_DEV)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
