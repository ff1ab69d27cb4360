#!/usr/bin/env bash
# Thin bootstrapper: every piece of build logic is in build/MiSS.Build (C#). See ./build.sh help.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET 10 SDK is required (dotnet on PATH)." >&2
  exit 1
fi
exec dotnet run --project build/MiSS.Build -c Release -- "$@"
