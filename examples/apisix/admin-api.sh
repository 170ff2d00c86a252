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
# Each body's conf is first checked with the real filter as APISIX runs it (aws-lambda-wasm validate
# --host apisix): the Admin API stores any conf, and one the filter refuses turns the route into 503s until
# it is fixed. A refused conf is not sent (exit 1).
#
# APISIX_ADMIN_KEY: deployment.admin.admin_key[0].key from conf/config.yaml. APISIX_ADMIN defaults to
# http://127.0.0.1:9180 (APISIX 3.x; 2.x served the Admin API on 9080). ROUTE_ID defaults to 1. ROUTES
# (default routes/ next to this script) is where the bodies are read from.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
admin=${APISIX_ADMIN:-http://127.0.0.1:9180}
route_id=${ROUTE_ID:-1}
routes=${ROUTES:-$here/routes}
cli=${AWS_LAMBDA_WASM_CLI:-$here/../../bin/aws-lambda-wasm.mjs}

# Prints the route body's aws-lambda-wasm conf as the filter receives it (a string, or an object APISIX
# 3.5+ JSON-encodes); exits 3 when the body has no such plugin.
conf_of() {
  node -e '
    const route = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const conf = route.plugins?.["aws-lambda-wasm"]?.conf;
    if (conf === undefined) process.exit(3);
    process.stdout.write(typeof conf === "string" ? conf : JSON.stringify(conf));' "$1"
}

# The filter's configure on that conf. The AWS_* values are placeholders: the workers need the real ones
# (config.yaml nginx_config.envs) for "iam": {"credentials": "environment"}.
validate() {
  local conf status=0
  conf=$(conf_of "$1") || status=$?
  if [ "$status" -eq 3 ]; then return 0; fi # no plugin on this route: nothing to check
  if [ "$status" -ne 0 ]; then return 1; fi
  printf '%s' "$conf" | AWS_ACCESS_KEY_ID=placeholder AWS_SECRET_ACCESS_KEY=placeholder \
    node "$cli" validate - --host apisix --env >&2
}

case "${1:-}" in
  apikey | iam | path-forwarding | update | instance-role | disable)
    if ! validate "$routes/$1.json"; then
      echo "admin-api.sh: the filter refuses the conf in $routes/$1.json; not sent" >&2
      exit 1
    fi
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
