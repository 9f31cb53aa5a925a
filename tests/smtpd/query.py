#!/usr/bin/python3
"""Query the JSON-lines log written by smtpd.py.

usage: query.py LOG WHAT [N]

  count            completed mail transactions (DATA accepted or refused)
  rcpt             RCPT addresses of all transactions, in order
  accepted         RCPT addresses that got a 2xx reply to RCPT
  delivered        RCPT addresses accepted in transactions whose DATA got 2xx
  rejected         "address:code" of RCPTs that got no 2xx
  mail [N]         MAIL FROM address of transaction N (null sender: <>)
  data [N]         exact DATA bytes of transaction N (raw; no newline added)
  ehlo [N]         EHLO/HELO name of transaction N
  tls [N]          yes/no
  tls_version [N]  e.g. TLSv1.3 (empty without TLS)
  auth [N]         authenticated user of transaction N (empty: none)
  auth_mechanism [N]
  client_cert [N]  CN of the client certificate (empty: none)
  code [N]         reply code to DATA/the final dot of transaction N
  state [N]        accepted, refused
  commands         every command line received, one per line (AUTH
                   arguments and AUTH exchange lines shown as ***)
  connections      connections accepted
  transactions     all transaction records, including those that never
                   reached DATA (aborted) or were dropped/lost
  json             the raw log

N is 1-based over the completed transactions (the ones `count` counts);
default: the last one; negative N counts from the end.
"""

import json
import sys


def load(path):
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass  # a line being written
    except FileNotFoundError:
        pass
    return out


def die(msg):
    sys.stderr.write("transcript: %s\n" % msg)
    sys.exit(1)


def main(argv):
    if len(argv) < 3:
        die(__doc__)
    path, what = argv[1], argv[2]
    arg = argv[3] if len(argv) > 3 else None
    if what == "json":
        try:
            with open(path, "rb") as f:
                sys.stdout.buffer.write(f.read())
        except FileNotFoundError:
            pass
        return 0
    log = load(path)
    txns = [o for o in log if o.get("type") == "transaction"]
    done = [t for t in txns if t.get("state") in ("accepted", "refused")]

    def pick():
        if not done:
            die("no completed transaction in %s" % path)
        try:
            n = int(arg) if arg is not None else -1
        except ValueError:
            die("bad transaction number %r" % arg)
        if n > 0:
            n -= 1
        elif n == 0:
            die("transactions are numbered from 1")
        if not -len(done) <= n < len(done):
            die("no transaction %s (there are %d)" % (arg, len(done)))
        return done[n]

    def words(ws):
        print(" ".join(ws))

    if what == "count":
        print(len(done))
    elif what == "transactions":
        print(len(txns))
    elif what == "connections":
        print(sum(1 for o in log if o.get("type") == "connect"))
    elif what == "rcpt":
        words(r["address"] for t in txns for r in t["rcpts"])
    elif what == "accepted":
        words(r["address"] for t in txns for r in t["rcpts"]
              if r["code"] is not None and 200 <= r["code"] < 300)
    elif what == "delivered":
        words(r["address"] for t in txns if t.get("state") == "accepted"
              for r in t["rcpts"]
              if r["code"] is not None and 200 <= r["code"] < 300)
    elif what == "rejected":
        words("%s:%s" % (r["address"], r["code"]) for t in txns
              for r in t["rcpts"]
              if r["code"] is None or not 200 <= r["code"] < 300)
    elif what == "commands":
        for o in log:
            if o.get("type") == "command":
                print(o["line"])
    elif what == "mail":
        print(pick()["mail_from"])
    elif what == "data":
        t = pick()
        if t.get("data_b64") is None:
            die("transaction has no data (refused at DATA)")
        import base64
        sys.stdout.buffer.write(base64.b64decode(t["data_b64"]))
    elif what == "ehlo":
        print(pick().get("ehlo") or "")
    elif what == "tls":
        print("yes" if pick().get("tls") else "no")
    elif what in ("tls_version", "client_cert", "auth_mechanism", "state"):
        print(pick().get(what) or "")
    elif what == "auth":
        print(pick().get("auth_user") or "")
    elif what == "code":
        c = pick().get("code")
        print("" if c is None else c)
    else:
        die("unknown query %r\n%s" % (what, __doc__))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
