#!/bin/bash
# Throwaway certificates for the integration tests, made with the openssl
# command under $TESTDIR (see README.md).  Sourced by smtpd.sh.
#
#   make_ca          $TESTDIR/ca/{ca.pem,ca.key,server.pem,server.key}
#                    (server cert: SAN IP:127.0.0.1, DNS:localhost)
#   make_cert NAME [[-days] N|expired] [SAN...]
#                    $TESTDIR/ca/NAME.{pem,key} signed by that CA; N days of
#                    validity from now (default 30), a negative N or
#                    "expired" gives a certificate that has already expired;
#                    SANs as "IP:1.2.3.4" / "DNS:host" (default DNS:NAME).
#                    CN=NAME; usable as server and as client certificate.
#   make_other_ca    $TESTDIR/otherca/{ca.pem,ca.key,server.pem,server.key}:
#                    an untrusted CA and a server cert (127.0.0.1/localhost)
#                    that it signed.

[ -n "${_MH_CA_SH:-}" ] && return 0
_MH_CA_SH=1

# _mh_ca_init DIR SUBJECT: a mini `openssl ca` directory with a self-signed CA
_mh_ca_init() {
    local dir=$1 subj=$2
    mkdir -p "$dir/newcerts" || return 1
    : > "$dir/index.txt"
    echo 1000 > "$dir/serial"
    cat > "$dir/openssl.cnf" <<EOF
[ ca ]
default_ca = testca
[ testca ]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 3650 \
        -subj "$subj" -config "$dir/openssl.cnf" -extensions v3_ca \
        >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; return 1; }
    chmod 600 "$dir/ca.key"
}

# _mh_ca_sign DIR NAME DAYS SAN...: DIR/NAME.{pem,key}
_mh_ca_sign() {
    local dir=$1 name=$2 days=$3; shift 3
    local san start end ext
    san=$(IFS=,; echo "$*")
    ext="$dir/$name.ext"
    cat > "$ext" <<EOF
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
    if [ "$days" -lt 0 ]; then
        # already expired: valid from 30 days before the end, ending N days ago
        end=$(date -u -d "$days days" +%Y%m%d%H%M%SZ)
        start=$(date -u -d "$((days - 30)) days" +%Y%m%d%H%M%SZ)
    else
        start=$(date -u -d "-1 hour" +%Y%m%d%H%M%SZ)
        end=$(date -u -d "$days days" +%Y%m%d%H%M%SZ)
    fi
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" \
        >>"$dir/openssl.log" 2>&1 &&
    openssl ca -batch -notext -config "$dir/openssl.cnf" \
        -in "$dir/$name.csr" -out "$dir/$name.pem" \
        -startdate "$start" -enddate "$end" \
        -extfile "$ext" -extensions leaf >>"$dir/openssl.log" 2>&1 ||
        { tail -n 20 "$dir/openssl.log" >&2; return 1; }
    chmod 600 "$dir/$name.key"
}

make_ca() {
    local dir="$TESTDIR/ca"
    [ -s "$dir/server.pem" ] && [ -s "$dir/server.key" ] && return 0
    _mh_ca_init "$dir" "/CN=mailhop test CA" &&
    _mh_ca_sign "$dir" server 30 IP:127.0.0.1 DNS:localhost
}

make_cert() {
    local name=${1:?make_cert NAME [[-days] N|expired] [SAN...]}; shift
    local days=30
    [ "${1:-}" = -days ] && shift
    case ${1:-} in
        expired) days=-1; shift ;;
        -[0-9]*|[0-9]*) days=$1; shift ;;
    esac
    [ $# -gt 0 ] || set -- "DNS:$name"
    make_ca || return 1
    _mh_ca_sign "$TESTDIR/ca" "$name" "$days" "$@"
}

make_other_ca() {
    local dir="$TESTDIR/otherca"
    [ -s "$dir/server.pem" ] && return 0
    _mh_ca_init "$dir" "/CN=untrusted other CA" &&
    _mh_ca_sign "$dir" server 30 IP:127.0.0.1 DNS:localhost
}
