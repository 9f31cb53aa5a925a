#!/bin/bash
# snap.sh - one look at the test server's log for the real-caller tests.
# snap writes txnN.{mail,rcpts,data} per completed transaction (recipients
# sorted) and txn.count into the current directory; the helpers read them.

[ -n "${_MH_SNAP_SH:-}" ] && return 0
_MH_SNAP_SH=1

snap() {
	"$PYTHON" - "$SMTPD_LOG" <<'PYEOF'
import base64, json, sys
t = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "transaction" and o.get("state") in ("accepted", "refused")]
for i, o in enumerate(t, 1):
    open("txn%d.mail" % i, "w").write(o["mail_from"])
    open("txn%d.rcpts" % i, "w").write(" ".join(sorted(r["address"] for r in o["rcpts"])))
    open("txn%d.data" % i, "wb").write(base64.b64decode(o.get("data_b64") or ""))
open("txn.count", "w").write(str(len(t)))
PYEOF
}
tcount() { cat txn.count; }
tmail() { cat "txn$1.mail"; }
tdata() { cat "txn$1.data"; }
rcpts() { cat "txn$1.rcpts"; }
hdrs() { tdata "$1" | sed '/^\r$/q'; }
body() { tdata "$1" | sed '1,/^\r$/d'; }
