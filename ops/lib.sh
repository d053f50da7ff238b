# Shared by ops/run, ops/test and cluster/: install what is missing, find the tools, run a private
# PostgreSQL cluster in a project folder. Source it; it defines functions only.

GUICHET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GUICHET_STATE="$GUICHET_ROOT/.guichet"

say() { printf '\033[1m[guichet]\033[0m %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ensure_packages CMD=PACKAGE ...: installs, from Debian, the package of every missing command (or of
# every missing file, for a CMD that is an absolute path).
ensure_packages() {
    local missing=()
    for pair in "$@"; do
        local cmd="${pair%%=*}" pkg="${pair#*=}"
        if [[ "$cmd" == /* ]]; then
            [ -e "$cmd" ] || missing+=("$pkg")  # a file the package installs, for packages without a command
        elif ! command -v "$cmd" >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/"$cmd" >/dev/null 2>&1; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]} (apt)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "could not install ${missing[*]}"
}

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift >/dev/null 2>&1 || die "Swift 6 is needed (swift not found on PATH nor in /opt/swift)"
}

# The directory of the newest PostgreSQL server binaries. (Functions here say `return 0`: a bare
# `return` inside an EXIT trap would return the status that triggered the trap.)
pg_bin() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
    dirname "$(command -v initdb)"
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to an unprivileged system user.
pg_user() {
    if [ "$(id -u)" -ne 0 ]; then id -un; return 0; fi
    if ! id guichet >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin guichet
    fi
    echo guichet
}

as_pg_user() {
    local user; user="$(pg_user)"
    if [ "$(id -un)" = "$user" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

# pg_start DIR PORT [durable|throwaway] [OPTIONS]: starts (creating if needed) a cluster in DIR listening
# on 127.0.0.1:PORT only, whose superuser is "guichet" with trust authentication on loopback; OPTIONS
# are more server settings ("-c name=value ...").
pg_start() {
    local dir="$1" port="$2" mode="${3:-durable}" extra="${4:-}" bin; bin="$(pg_bin)"
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    local user; user="$(pg_user)"
    chown "$user" "$dir" 2>/dev/null || true
    chmod 700 "$dir"
    as_pg_user test -x "$dir" || die "the PostgreSQL user '$user' cannot reach $dir; clone the project in a folder it can read"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        say "creating a PostgreSQL cluster in ${dir#$GUICHET_ROOT/}"
        as_pg_user "$bin/initdb" -D "$dir/data" -U guichet --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    local options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=300"
    # sized for the service centre's database server (a fleet of a million CIs and its tickets stay
    # in memory; an import of the whole inventory runs without a checkpoint in the middle)
    options="$options -c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=16MB -c maintenance_work_mem=256MB"
    options="$options -c max_wal_size=8GB -c min_wal_size=1GB -c checkpoint_timeout=15min -c wal_buffers=64MB"
    if [ "$mode" = throwaway ]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    options="$options $extra"
    if ! as_pg_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -o "$options" -w -t 60 start >/dev/null \
            || { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
    fi
    say "PostgreSQL listening on 127.0.0.1:$port"
}

pg_stop() {
    local dir="$1" bin; bin="$(pg_bin)"
    [ -f "$dir/data/postmaster.pid" ] && as_pg_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_create_database PORT NAME: creates NAME unless it exists.
pg_create_database() {
    local port="$1" name="$2" bin; bin="$(pg_bin)"
    if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U guichet -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        "$bin/createdb" -h 127.0.0.1 -p "$port" -U guichet "$name"
    fi
}

# stop_process PID SECONDS: asks PID to stop (SIGTERM) and waits until it is gone, killing it after
# SECONDS. Polls rather than `wait`, which a second signal would interrupt half-way.
stop_process() {
    local pid="$1" seconds="$2" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < seconds * 5; i++)); do
        # `|| true`: its exit status is the stopped process's, and callers run under `set -e`
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.2
    done
    say "process $pid did not stop within ${seconds}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
}

# wait_for_port HOST PORT SECONDS: waits until something listens on HOST:PORT.
wait_for_port() {
    local host="$1" port="$2" seconds="$3" i
    for ((i = 0; i < seconds * 10; i++)); do
        (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# wait_for_url URL SECONDS: waits until URL answers 200.
wait_for_url() {
    local url="$1" seconds="$2" i
    for ((i = 0; i < seconds * 10; i++)); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# ensure_secret_key: exports GUICHET_SECRET_KEY, the key that seals the secrets Guichet keeps
# (webhooks'), unless it is set: the one in .guichet/secret-key, made at the first run (32 random
# bytes, readable by this user only). Production sets its own, the same on every node.
ensure_secret_key() {
    [ -n "${GUICHET_SECRET_KEY:-}" ] && return 0
    local file="$GUICHET_STATE/secret-key"
    if [ ! -s "$file" ]; then
        mkdir -p "$GUICHET_STATE"
        (umask 077 && openssl rand -base64 32 >"$file") || die "openssl could not make the secret key"
    fi
    GUICHET_SECRET_KEY="$(cat "$file")"
    export GUICHET_SECRET_KEY
}

# ensure_browser_tools: Debian's Chromium and its driver, and a venv in .venv-browser with the pinned
# Selenium of cluster/tests/browser-requirements.txt, for cluster/tests/browser. The venv keeps a copy
# of the requirements it was built from, so a changed pin rebuilds it and an unchanged one costs nothing.
ensure_browser_tools() {
    ensure_packages chromium=chromium chromedriver=chromium-driver
    local venv="$GUICHET_ROOT/.venv-browser" requirements="$GUICHET_ROOT/cluster/tests/browser-requirements.txt"
    cmp -s "$requirements" "$venv/requirements.txt" && "$venv/bin/python" -c 'import selenium' 2>/dev/null && return 0
    # Debian's Python ships venv without ensurepip unless python3-venv is installed
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || ensure_packages /usr/share/doc/python3-venv=python3-venv
    say "creating the browser tests' Python environment in ${venv#$GUICHET_ROOT/}"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" || die "could not install $requirements"
    cp "$requirements" "$venv/requirements.txt"
}

# ensure_fuzz_tools: a venv in .venv-fuzz with the pinned Schemathesis of
# cluster/tests/api-fuzz-requirements.txt, for cluster/tests/api-fuzz. The venv keeps a copy of the
# requirements it was built from, so a changed pin rebuilds it and an unchanged one costs nothing.
ensure_fuzz_tools() {
    local venv="$GUICHET_ROOT/.venv-fuzz" requirements="$GUICHET_ROOT/cluster/tests/api-fuzz-requirements.txt"
    cmp -s "$requirements" "$venv/requirements.txt" && "$venv/bin/schemathesis" --version >/dev/null 2>&1 && return 0
    # Debian's Python ships venv without ensurepip unless python3-venv is installed
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || ensure_packages /usr/share/doc/python3-venv=python3-venv
    say "creating the API fuzz test's Python environment in ${venv#$GUICHET_ROOT/}"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" || die "could not install $requirements"
    cp "$requirements" "$venv/requirements.txt"
}
