# pgentry and the example app in one image (docs/deployment.md):
#   docker build -t pgentry-example .                        the runtime image (the last stage)
#   docker build -f tests/docker/test.Dockerfile .           the unit and database tests, in a container
# No `# syntax=` line: BuildKit then uses the frontend built into the engine, so the build works offline.
# The image runs `pgentry` as PID 1: it waits for the database, migrates /app/migrations, then supervises CMD.
#
# The layers are ordered by how often their inputs change: a changed migration rebuilds only the last layers of
# the runtime stage, never the C++ (which only src/, entrypoint/, examples/ and CMakeLists.txt feed). Every stage
# here is one the runtime image needs: the legacy builder (Debian's docker.io 20.10 without DOCKER_BUILDKIT=1,
# docker-compose v1) builds every stage before the target, used or not.

FROM debian:bookworm AS build
WORKDIR /src
# The same script CI uses, so the image builds against the packages the tests ran with.
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY src/ src/
COPY entrypoint/ entrypoint/
COPY examples/ examples/
# Release without -Werror: a warning of another compiler version must not stop a user's build (CI has -Werror).
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DPGENTRY_TESTS=OFF -DPGENTRY_WERROR=OFF \
    && cmake --build /build -j"$(nproc)"
# The install tree: bin/pgentry, libexec/pgentry/pgentry-init (found relative to pgentry), the example server,
# etc/pgentry/*.conf, share/pgentry/bin/{migrate,rollback,status}. The example migrations are left out here:
# the runtime stage copies them last, so that the layer of binaries stays the same when a migration changes.
COPY config/ config/
COPY migrations/ migrations/
RUN cmake --install /build --prefix /install --strip \
    && rm -r /install/share/pgentry/example/migrations

FROM debian:bookworm-slim AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="pgentry-example" \
      org.opencontainers.image.description="pgentry as PID 1: waits for PostgreSQL, migrates, supervises the app" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"

# The one shared library pgentry-migrator and the example server link, libpq (pgentry and pgentry-init are static;
# Boost, spdlog and fmt are linked in), and the CA roots for sslmode=verify-full. The check after the COPY fails the build if a library is missing.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

COPY --from=build /install/ /usr/local/
RUN if ldd /usr/local/bin/* /usr/local/libexec/pgentry/* 2>/dev/null | grep 'not found'; then exit 1; fi
WORKDIR /app
RUN mkdir /app/bin \
    && ln -s /usr/local/share/pgentry/bin/migrate /usr/local/share/pgentry/bin/rollback \
             /usr/local/share/pgentry/bin/status /app/bin/
# Root-owned and read-only for `app`: the migrations are part of the image, not state.
COPY migrations/ /app/migrations/

USER app
ENV PORT=8080
EXPOSE 8080
# Healthy once pgentry has migrated and the server reaches the database: what a start-first rollout waits for.
# bookworm-slim has no curl; the server has a client mode.
HEALTHCHECK --interval=5s --timeout=3s --start-period=2m --retries=3 \
    CMD ["/usr/local/bin/pgentry-example-server", "--healthcheck"]
# Exec form, so that pgentry is PID 1 and docker stop's SIGTERM reaches it (and, forwarded, the server).
ENTRYPOINT ["/usr/local/bin/pgentry"]
CMD ["/usr/local/bin/pgentry-example-server"]
