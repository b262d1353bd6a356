#!/usr/bin/env bash
# tools/bootstrap.sh - installs everything tarn needs to build, test, fuzz and
# bench on Debian 12 (`make deps`).  A fast no-op when all is present.
#
#   tools/bootstrap.sh [--quiet]
#
# 1. Debian packages: checked with dpkg-query; only when some are missing does
#    it run `apt-get update && apt-get install -y` for those (as root, or via
#    sudo when available).
# 2. Node.js and npm: taken from the machine when `node` (>= 18) and `npm` are
#    on PATH (a NodeSource build, say); otherwise Debian's nodejs and npm.
# 3. npm packages of tools/node (DuckDB and hyparquet, the independent
#    readers the interop tests and benchmarks compare against): `npm install`
#    when node_modules is missing or package.json changed since the last
#    install (a hash is kept in node_modules/.tarn-package-hash).
#    No package-lock.json is committed (.gitignore keeps it out).
set -euo pipefail
cd "$(dirname "$0")/.."

QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1
say() { [ "$QUIET" = 1 ] || echo "bootstrap: $*"; }

# Build: compiler, make, pkg-config, the compression and hashing libraries
#   the Parquet codec links, libpg_query + protobuf-c (SQL parser, later),
#   libedit (the interactive `tarn sql` shell, src/cli/shell.c).
# Test/fuzz: clang 14 + its compiler-rt (libFuzzer, ASan/UBSan runtimes),
#   valgrind, git (build id), python3 (helper scripts), procps, bsdutils
#   (script(1): tests/shell drives the shell through a pseudo-terminal),
#   PostgreSQL 15 server + libpq (tests/pgdiff compares answers with it),
#   tzdata (named time zones: TZif files under /usr/share/zoneinfo).
# Ingest and TLS: librdkafka (Kafka client + its mock cluster for tests),
#   libavro-c (tests only: an independent Avro writer), OpenSSL (+ the
#   openssl CLI for test certificates).  Client tests of tarn serve: psycopg2 and the
#   PostgreSQL JDBC driver (with a JDK to compile the Java test).
PKGS=(
    gcc make pkg-config git ca-certificates
    libsnappy-dev libzstd-dev liblz4-dev zlib1g-dev libxxhash-dev
    libpg-query-dev libprotobuf-c-dev libedit-dev
    clang-14 clang libclang-rt-14-dev llvm-14
    valgrind python3 procps xxd bsdutils
    postgresql-15 postgresql-client-15 libpq-dev
    tzdata
    librdkafka-dev libavro-dev libssl-dev
    openssl  # the CLI: tests/server/tls_test.sh makes its certificates with it
    curl     # tests/ingest_files posts to the HTTP ingest endpoint with it
    python3-psycopg2 libpostgresql-jdbc-java openjdk-17-jdk-headless
)

missing=()
for p in "${PKGS[@]}"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$st" = "install ok installed" ] || missing+=("$p")
done

node_ok() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
    local major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$major" -ge 18 ]
}
if ! node_ok; then
    missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    SUDO=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
    if ! node_ok; then
        echo "bootstrap: node >= 18 and npm are still missing after apt-get" >&2
        exit 1
    fi
fi

# npm packages for the test tools.
NODE_DIR=tools/node
hash_now=$(sha256sum "$NODE_DIR/package.json" | cut -d' ' -f1)
hash_file="$NODE_DIR/node_modules/.tarn-package-hash"
if [ ! -d "$NODE_DIR/node_modules" ] || [ ! -f "$hash_file" ] ||
    [ "$(cat "$hash_file")" != "$hash_now" ]; then
    echo "bootstrap: npm install in $NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
    # Check that the packages load before recording success.
    (cd "$NODE_DIR" && node --input-type=module -e \
        'await import("hyparquet"); await import("hyparquet-compressors"); await import("@duckdb/node-api");') || {
        echo "bootstrap: npm packages installed but do not load" >&2
        exit 1
    }
    echo "$hash_now" >"$hash_file"
fi

say "all dependencies present"
