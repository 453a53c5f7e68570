#!/usr/bin/env bash
# Usage: make_test_certs.sh DIR
# Writes throwaway TLS material for tests into DIR (created if missing), with the openssl
# CLI: a test CA (ca.pem), two server certificates it signed for localhost, 127.0.0.1 and
# ::1 (server.pem/server.key and server2.pem/server2.key, for rotation), a client
# certificate it signed (client.pem/client.key, CN wxbridge-test-client), and a client
# certificate from an unrelated CA (stranger.pem/stranger.key). ECDSA P-256: fast to make.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
days=2

key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; chmod 600 "$1"; }

# CA NAME: a self-signed CA as NAME.pem/NAME.key.
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -subj "/CN=wxbridge test $1" -days "$days" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$1.pem" 2>/dev/null
}

# leaf NAME CA CN USAGE [SAN]: NAME.pem/NAME.key signed by CA.
leaf() {
  local name=$1 ca=$2 cn=$3 usage=$4 san=${5:-}
  key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -days "$days" -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

ca ca
ca stranger_ca
san="DNS:localhost,IP:127.0.0.1,IP:::1"
leaf server ca localhost serverAuth "$san"
leaf server2 ca localhost serverAuth "$san"
leaf client ca wxbridge-test-client clientAuth
leaf stranger stranger_ca wxbridge-stranger clientAuth
rm -f ./*.srl
