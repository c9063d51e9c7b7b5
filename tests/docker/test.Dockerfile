# The unit and database tests in a container, apart from the image (the legacy builder builds every stage of a
# Dockerfile before its target, so a test stage there would be built, and could fail, with every image build):
#   docker build -f tests/docker/test.Dockerfile .
# Its first layers are the Dockerfile's, so both builds share them. The tests that need privileges `docker build`
# does not grant (unshare: tests/pid1, db.Launch.*) skip themselves; tests/e2e and tests/docker run in CI.
# ssl=off as in scripts/test.sh: here postgresql-common's snakeoil certificate turns TLS on in every new cluster.
FROM debian:bookworm
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh build && rm -rf /var/lib/apt/lists/*
# dbmate for the --migrate-command tests: npm's, pinned by bench's lock file (.dockerignore keeps node_modules out).
COPY bench/package.json bench/package-lock.json bench/
RUN scripts/install-deps.sh test && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build-test -DCMAKE_BUILD_TYPE=Release -DPGENTRY_WERROR=OFF \
    && cmake --build /build-test -j"$(nproc)" \
    && pg_virtualenv -t -o max_connections=300 -o ssl=off ctest --test-dir /build-test --output-on-failure -E '^e2e\.'
