#!/usr/bin/env bash
# Installs the Debian packages outdial needs when they are missing. Idempotent; used by both
# README commands and by CI.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libsqlite3-dev sqlite3 libboost-dev libcurl4-openssl-dev
      nlohmann-json3-dev libpqxx-dev libphonenumber-dev libspdlog-dev libfmt-dev libcli11-dev
      libssl-dev libsodium-dev libhowardhinnant-date-dev libgtest-dev libgmock-dev
      libbenchmark-dev libexpat1-dev zlib1g-dev libgoogle-perftools-dev tzdata python3 python3-phonenumbers)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
