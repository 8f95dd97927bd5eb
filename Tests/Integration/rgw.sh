#!/usr/bin/env bash
# A throw-away Ceph cluster with an S3 gateway, on loopback, for the tests:
# one monitor, one manager, one BlueStore OSD on a sparse file, then radosgw.
#
#   rgw.sh start DIR   starts it in DIR (created), prints KEY=VALUE lines
#                      (HANGAR_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#                      HANGAR_S3_BUCKET) and leaves it running
#   rgw.sh stop DIR    stops every daemon started in DIR and removes DIR
#
# Needs Debian's ceph-mon, ceph-mgr, ceph-osd, radosgw (.ci/install-deps ceph).
# No cephx (auth none); radosgw hangs at start without `ms mon client mode = crc secure`.
set -euo pipefail

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    for pidfile in "$dir"/run/*.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 1
    for pidfile in "$dir"/run/*.pid; do
        [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    done
    rm -rf "$dir"
}

wait_for() {  # wait_for SECONDS WHAT COMMAND...
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "rgw.sh: $what did not come up; logs in $dir/log" >&2
            tail -n 20 "$dir"/log/*.log >&2 || true
            return 1
        fi
        sleep 0.5
    done
}

start() {
    dir=$1
    mkdir -p "$dir"/{run,log,mon/ceph-a,mgr/ceph-x,osd/ceph-0,rgw}
    dir=$(cd "$dir" && pwd)
    local fsid mon_port rgw_port
    fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    mon_port=$(free_port)
    rgw_port=$(free_port)
    cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
ms bind ipv6 = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon data = $dir/mon/ceph-\$id
mgr data = $dir/mgr/ceph-\$id
osd data = $dir/osd/ceph-\$id
keyring = /dev/null
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
bluestore fsck on mount = false
osd memory target = 1073741824
mgr initial modules =
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
CONF
    local conf=(-c "$dir/ceph.conf")
    monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
    ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap" >/dev/null 2>&1
    ceph-mon "${conf[@]}" -i a 2>>"$dir/log/start.log"
    wait_for 30 "the monitor" ceph "${conf[@]}" --connect-timeout 2 mon stat
    ceph-mgr "${conf[@]}" -i x 2>>"$dir/log/start.log"
    local uuid id
    uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    id=$(ceph "${conf[@]}" osd new "$uuid")
    ceph-osd "${conf[@]}" -i "$id" --mkfs --osd-uuid "$uuid" >/dev/null 2>&1
    ceph-osd "${conf[@]}" -i "$id" 2>>"$dir/log/start.log"
    wait_for 60 "the OSD" sh -c "ceph -c '$dir/ceph.conf' osd stat | grep -q '1 up'"
    radosgw "${conf[@]}" -n client.rgw 2>>"$dir/log/start.log"
    wait_for 60 "radosgw" curl -sf "http://127.0.0.1:$rgw_port/"
    local access secret
    access=HANGAR$(python3 -c 'import secrets; print(secrets.token_hex(6).upper())')
    secret=$(python3 -c 'import secrets; print(secrets.token_hex(20))')
    radosgw-admin "${conf[@]}" -n client.admin user create --uid=hangar --display-name=hangar \
        --access-key="$access" --secret="$secret" >/dev/null
    # RGW wants x-amz-content-sha256, which curl does not add by itself (this is the empty body's).
    curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
        -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
        "http://127.0.0.1:$rgw_port/hangar" >/dev/null
    echo "HANGAR_S3_ENDPOINT=http://127.0.0.1:$rgw_port"
    echo "HANGAR_S3_BUCKET=hangar"
    echo "AWS_ACCESS_KEY_ID=$access"
    echo "AWS_SECRET_ACCESS_KEY=$secret"
    echo "AWS_REGION=us-east-1"
}

case "${1:-}" in
    start) start "${2:?rgw.sh start DIR}" ;;
    stop) stop "${2:?rgw.sh stop DIR}" ;;
    *) echo "usage: rgw.sh start|stop DIR" >&2; exit 2 ;;
esac
