#!/usr/bin/env bash
# tests/shell/run.sh - the interactive `tarn sql` shell (src/cli/shell.c),
# driven through a pseudo-terminal with `script -qfc` (util-linux): prompts,
# multi-line statements, \dn \dt \d \d NAME \x \timing \? \q, an error that
# leaves the session usable, and the history file.  Also checks that piped
# standard input and -f /dev/stdin still run as scripts, without prompts.
#
#   tests/shell/run.sh [TEST_SUBSTRING]
#
# Uses $TARN_BIN (default build/tarn).  Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
TARN=${TARN_BIN:-build/tarn}
FILTER=${1:-}
WORK=$(mktemp -d /tmp/tarn-shell.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
selected() { [ -z "$FILTER" ] || [[ "$1" == *"$FILTER"* ]]; }

if [ ! -x "$TARN" ] || ! command -v script >/dev/null; then
    echo "shell: $TARN or script(1) is missing (make; apt-get install util-linux)"
    echo "0 passed, 1 failed"
    exit 1
fi

LAKE=$WORK/lake
"$TARN" sql --lake "$LAKE" -c "CREATE SCHEMA sales;
CREATE TABLE t (id int NOT NULL, name text, day date) WITH (partition_by = 'day');
INSERT INTO t VALUES (1, 'ann', '2024-01-01'), (2, 'bob', '2024-01-02');
CREATE VIEW v AS SELECT id FROM t;
CREATE TABLE sales.orders (amount bigint)" >/dev/null || { echo "shell: cannot create the lake"; echo "0 passed, 1 failed"; exit 1; }

# shell NAME : feeds $WORK/NAME.in to the shell on a terminal; the
# terminal's text (prompts, echo, output and errors) goes to $WORK/NAME.out.
shell() {
    HOME=$WORK timeout 10 script -qfc "$TARN sql --lake $LAKE" /dev/null <"$WORK/$1.in" 2>&1 |
        tr -d '\r' >"$WORK/$1.out"
}

# expect NAME TEST BLOCK : BLOCK (lines) appears in the output of session NAME.
expect() {
    local out
    selected "$2" || return 0
    out=$(cat "$WORK/$1.out")
    if [[ "$out" == *"$3"* ]]; then
        ok "$2"
    else
        bad "$2" "expected:
$3
--- got:
$(head -c 3000 "$WORK/$1.out")"
    fi
}

cat >"$WORK/main.in" <<'IN'
\dn
\dt
\d
\d t
\d v
SELECT id,
  name
FROM t
ORDER BY id;
\x
SELECT id, name FROM t WHERE id = 2;
SELECT 1 AS a_long_column_name, 'x' AS b;
\x
\timing
SELECT 40 + 2 AS answer;
\timing
SELECT nosuch FROM t;
SELECT count(*) AS n FROM t;
SELECT 'a;b' AS s; SELECT 3 AS three;
\d nosuch
\foo
\?
\q
SELECT 'after quit' AS never;
IN
shell main

expect main "prompt" 'tarn=> \dn'
expect main "\\dn lists schemas" 'List of schemas
  Name  
--------
 public 
 sales 
(2 rows)'
expect main "\\dt lists tables" '   List of relations
 Schema |  Name  | Type  
--------+--------+-------
 public | t      | table 
 sales  | orders | table 
(2 rows)'
expect main "\\d lists tables and views" ' Schema |  Name  | Type  
--------+--------+-------
 public | t      | table 
 public | v      | view 
 sales  | orders | table 
(3 rows)'
expect main "\\d t describes a table" '      Table "public.t"
 Column |  Type   | Nullable 
--------+---------+----------
 id     | integer | not null 
 name   | text    |  
 day    | date    |  
Partition columns: day'
expect main "\\d v describes a view" '       View "public.v"
 Column |  Type   | Nullable 
--------+---------+----------
 id     | integer |  

tarn=> SELECT id,'
expect main "multi-line statement" 'tarn=> SELECT id,
tarn->   name
tarn-> FROM t
tarn-> ORDER BY id;
 id | name 
----+------
  1 | ann 
  2 | bob 
(2 rows)'
expect main "\\x expanded display" 'Expanded display is on.
tarn=> SELECT id, name FROM t WHERE id = 2;
-[ RECORD 1 ]
id   | 2
name | bob'
expect main "\\x header spans a wide name" '-[ RECORD 1 ]------+--
a_long_column_name | 1
b                  | x'
expect main "\\x toggles back" 'Expanded display is off.'
expect main "\\timing on" 'Timing is on.
tarn=> SELECT 40 + 2 AS answer;
 answer 
--------
     42 
(1 row)

Time: '
if selected "\\timing format"; then
    if grep -qE '^Time: [0-9]+\.[0-9]{3} ms$' "$WORK/main.out"; then ok "\\timing format"; else bad "\\timing format" "no Time: N.NNN ms line"; fi
fi
expect main "\\timing off" 'Timing is off.'
expect main "error then a working query" 'ERROR:  column "nosuch" does not exist
LINE 1: SELECT nosuch FROM t;
               ^
tarn=> SELECT count(*) AS n FROM t;
 n 
---
 2 
(1 row)'
expect main "two statements on a line, ; in a string" '  s  
-----
 a;b 
(1 row)

 three 
-------
     3 
(1 row)'
expect main "\\d of a missing relation" 'Did not find any relation named "nosuch".'
expect main "unknown meta-command" 'invalid command \foo
Try \? for help.'
expect main "\\? help" '  \dt                    list tables'
if selected "\\q quits"; then
    if grep -q 'after quit' "$WORK/main.out" && ! grep -q '^ never' "$WORK/main.out" &&
        [ "$(grep -c '^tarn=> ' "$WORK/main.out")" -ge 1 ] && ! grep -q '^tarn=> SELECT .after quit' "$WORK/main.out"; then
        ok "\\q quits"
    else
        bad "\\q quits" "the session went on after \\q"
    fi
fi
if selected "history file"; then
    # libedit's format: one entry a line, blanks written as \040
    if grep -q 'AS.040answer;' "$WORK/.tarn_history" 2>/dev/null; then
        ok "history file"
    else
        bad "history file" "$WORK/.tarn_history lacks the statements"
    fi
fi

# A statement split over lines with a quote spanning them and a comment.
cat >"$WORK/quote.in" <<'IN'
SELECT 'x;
y' AS s -- a ; in a comment
;
\q
IN
shell quote
expect quote "quotes and comments across lines" 'tarn-> y'"'"' AS s -- a ; in a comment
tarn-> ;
  s   
------
 x;'

# Ctrl-C while a statement runs cancels it; the session goes on.
if selected "ctrl-c cancels a statement"; then
    (printf 'SELECT sum(a) FROM generate_series(1, 4000000000) a;\n'
        sleep 1; printf '\003'; sleep 0.3; printf 'SELECT 5 AS five;\n\\q\n') |
        HOME=$WORK timeout 10 script -qfc "$TARN sql --lake $LAKE" /dev/null 2>&1 | tr -d '\r' >"$WORK/cancel.out"
    if grep -q '^.*ERROR:  canceling statement due to user request' "$WORK/cancel.out" &&
        grep -q '^    5 $' "$WORK/cancel.out"; then
        ok "ctrl-c cancels a statement"
    else
        bad "ctrl-c cancels a statement" "$(head -c 2000 "$WORK/cancel.out")"
    fi
fi

# Piped stdin and -f /dev/stdin: scripts, no prompts, last result printed.
if selected "piped stdin runs a script"; then
    got=$(printf 'SELECT 1 AS a;\nSELECT id FROM t ORDER BY id;\n' | "$TARN" sql --lake "$LAKE" 2>&1)
    want=$' id \n----\n  1 \n  2 \n(2 rows)'
    if [ "$got" = "$want" ]; then ok "piped stdin runs a script"; else bad "piped stdin runs a script" "$got"; fi
fi
if selected "-f /dev/stdin"; then
    got=$(printf 'SELECT 7 AS seven;' | "$TARN" sql --lake "$LAKE" -f /dev/stdin 2>&1)
    want=$' seven \n-------\n     7 \n(1 row)'
    if [ "$got" = "$want" ]; then ok "-f /dev/stdin"; else bad "-f /dev/stdin" "$got"; fi
fi
if selected "piped error exits 1"; then
    printf 'SELECT nosuch;' | "$TARN" sql --lake "$LAKE" >/dev/null 2>&1
    rc=$?
    if [ "$rc" = 1 ]; then ok "piped error exits 1"; else bad "piped error exits 1" "exit $rc"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
