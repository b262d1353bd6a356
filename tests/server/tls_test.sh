# tests/server/tls_test.sh - TLS checks of `tarn serve`, sourced by
# tests/server/run.sh (uses its TARN, TMP, PORT, free_port, expect, ok, bad;
# counted in its totals).
#
# Certificates are made here with the openssl CLI: a CA, a server
# certificate it signs with ECDSA/SHA-384 (so channel binding must hash with
# SHA-384: RFC 5929), a client certificate it signs, and an unrelated
# self-signed pair.  Servers on a second lake:
#   B  ssl = on, ssl_required = on, TLSv1.3 minimum, trust, self-signed
#      certificate: refusal of plain clients, libpq_test over TLS, the raw
#      and Python-ssl checks of tls_proto_test.py
#   A  ssl = on, CA-signed certificate, ssl_ca_file, SCRAM-SHA-256 on
#      loopback: sslmode verify-ca / verify-full, SCRAM-SHA-256-PLUS
#      (channel_binding=require) and plain SCRAM over TLS, client certificates
# and the suite's main server (no TLS): sslmode=require fails, prefer falls back.
# Bad certificate / key / CA files and ssl_required without ssl stop the
# server at startup with a message naming the file.

TLS=$TMP/tls
mkdir -p "$TLS/lake"
tls_gen() {
    local o
    o=$(
        exec 2>&1
        set -e
        cd "$TLS"
        ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        openssl req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj "/CN=tarn test CA" -sha256 \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
        openssl req $ec -keyout server.key -out server.csr -subj "/CN=localhost"
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -sha384 \
            -extfile server.ext
        openssl req $ec -keyout client.key -out client.csr -subj "/CN=tlsuser"
        openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 -sha256
        openssl req -x509 $ec -keyout self.key -out self.crt -days 2 -subj "/CN=localhost" -sha256 \
            -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
        chmod 600 ./*.key
    )
    local rc=$?
    [ $rc = 0 ] || echo "$o"
    return $rc
}
if ! command -v openssl >/dev/null; then
    bad "TLS: the openssl CLI is missing (tools/bootstrap.sh installs it)"
    return 0 2>/dev/null || exit 1
fi
if out=$(tls_gen); then
    ok "TLS: test certificates made with openssl"
else
    bad "TLS: making test certificates" "$out"
    return 0 2>/dev/null || exit 1
fi

# start_tls_server PORT CONFIG LOG: like start_server, on the TLS lake
start_tls_server() {
    "$TARN" serve --lake "$TLS/lake" --listen "127.0.0.1:$1" --config "$2" 2>"$3" &
    STARTED_PID=$!
    for _ in $(seq 100); do
        pg_isready -q -h 127.0.0.1 -p "$1" && break
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 0.1
    done
}
stop_tls_server() { # PID LOG NAME
    kill -TERM "$1"
    wait "$1"
    local rc=$?
    if [ "$rc" != 0 ]; then bad "$3 exits 0 on SIGTERM (got $rc)" "$(tail -5 "$2")"; fi
    if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$2"; then
        bad "$3 log has sanitizer reports" "$(grep -E -A12 'AddressSanitizer|LeakSanitizer|runtime error' "$2")"
    fi
}
# pq CONNINFO-EXTRA ARGS...: psql on 127.0.0.1 with extra connection keywords
pq() {
    local extra=$1
    shift
    psql -X -w "host=127.0.0.1 dbname=lake $extra" "$@"
}
conninfo_ssl() { # the SSL line of \conninfo, protocol only
    pq "$1" -c '\conninfo' 2>&1 | sed -n 's/^SSL connection (protocol: \([^,]*\),.*/SSL \1/p; s/^psql: error: .*/&/p'
}

# ---- server B: TLS required, TLSv1.3 minimum, trust ----------------------------------------------
PORTB=$(free_port)
cat >"$TLS/b.conf" <<EOF
ssl = on
ssl_required = on
ssl_cert_file = self.crt       # relative to this file's folder
ssl_key_file = 'self.key'
ssl_min_protocol_version = TLSv1.3
authentication_timeout = 2s
EOF
start_tls_server "$PORTB" "$TLS/b.conf" "$TLS/b.log"
PIDB=$STARTED_PID
if pg_isready -q -h 127.0.0.1 -p "$PORTB"; then
    ok "TLS server B starts (certificate and key relative to the config file)"
else
    bad "TLS server B starts" "$(cat "$TLS/b.log")"
fi
expect "TLS: sslmode=require connects over TLSv1.3" "SSL TLSv1.3" conninfo_ssl "port=$PORTB user=tester sslmode=require"
expect "TLS: ssl_required refuses a plain client with 28000" \
    "psql: error: connection to server at \"127.0.0.1\", port $PORTB failed: FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"tester\", database \"lake\", no encryption" \
    pq "port=$PORTB user=tester sslmode=disable" -Atc "select 1"
expect "TLS: sslmode=prefer (psql's default) uses TLS" "SSL TLSv1.3" conninfo_ssl "port=$PORTB user=tester"
expect "TLS: sslmode=verify-full against the self-signed certificate" "SSL TLSv1.3" \
    conninfo_ssl "port=$PORTB user=tester sslmode=verify-full sslrootcert=$TLS/self.crt"
got=$(pq "port=$PORTB user=tester sslmode=verify-ca sslrootcert=$TLS/ca.crt" -Atc "select 1" 2>&1)
if echo "$got" | grep -q "certificate verify failed"; then
    ok "TLS: verify-ca with a root that did not sign the certificate fails"
else
    bad "TLS: verify-ca with the wrong root" "$got"
fi
got=$(pq "port=$PORTB user=tester sslmode=require ssl_max_protocol_version=TLSv1.2" -Atc "select 1" 2>&1)
if echo "$got" | grep -q "SSL error: tlsv1 alert protocol version"; then
    ok "TLS: a TLSv1.2 client is refused by ssl_min_protocol_version = TLSv1.3"
else
    bad "TLS: ssl_min_protocol_version" "$got"
fi
expect "TLS: role created over TLS" "CREATE ROLE" pq "port=$PORTB user=tester sslmode=require" \
    -c "create role tlsuser login password 'tls-pw'"
# rows and COPY data larger than TLS records, both ways
seq 1 200000 | sed 's/$/\tsome text to make the row longer/' >"$TLS/copy.txt"
expect "TLS: COPY FROM STDIN of 7 MB and a 14 MB result over TLS" \
    "$(printf 'CREATE TABLE\nCOPY 200000\n200000|20000100000\n14488895')" \
    bash -c "psql -X -w 'host=127.0.0.1 port=$PORTB user=tester dbname=lake sslmode=require' -At \
        -c 'create table big(a int, b text)' -c \"\\copy big from '$TLS/copy.txt'\" -c 'select count(*), sum(a) from big' \
        && psql -X -w 'host=127.0.0.1 port=$PORTB user=tester dbname=lake sslmode=require' -At \
        -c 'select a, b, b from big' | wc -c"
if [ -n "${LIBPQ_BIN:-}" ] && [ -x "$LIBPQ_BIN" ]; then
    if out=$("$LIBPQ_BIN" "host=127.0.0.1 port=$PORTB user=tester dbname=lake sslmode=require" 2>&1); then
        ok "TLS: libpq_test over TLS (sslmode=require): $(echo "$out" | tail -1)"
    else
        bad "TLS: libpq_test over TLS" "$(echo "$out" | grep -v '^ok')"
    fi
else
    bad "TLS: libpq_test binary missing"
fi
if out=$(timeout 120 python3 tests/server/tls_proto_test.py "$PORTB" "$TLS/self.crt" 2 2>&1); then
    ok "TLS raw protocol: $(echo "$out" | tail -1)"
else
    bad "TLS raw protocol" "$(echo "$out" | grep -v '^ok')"
fi
if grep -q "could not accept SSL connection" "$TLS/b.log"; then
    ok "TLS: failed handshakes are logged"
else
    bad "TLS: failed handshakes are logged" "$(tail -20 "$TLS/b.log")"
fi
for _ in $(seq 50); do # the watchdog cancels within 20 ms; the statement then ends
    grep -q "user=vanisher .*disconnection\|disconnection: .*user=vanisher" "$TLS/b.log" && break
    sleep 0.1
done
if grep -q "went away: canceling its statement" "$TLS/b.log" && grep -q "disconnection: .*user=vanisher" "$TLS/b.log"; then
    ok "TLS: a client that hangs up mid-query has its statement cancelled (watchdog, POLLRDHUP)"
else
    bad "TLS: vanished client's statement cancelled" "$(grep -i 'vanisher\|went away' "$TLS/b.log" | tail -5)"
fi
if grep -q "connection authorized: .* SSL enabled (protocol=TLSv1.3" "$TLS/b.log"; then
    ok "TLS: the connection log line names the protocol and cipher"
else
    bad "TLS: connection log line" "$(grep 'connection authorized' "$TLS/b.log" | head -3)"
fi
stop_tls_server "$PIDB" "$TLS/b.log" "TLS server B"

# ---- server A: CA-signed certificate, client certificates, SCRAM ------------------------------------
PORTA=$(free_port)
cat >"$TLS/a.conf" <<EOF
ssl = on
ssl_ca_file = ca.crt
auth_loopback = scram-sha-256
EOF
start_tls_server "$PORTA" "$TLS/a.conf" "$TLS/a.log" # server.crt / server.key: the defaults
PIDA=$STARTED_PID
if pg_isready -q -h 127.0.0.1 -p "$PORTA"; then
    ok "TLS server A starts (default server.crt / server.key next to the config file)"
else
    bad "TLS server A starts" "$(cat "$TLS/a.log")"
fi
export PGPASSWORD=tls-pw
expect "TLS: sslmode=verify-full with the CA" "SSL TLSv1.3" \
    conninfo_ssl "port=$PORTA user=tlsuser sslmode=verify-full sslrootcert=$TLS/ca.crt"
expect "TLS: sslmode=verify-ca with the CA" "SSL TLSv1.3" \
    conninfo_ssl "port=$PORTA user=tlsuser sslmode=verify-ca sslrootcert=$TLS/ca.crt"
expect "TLS: a TLSv1.2 client (ssl_max_protocol_version)" "SSL TLSv1.2" \
    conninfo_ssl "port=$PORTA user=tlsuser sslmode=require ssl_max_protocol_version=TLSv1.2"
expect "TLS: sslmode=disable still works without ssl_required" "" \
    conninfo_ssl "port=$PORTA user=tlsuser sslmode=disable"
expect "SCRAM-SHA-256-PLUS: channel_binding=require over TLS (SHA-384 certificate)" "in" \
    pq "port=$PORTA user=tlsuser sslmode=require channel_binding=require" -Atc "select 'in'"
expect "SCRAM-SHA-256-PLUS over TLSv1.2" "1" \
    pq "port=$PORTA user=tlsuser sslmode=require channel_binding=require ssl_max_protocol_version=TLSv1.2" -Atc "select 1"
expect "SCRAM-SHA-256 over TLS with channel_binding=disable" "1" \
    pq "port=$PORTA user=tlsuser sslmode=require channel_binding=disable" -Atc "select 1"
expect "SCRAM without TLS: channel_binding=require cannot be met" \
    "psql: error: connection to server at \"127.0.0.1\", port $PORTA failed: channel binding required, but SSL not in use" \
    pq "port=$PORTA user=tlsuser sslmode=disable channel_binding=require" -Atc "select 1"
expect "SCRAM-SHA-256-PLUS: wrong password is 28P01" \
    "psql: error: connection to server at \"127.0.0.1\", port $PORTA failed: FATAL:  password authentication failed for user \"tlsuser\"" \
    env PGPASSWORD=wrong psql -X -w "host=127.0.0.1 port=$PORTA dbname=lake user=tlsuser sslmode=require channel_binding=require" \
    -Atc "select 1"
expect "TLS: a client certificate signed by ssl_ca_file is accepted" "SSL TLSv1.3" \
    conninfo_ssl "port=$PORTA user=tlsuser sslmode=require sslcert=$TLS/client.crt sslkey=$TLS/client.key"
got=$(pq "port=$PORTA user=tlsuser sslmode=require sslcert=$TLS/self.crt sslkey=$TLS/self.key" -Atc "select 1" 2>&1)
if echo "$got" | grep -q "SSL error: tlsv1 alert unknown ca"; then
    ok "TLS: a client certificate not signed by ssl_ca_file fails the handshake"
else
    bad "TLS: untrusted client certificate" "$got"
fi
unset PGPASSWORD
stop_tls_server "$PIDA" "$TLS/a.log" "TLS server A"
if grep -q "could not accept SSL connection: certificate verify failed" "$TLS/a.log"; then
    ok "TLS: the refused client certificate is logged"
else
    bad "TLS: refused client certificate logged" "$(tail -5 "$TLS/a.log")"
fi

# ---- a server without TLS ------------------------------------------------------------------------------
expect "no TLS: sslmode=require fails" \
    "psql: error: connection to server at \"127.0.0.1\", port $PORT failed: server does not support SSL, but SSL was required" \
    pq "port=$PORT user=tester sslmode=require" -Atc "select 1"
expect "no TLS: sslmode=prefer falls back to a plain connection" "" conninfo_ssl "port=$PORT user=tester sslmode=prefer"

# ---- bad configurations stop the server with a message naming the file -------------------------------
bad_config() { # NAME CONFIG-TEXT WANT-IN-OUTPUT
    printf '%s\n' "$2" >"$TLS/bad.conf"
    local out rc
    out=$(timeout 10 "$TARN" serve --lake "$TLS/lake" --listen "127.0.0.1:$(free_port)" --config "$TLS/bad.conf" 2>&1)
    rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 124 ] && echo "$out" | grep -qF "$3"; then
        ok "$1"
    else
        bad "$1" "$(printf 'exit %s, want "%s" in:\n%s' "$rc" "$3" "$out")"
    fi
}
bad_config "TLS config: a missing certificate file" "$(printf 'ssl = on\nssl_cert_file = nope.crt\nssl_key_file = self.key')" \
    "could not load server certificate file \"$TLS/nope.crt\""
