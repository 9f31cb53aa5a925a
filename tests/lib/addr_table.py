#!/usr/bin/python3
"""Header qualification (SPEC 11) checked with Python's email parser over
the address table of tests/unit/t_addr.c (list_ok: input, 0, the
addresses addr.c parses joined by " | ").

usage: addr_table.py msg T_ADDR_C [FIELD]
                                   a message with one Cc: (or FIELD:)
                                   per row
       addr_table.py check T_ADDR_C DATA [FIELD]
                                   one line per row: "N ok" or "N FAIL
                                   reason" for what the server received
                                   (DATA file)

A row is ok when: the Cc arrived with "@example.com" inserted exactly
once per bare local name of the row (the names the envelope side
qualifies) and nothing else changed, byte for byte; and Python's parser
finds the same display names in what was sent and what arrived, with
each address either unchanged or, for a bare name, qualified.
"""

import email.utils
import re
import sys

DOMAIN = "@example.com"


def c_string(lit):
    """The bytes of a C string literal's body (adjacent pieces joined)."""
    out = bytearray()
    i = 0
    while i < len(lit):
        c = lit[i]
        if c != "\\":
            out += c.encode("latin-1")
            i += 1
            continue
        n = lit[i + 1]
        if n == "x":
            m = re.match(r"[0-9a-fA-F]+", lit[i + 2:])
            out.append(int(m.group(0), 16) & 0xff)
            i += 2 + len(m.group(0))
            continue
        out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0",
                "\\": b"\\", '"': b'"', "'": b"'"}[n]
        i += 2
    return bytes(out)


def rows(path):
    src = open(path, encoding="latin-1").read()
    table = src[src.index("list_ok[] = {"):]
    table = table[:table.index("\n};")]
    out = []
    for m in re.finditer(r'\{\s*((?:"(?:[^"\\]|\\.)*"\s*)+),\s*(\d+),\s*'
                         r'((?:"(?:[^"\\]|\\.)*"\s*)+)\}', table):
        if m.group(2) != "0":
            continue        # embedded NUL: not a header
        pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        value = b"".join(c_string(p) for p in pieces)
        pieces = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3))
        want = b"".join(c_string(p) for p in pieces)
        # A header ends at a line end that is not folding.
        value = value.rstrip(b"\r\n")
        out.append((value, [a for a in want.split(b" | ") if a]))
    return out


def bare(addr):
    s = addr.decode("latin-1")
    q = False
    i = 0
    while i < len(s):
        if q and s[i] == "\\":
            i += 1
        elif s[i] == '"':
            q = not q
        elif s[i] == "@" and not q:
            return False
        i += 1
    return True


def msg(path, field="Cc"):
    out = sys.stdout.buffer
    out.write(b"Subject: address table\n")
    for value, _ in rows(path):
        out.write(field.encode() + b": " + value.replace(b"\r\n", b"\n") +
                  b"\n")
    out.write(b"\nbody\n")


def unfold(v):
    return re.sub(r"\r?\n(?=[ \t])", "", v)



def fields(data, field):
    """Every FIELD field of the header section, unfolded, as latin-1."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    name = field.lower() + ":"
    out = []
    for line in unfold(head).split("\r\n"):
        if line[:len(name)].lower() == name:
            out.append(line[len(name):])
    return out


def check(path, data_file, field="Cc"):
    got = fields(open(data_file, "rb").read(), field)
    table = rows(path)
    if len(got) != len(table):
        print("0 FAIL %d %s fields arrived, %d sent" % (len(got), field,
                                                       len(table)))
        return
    for n, ((value, want), recv) in enumerate(zip(table, got), 1):
        sent = unfold(value.decode("latin-1")).strip()
        recv = unfold(recv).strip()
        nbare = sum(1 for a in want if bare(a))
        why = None
        if recv.replace(DOMAIN, "") != sent.replace(DOMAIN, "") or \
                recv.count(DOMAIN) - sent.count(DOMAIN) != nbare:
            why = "%r arrived as %r (%d bare names)" % (sent, recv, nbare)
        else:
            a = email.utils.getaddresses([sent])
            b = email.utils.getaddresses([recv])
            if [x[0] for x in a] != [x[0] for x in b]:
                why = "display names changed: %r, %r" % (a, b)
            for (_, x), (_, y) in zip(a, b):
                # Python gives a quoted local part without its quotes
                # when it stands alone, with them before a domain.
                q = '"%s"' % x.replace("\\", "\\\\").replace('"', '\\"')
                if y not in (x, x + DOMAIN, q + DOMAIN) and why is None:
                    why = "Python reads %r as %r" % (x, y)
        print("%d %s" % (n, "ok" if why is None else "FAIL " + why))


def main(argv):
    if len(argv) in (3, 4) and argv[1] == "msg":
        msg(*argv[2:])
    elif len(argv) in (4, 5) and argv[1] == "check":
        check(*argv[2:])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
