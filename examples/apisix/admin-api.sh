#!/usr/bin/env bash
# Enables, changes and disables the aws-lambda wasm plugin on an APISIX route through the Admin API,
# with the route bodies in routes/ (the APISIX docs' scenarios). No step needs a restart.
#
#   examples/apisix/admin-api.sh apikey            route /aws, API key            (docs: API key)
#   examples/apisix/admin-api.sh iam               route /aws, SigV4 with keys    (docs: IAM)
#   examples/apisix/admin-api.sh path-forwarding   route /aws/*, path_prefix /aws (docs: path forwarding)
#   examples/apisix/admin-api.sh update            same route, IAM from the environment, timeout 6 s
#   examples/apisix/admin-api.sh instance-role     route /aws, the EC2 instance role, then AssumeRole (no keys)
#   examples/apisix/admin-api.sh disable           plugin removed, route proxied to an upstream
#   examples/apisix/admin-api.sh show              the route as APISIX stores it
#
# APISIX_ADMIN_KEY: deployment.admin.admin_key[0].key from conf/config.yaml. APISIX_ADMIN defaults to
# http://127.0.0.1:9180 (APISIX 3.x; 2.x served the Admin API on 9080). ROUTE_ID defaults to 1.
set -euo pipefail
admin=${APISIX_ADMIN:-http://127.0.0.1:9180}
route_id=${ROUTE_ID:-1}
routes="$(cd "$(dirname "$0")" && pwd)/routes"

case "${1:-}" in
  apikey | iam | path-forwarding | update | instance-role | disable)
    curl -sS -i "$admin/apisix/admin/routes/$route_id" -X PUT \
      -H "X-API-KEY: ${APISIX_ADMIN_KEY:?set APISIX_ADMIN_KEY}" --data-binary "@$routes/$1.json"
    ;;
  show)
    curl -sS "$admin/apisix/admin/routes/$route_id" -H "X-API-KEY: ${APISIX_ADMIN_KEY:?set APISIX_ADMIN_KEY}"
    ;;
  *)
    sed -n '5,11p' "$0" | sed 's/^# *//' >&2
    exit 2
    ;;
esac
