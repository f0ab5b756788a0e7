# Nexus: one container, SQLite in the /data volume by default.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEXUS_DATA_DIR=/data

RUN useradd --create-home --uid 10001 nexus \
    && mkdir /data && chown nexus:nexus /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY storage ./storage
RUN pip install '.[postgres]'

USER nexus
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["nexus-bot", "healthcheck"]
CMD ["nexus-bot", "run"]
