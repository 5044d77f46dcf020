# mockown as a CI service container: `docker build -t mockown .` then see README, "Docker".
# Build stage: install mockown and its runtime dependencies (wheels only, no compiler) into a venv, with their
# bytecode compiled now, so that a container start does not recompile every module (PYTHONDONTWRITEBYTECODE
# below only stops new .pyc files at run time; the ones made here are used).
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockown ./mockown
COPY fixtures ./fixtures
COPY contracts ./contracts
RUN python -m venv /opt/mockown \
    && /opt/mockown/bin/pip install --only-binary=:all: . \
    && /opt/mockown/bin/pip uninstall --yes pip

# Final stage: the venv alone, run by a non-root user.
FROM python:3.12-slim
RUN groupadd --system --gid 10001 mockown \
    && useradd --system --no-log-init --create-home --home-dir /data --uid 10001 --gid 10001 mockown
COPY --from=build /opt/mockown /opt/mockown
# Everything is configured by MOCKOWN_* variables (README, "Configuration"), a mounted config file
# (MOCKOWN_CONFIG=/config/mockown.yaml) or seed file (MOCKOWN_SEED=/config/seed.yaml). The image's own host,
# port and tls_dir are MOCKOWN_DEFAULTS, the lowest source: a config file's or a variable's win over them.
# Listening on 0.0.0.0 locks the control plane: give MOCKOWN_ADMIN_TOKEN, or MOCKOWN_INSECURE_CONTROL_PLANE=true
# on a network only your CI job reaches. MOCKOWN_STATE_FILE=/data/state.db keeps the state in the /data volume.
ENV PATH="/opt/mockown/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MOCKOWN_DEFAULTS="{host: 0.0.0.0, port: 8080, tls_dir: /data/tls}"
USER 10001:10001
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["python", "-m", "mockown.healthcheck"]
ENTRYPOINT ["mockown", "serve"]
