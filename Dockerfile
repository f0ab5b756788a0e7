# Nexus: one container, SQLite in the /data volume by default.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEXUS_DATA_DIR=/data \
    NEXUS_CACHE_DIR=/opt/nexus/cache

RUN useradd --create-home --uid 10001 nexus \
    && mkdir /data && chown nexus:nexus /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY storage ./storage
RUN pip install '.[postgres]'
# Encode the bundled content once at build time, so the first start is a warm one
# (vectors are keyed by text and model; a custom NEXUS_CONTENT_DIR adds only its own).
RUN mkdir -p /opt/nexus/cache \
    && nexus-bot ask "warm up the vector cache" > /dev/null \
    && chown -R nexus:nexus /opt/nexus

USER nexus
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["nexus-bot", "healthcheck"]
CMD ["nexus-bot", "run"]
