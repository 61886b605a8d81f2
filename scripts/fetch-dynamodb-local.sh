#!/usr/bin/env bash
# Fetches DynamoDB Local (the jar and its native libraries) for the AWS adapter
# tests. It ships inside the npm package amplify-dynamodb-simulator; we take
# only its emulator/ folder, through `npm pack` (the registry checks the
# tarball's integrity), instead of installing that package's heavy
# dependency tree. Idempotent and safe to run concurrently (flock).
# Prints the folder holding DynamoDBLocal.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.9.30
DEST=node_modules/.cache/dynamodb-local-$VERSION
mkdir -p node_modules/.cache
exec 9>node_modules/.cache/dynamodb-local.lock
flock 9
if [ ! -f "$DEST/DynamoDBLocal.jar" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "amplify-dynamodb-simulator@$VERSION" >/dev/null)
  tar -xzf "$tmp"/amplify-dynamodb-simulator-$VERSION.tgz -C "$tmp" package/emulator
  rm -rf "$DEST"
  mv "$tmp/package/emulator" "$DEST"
fi
echo "$PWD/$DEST"
