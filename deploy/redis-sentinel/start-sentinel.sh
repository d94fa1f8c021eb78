#!/bin/sh
# Starts one Sentinel of docker-compose.scale.yml.
#
# Sentinel rewrites its config file as the group changes (the current master, its replicas, the
# other Sentinels), so each runs from a copy of its own on its volume, written at its first start
# from sentinel.conf plus what only the container knows: the name it announces (its service
# name, set as the container's hostname) and the password, which stays out of the repository and
# of the process list. REDIS_PASSWORD: letters, digits, `-` and `_` only (it goes into a config file).
set -eu
template=/usr/local/etc/redis/sentinel.conf
config=/data/sentinel.conf
if [ ! -f "$config" ]; then
  master_name=$(awk '$1 == "sentinel" && $2 == "monitor" { print $3 }' "$template")
  {
    cat "$template"
    echo "sentinel announce-ip $(hostname)"
    # The data nodes' password, and the Sentinels' own (the apps use the same for both).
    echo "sentinel auth-pass $master_name $REDIS_PASSWORD"
    echo "sentinel sentinel-pass $REDIS_PASSWORD"
    echo "requirepass $REDIS_PASSWORD"
  } >"$config"
fi
exec redis-sentinel "$config"
