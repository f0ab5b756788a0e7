# Nexus: one container, SQLite in the /data volume by default.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEXUS_DATA_DIR=/data \
    NEXUS_CACHE_DIR=/opt/nexus/cache

# A fixed uid:gid, 10001:10001: a host folder mounted at /data must be writable by it
# (README, "Docker": chown 10001:10001 the folder).
RUN groupadd --gid 10001 nexus \
    && useradd --uid 10001 --gid 10001 --create-home nexus \
    && mkdir /data && chown 10001:10001 /data

WORKDIR /app
# The dependencies first, exactly as locked (with hashes): this layer is reused until
# the lock changes, whatever else does. Refresh the lock with .ci/lock.
COPY requirements/runtime.lock requirements/runtime.lock
RUN pip install --no-deps --require-hashes -r requirements/runtime.lock
# Then the project itself, without resolving anything again.
COPY pyproject.toml README.md ./
COPY storage ./storage
COPY bot ./bot
COPY content ./content
RUN pip install --no-deps .
# Encode the bundled content once at build time, so the first start is a warm one
# (vectors are keyed by text and model; a custom NEXUS_CONTENT_DIR adds only its own).
RUN mkdir -p /opt/nexus/cache \
    && nexus-bot ask "warm up the vector cache" > /dev/null \
    && chown -R 10001:10001 /opt/nexus

USER 10001:10001
VOLUME ["/data"]
# Webhook mode listens here (NEXUS_PORT); polling needs no inbound port.
EXPOSE 8080
# Reads the heartbeat the running bot writes to /data every 10 s after pinging its
# database (bot/health.py): a few milliseconds, no content or database work.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["nexus-bot", "healthcheck"]
CMD ["nexus-bot", "run"]
