# Throwaway database servers for the tests and benchmarks: MariaDB and PostgreSQL started in a
# temp dir, listening on a unix socket only (no TCP), stopped again by db_cleanup.
# Source it, then: db_mariadb_start NAME [mariadbd options...] / db_pg_start NAME [-c opt=val ...]
# set $db_pid and $db_sock; db_stop PID; db_cleanup stops every server this shell started.
# shellcheck shell=bash

DB_MARIADBD=${DB_MARIADBD:-/usr/sbin/mariadbd}
DB_PG_BIN=${DB_PG_BIN:-$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)}
db_root=""   # the temp dir of every server (mode 0755 so the postgres user can reach its own)
db_pids=()   # servers started and not yet stopped, stopped by db_cleanup
declare -A db_signal=() # PID -> the signal that shuts it down fast (TERM for MariaDB, INT for PG)
db_pid=""    # the last server started
db_sock=""   # its socket: a file for MariaDB, a directory for PostgreSQL

# db_root_init: create $db_root once.
db_root_init() {
	[ -n "$db_root" ] && return 0
	db_root=$(mktemp -d /tmp/ktop-db.XXXXXX) || return 1
	chmod 755 "$db_root"
}

# db_wait_gone PID SECONDS: wait for a process to exit; false on time-out.
db_wait_gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# db_mariadb_start NAME [OPTIONS...]: a MariaDB in $db_root/NAME on $db_root/NAME.sock, its
# data directory made on first use and kept for a restart under the same NAME.
db_mariadb_start() {
	local name=$1 dir i
	shift
	db_root_init || return 1
	dir=$db_root/$name
	db_sock=$db_root/$name.sock
	if [ ! -e "$dir/installed" ]; then
		mkdir -p "$dir/data"
		mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
		touch "$dir/installed"
	fi
	"$DB_MARIADBD" --no-defaults --datadir="$dir/data" --socket="$db_sock" \
		--skip-networking --user=root --pid-file="$dir/mariadbd.pid" \
		--log-error="$dir/error.log" --innodb-buffer-pool-size=32M --skip-log-bin \
		--max-connections=64 "$@" >/dev/null 2>&1 &
	db_pid=$!
	disown "$db_pid" # not a job: a bare "wait" of the caller must not wait for the server
	db_pids+=("$db_pid")
	db_signal[$db_pid]=TERM
	for ((i = 0; i < 300; i++)); do
		mariadb-admin --no-defaults -S "$db_sock" -u root ping >/dev/null 2>&1 && return 0
		kill -0 "$db_pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -5 "$dir/error.log" >&2
	return 1
}

# db_mysql SOCK SQL: run one statement as root through a MariaDB socket, printing rows raw.
db_mysql() {
	mariadb --no-defaults -S "$1" -u root -N -B -e "$2"
}

# db_pg_start NAME [POSTGRES OPTIONS...]: a PostgreSQL cluster in $db_root/NAME (owned by the
# postgres user, since initdb refuses root; made on first use) with its socket in that directory.
db_pg_start() {
	local name=$1 dir
	shift
	db_root_init || return 1
	dir=$db_root/$name
	db_sock=$dir
	if [ ! -d "$dir/data" ]; then
		mkdir -p "$dir" && chown postgres: "$dir" || return 1
		runuser -u postgres -- "$DB_PG_BIN/initdb" -D "$dir/data" -A trust -U postgres \
			--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
	fi
	runuser -u postgres -- "$DB_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-k $dir -c listen_addresses='' -c fsync=off $*" start >/dev/null 2>&1 ||
		{ tail -5 "$dir/server.log" >&2; return 1; }
	db_pid=$(head -1 "$dir/data/postmaster.pid")
	db_pids+=("$db_pid")
	db_signal[$db_pid]=INT
}

# db_psql SOCKDIR SQL: run one statement through a PostgreSQL socket directory, rows raw.
db_psql() {
	psql -X -q -A -t -h "$1" -U postgres -d postgres -c "$2"
}

# db_pg_extended SOCKDIR MODE N SQL: run one statement N times on one connection through the
# extended protocol (Parse, Bind, Execute), with pgbench: MODE extended parses it every time,
# prepared once as a named statement.
db_pg_extended() {
	local script
	script=$(mktemp /tmp/ktop-pgbench.XXXXXX) || return 1
	printf '%s\n' "$4" >"$script"
	"$DB_PG_BIN/pgbench" -n -M "$2" -t "$3" -c 1 -f "$script" -h "$1" -U postgres postgres \
		>/dev/null 2>&1
	local rc=$?
	rm -f "$script"
	return $rc
}

# db_pool_inserts SOCK N: N autocommit INSERTs into pool.t (made if need be) of a MariaDB, from
# 4 connections at once: the load that has a thread pool suspend statements and resume them
# (InnoDB parks a commit while it waits for the redo log). False if a client failed.
db_pool_inserts() {
	local sock=$1 per=$(($2 / 4)) c i rc=0 load=()
	db_mysql "$sock" "CREATE DATABASE IF NOT EXISTS pool; CREATE TABLE IF NOT EXISTS pool.t
		(id INT PRIMARY KEY AUTO_INCREMENT, v INT) ENGINE=InnoDB" || return 1
	for c in 0 1 2 3; do
		for ((i = 0; i < per; i++)); do echo "INSERT INTO pool.t (v) VALUES ($c$i);"; done |
			mariadb --no-defaults -S "$sock" -u root >/dev/null &
		load+=("$!")
	done
	for c in "${load[@]}"; do wait "$c" || rc=1; done
	return $rc
}

# db_is_ours PID: PID is still a server this shell started (not a reused PID).
db_is_ours() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	case ${exe##*/} in mariadbd* | mysqld* | postgres*) return 0 ;; esac
	return 1
}

# db_stop PID: stop a server started here (a fast shutdown, SIGKILL after 20 s) and wait.
db_stop() {
	local p rest=()
	for p in "${db_pids[@]}"; do [ "$p" = "$1" ] || rest+=("$p"); done
	db_pids=("${rest[@]}")
	db_is_ours "$1" || return 0
	kill "-${db_signal[$1]:-TERM}" "$1" 2>/dev/null
	db_wait_gone "$1" 20 && return 0
	kill -KILL "$1" 2>/dev/null
	db_wait_gone "$1" 5
}

# db_cleanup: stop every server still running (PostgreSQL's children go with their
# postmaster) and remove their files.
db_cleanup() {
	local p
	for p in "${db_pids[@]}"; do
		db_is_ours "$p" && kill "-${db_signal[$p]:-TERM}" "$p" 2>/dev/null
	done
	for p in "${db_pids[@]}"; do
		db_wait_gone "$p" 20 || { db_is_ours "$p" && kill -KILL "$p" 2>/dev/null; }
	done
	db_pids=()
	[ -n "$db_root" ] && rm -rf "$db_root"
	db_root=""
}
