#!/bin/sh
# Starts one Redis data node of docker-compose.scale.yml: the master, or a replica of it.
#
# Which node is the master is the Sentinels' to say. After a failover it is no longer the one
# sentinel.conf names, and a node restarted as its first start made it would replicate from a
# replica (or two nodes from each other) and leave the group without a master. Only when no
# Sentinel answers, at the group's very first start, is the master the one sentinel.conf monitors.
# REDIS_PASSWORD: letters, digits, `-` and `_` only (it goes into a config file).
set -eu
here=/usr/local/etc/redis
config=/data/redis.conf
self=$(hostname)
master_name=$(awk '$1 == "sentinel" && $2 == "monitor" { print $3 }' "$here/sentinel.conf")
initial_master=$(awk '$1 == "sentinel" && $2 == "monitor" { print $4 }' "$here/sentinel.conf")
initial_port=$(awk '$1 == "sentinel" && $2 == "monitor" { print $5 }' "$here/sentinel.conf")

master=""
master_port=""
for sentinel in $(echo "$REDIS_SENTINELS" | tr ',' ' '); do
  # SENTINEL get-master-addr-by-name answers two lines, host and port; anything else is no answer.
  answer=$(REDISCLI_AUTH="$REDIS_PASSWORD" timeout 3 redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" \
    SENTINEL get-master-addr-by-name "$master_name" 2>/dev/null) || answer=""
  master_port=$(echo "$answer" | sed -n 2p)
  case "$master_port" in '' | *[!0-9]*) continue ;; esac
  master=$(echo "$answer" | sed -n 1p)
  break
done
if [ -z "$master" ]; then
  master=$initial_master
  master_port=$initial_port
fi

# A fresh copy at every start: a failover's CONFIG REWRITE may change it, the next start decides anew.
cp "$here/redis.conf" "$config"
{
  echo "requirepass $REDIS_PASSWORD"
  # Any node may become a replica after a failover: each needs the master's password.
  echo "masterauth $REDIS_PASSWORD"
  # Known by its service name, not by an address that changes when the container is recreated.
  echo "replica-announce-ip $self"
  if [ "$master" != "$self" ]; then echo "replicaof $master $master_port"; fi
} >>"$config"
exec redis-server "$config"