cp "$TLS/b.conf" "$TLS/notpem.key" && chmod 600 "$TLS/notpem.key"
bad_config "TLS config: a key that is not PEM" "$(printf 'ssl = on\nssl_cert_file = self.crt\nssl_key_file = notpem.key')" \
    "could not load private key file \"$TLS/notpem.key\""
bad_config "TLS config: a key that does not match the certificate" \
    "$(printf 'ssl = on\nssl_cert_file = self.crt\nssl_key_file = server.key')" "key values mismatch"
cp "$TLS/self.key" "$TLS/open.key" && chmod 644 "$TLS/open.key"
bad_config "TLS config: a key others can read is refused (PostgreSQL's rule)" \
    "$(printf 'ssl = on\nssl_cert_file = self.crt\nssl_key_file = open.key')" "private key file \"$TLS/open.key\" has group or world access"
bad_config "TLS config: a missing CA file" "$(printf 'ssl = on\nssl_cert_file = self.crt\nssl_key_file = self.key\nssl_ca_file = /nonexistent/ca.crt')" \
    "could not load root certificate file \"/nonexistent/ca.crt\""
bad_config "TLS config: ssl_required without ssl" "ssl_required = on" "ssl_required = on needs ssl = on"
bad_config "TLS config: an unknown protocol version" "$(printf 'ssl = on\nssl_min_protocol_version = SSLv3')" \
    "invalid value for parameter \"ssl_min_protocol_version\""
