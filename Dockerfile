# thaidigest: the scheduler daemon by default (`thaidigest run`); any other
# command by naming it, e.g. `docker run ... thaidigest serve --host 0.0.0.0`, or
# `docker run --rm thaidigest demo` (the seeds and fixture site are in the package).
# The daemon stops within docker stop's default 10 s. See docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN pip install . && rm -rf /src

COPY docker/thaidigest.toml /etc/thaidigest/thaidigest.toml
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home thaidigest \
    && mkdir -p /data /public \
    && chown thaidigest:thaidigest /data /public

ENV THAIDIGEST_DB=/data/thaidigest.sqlite \
    THAIDIGEST_CONFIG=/etc/thaidigest/thaidigest.toml
VOLUME ["/data", "/public"]
WORKDIR /data
USER thaidigest

# Unhealthy when a site has had no successful crawl for status.max_crawl_age_hours;
# the start period covers the wait for the first scheduled crawl. Name your own schedule
# in THAIDIGEST_SCHEDULES (not run --schedules) so that this check reads it too.
HEALTHCHECK --interval=5m --timeout=1m --start-period=6h10m \
    CMD thaidigest status || exit 1

ENTRYPOINT ["thaidigest"]
CMD ["run"]
