#!/bin/sh
# The nginx image's command: fill in nginx.conf.template's ${NAME} placeholders from the
# environment (only those four: every other $ is nginx's own), then become nginx.
set -eu
mkdir -p "$TEMP_DIR"
# shellcheck disable=SC2016 # the names are for envsubst, not the shell
envsubst '${TEMP_DIR} ${LISTEN} ${UPSTREAM} ${FORWARDED_BY}' \
  </etc/twitchlore/nginx.conf.template >"$TEMP_DIR/nginx.conf"
# -e: nginx's start-up messages go to stderr, not to a log file it cannot write.
exec nginx -e stderr -c "$TEMP_DIR/nginx.conf" -g 'daemon off;'
