# The real services of the multi-server tests and benchmarks, started on loopback and
# stopped by `stop_services`: a Ceph RADOS Gateway (rgw.sh), a throw-away PostgreSQL,
# `hangar serve` processes over both, nginx in front. Needs $HANGAR and $WORK.
SERVICES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -A SERVER_PID SERVER_HOST
NGINX_PID=
PG_DATA=$WORK/pg/data
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_services() {
  for pid in "${SERVER_PID[@]}"; do kill -9 "$pid" 2> /dev/null; done
  [ -n "$NGINX_PID" ] && kill -TERM "$NGINX_PID" 2> /dev/null && wait "$NGINX_PID" 2> /dev/null  # the master stops its workers
  [ -d "$PG_DATA" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop > /dev/null 2>&1
  "$SERVICES_DIR/rgw.sh" stop "$WORK/rgw" 2> /dev/null
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_rgw() {
  local line
  while IFS= read -r line; do export "${line?}"; done < <("$SERVICES_DIR/rgw.sh" start "$WORK/rgw") || return 1
  [ -n "${HANGAR_S3_ENDPOINT:-}" ] || return 1
  BLOBS="s3://$HANGAR_S3_BUCKET/cluster?endpoint=$HANGAR_S3_ENDPOINT&region=$AWS_REGION"
}

start_postgres() {
  local port
  port=$(free_port)
  mkdir -p "$WORK/pg" && [ "$(id -u)" -ne 0 ] || chown postgres "$WORK/pg"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U hangar --auth=trust -E UTF8 --no-locale --no-sync > /dev/null \
    && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg/log" -w \
         -o "-p $port -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null \
    && as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U hangar hangar \
    && METADATA="postgres://hangar@127.0.0.1:$port/hangar"
}

# start_server NAME [BLOBS]: a `hangar serve` on a free port over the shared backends.
start_server() {
  local name=$1 blobs=${2:-$BLOBS} port
  port=$(free_port)
  "$HANGAR" serve --store "$WORK/$name" --port "$port" --blobs "$blobs" --metadata "$METADATA" \
    --signing-key "$WORK/signing-key.pem" --log-level warning > "$WORK/$name.out" 2>> "$WORK/$name.err" &
  SERVER_PID[$name]=$!
  SERVER_HOST[$name]=127.0.0.1:$port
  for _ in $(seq 1 150); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    sleep 0.1
  done
  echo "server $name did not start:"; cat "$WORK/$name.err"; return 1
}

# start_nginx HOST…: nginx on a free port balancing over the given servers ($HOST).
start_nginx() {
  local port NGINX_UPSTREAMS="$*"
  port=$(free_port)
  mkdir -p "$WORK/nginx/logs"
  cat > "$WORK/nginx.conf" << CONF
$([ "$(id -u)" -eq 0 ] && echo "user root;")
daemon off;
worker_processes 2;
error_log $WORK/nginx/logs/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  upstream hangar {
$(for h in $NGINX_UPSTREAMS; do echo "    server $h max_fails=1 fail_timeout=2s;"; done)
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$port;
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_read_timeout 300s;
    location / {
      proxy_pass http://hangar;
      proxy_set_header Host \$http_host;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502;
    }
  }
}
CONF
  nginx -p "$WORK/nginx" -c "$WORK/nginx.conf" > "$WORK/nginx/start.log" 2>&1 &
  NGINX_PID=$!
  HOST=127.0.0.1:$port
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://$HOST/healthz" && return 0; sleep 0.1; done
  cat "$WORK/nginx/start.log" "$WORK/nginx/logs/error.log"; return 1
}

install_services() {
  local sudo="" missing=()
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  for p in nginx postgresql ceph-mon ceph-mgr ceph-osd radosgw ceph-common curl; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq > /dev/null && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}
