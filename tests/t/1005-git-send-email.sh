#!/bin/bash
# tests/t/1005-git-send-email.sh: real callers.  git send-email runs
# "sendmail -f addr -i rcpt..." with a patch whose lines may start with "."
# or "From "; every byte must arrive (no lone-dot cut, no ">From").
. "$TESTLIB/tap.sh"
plan 7

start_smtpd
mh_conf '[sender]
domain = example.com'
. "$TESTLIB/snap.sh"

cat >patch.eml <<'EOF'
From: Alice Example <alice@example.org>
To: dev@lists.example.org
Cc: Bob <bob@example.net>
Subject: [PATCH] doc: explain lone dots
Date: Tue, 25 Nov 2026 00:19:50 +0100
Message-ID: <20261124231950.1234-1-alice@example.org>
X-Mailer: git-send-email 2.39.5
MIME-Version: 1.0
Content-Transfer-Encoding: 8bit

From the manual: a line with a single dot
.
ends the input unless -i is given.
..and two dots stay two.

Signed-off-by: Alice Example <alice@example.org>
---
 doc/dots.txt | 3 +++
 1 file changed, 3 insertions(+)

diff --git a/doc/dots.txt b/doc/dots.txt
--- a/doc/dots.txt
+++ b/doc/dots.txt
@@ -1 +1,4 @@
 dots
+.
+From here on
+.hidden
.
-- 
2.39.5
EOF
mh sendmail -f alice@example.org -i dev@lists.example.org bob@example.net <patch.eml 2>git.err
is "$? $(wc -c <git.err)" "0 0" "git send-email: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(tcount)" 1 "delivered"
is "$(tmail 1)" alice@example.org "envelope sender from -f"
is "$(rcpts 1)" "bob@example.net dev@lists.example.org" "argument recipients"
tdata 1 | tr -d '\r' >got.eml
ok_cmd "the patch arrives byte for byte (CRLF aside)" cmp got.eml patch.eml
unlike "$(cat got.eml)" '^>From' "no From-escaping"
is "$(tdata 1 | grep -c $'[^\r]$')" 0 "every line CRLF on the wire"
