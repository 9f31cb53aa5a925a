#!/usr/bin/python3
"""The long-line corpus of tests/t/0208 (SPEC 11), and its check.

usage: mime_corpus.py gen DIR
           writes DIR/NN.eml (LF line endings, as PHP and cron write them)
       mime_corpus.py bs DIR RCPT
           prints an SMTP session (for sendmail -bs) sending every
           DIR/*.eml to RCPT, dot-stuffed, CRLF
       mime_corpus.py check DIR SMTPD_LOG
           for every DIR/NN.eml, finds the transaction whose Subject is
           "corpus NN", parses both with Python's email package and
           prints one line per message: "NN ok" or "NN FAIL reason"

The check: no line of what the server received is over 998 octets, no
base64 line over 76 characters; the leaves (non-multipart parts, embedded messages included) are the same in
number and content type, and each decodes to the same bytes (line ends
compared as LF: mailhop sends CRLF by design); a message with a part
re-encoded quoted-printable has MIME-Version; the Subject decodes the
same; a message marked "same" arrives with its body byte for byte.
"""

import base64
import email
import email.policy
import json
import os
import random
import sys

CORPUS = []


def msg(name, same=False):
    def reg(fn):
        CORPUS.append((name, same, fn))
        return fn
    return reg


def head(n, extra=""):
    return ("To: bob@example.net\nSubject: corpus %02d\n" % n) + extra


def words(n, seed):
    r = random.Random(seed)
    w = ["mail", "<b>bold</b>", "x=y", "caf\u00e9", "--", ".", "a\tb",
         "=3D", "<td style=\"color:red\">", "50%", "From", "end."]
    out = []
    size = 0
    while size < n:
        x = r.choice(w)
        out.append(x)
        size += len(x.encode()) + 1
    return " ".join(out)


def html_line(n, seed=1):
    return "<html><body>" + words(n, seed) + "</body></html>"


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    if width == 0:
        return s
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))


@msg("PHP mail(): HTML, one 50 KB line, no CTE")
def m01(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: text/html; "
                "charset=UTF-8\n") + "\n" + html_line(50000) + "\n"


@msg("HTML, 50 KB line, CTE 8bit")
def m02(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: text/html; "
                "charset=UTF-8\nContent-Transfer-Encoding: 8bit\n") + \
        "\n" + html_line(50000, 2) + "\n"


@msg("ASCII HTML, 30 KB line, CTE 7bit")
def m03(n):
    line = words(30000, 3).replace("caf\u00e9", "cafe")
    return head(n, "MIME-Version: 1.0\nContent-Type: text/html\n"
                "Content-Transfer-Encoding: 7bit\n") + "\n" + line + "\n"


@msg("multipart/alternative, the HTML part has a 50 KB line")
def m04(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/alternative;"
                " boundary=\"=_alt\"\n") + """
This is a MIME message.
--=_alt
Content-Type: text/plain; charset=UTF-8

Short text, caf\u00e9.
--=_alt
Content-Type: text/html; charset=UTF-8

""" + html_line(50000, 4) + """
--=_alt--
"""


@msg("nested multipart/mixed: alternative + two base64 attachments")
def m05(n):
    pdf = bytes(random.Random(5).randrange(256) for _ in range(5000))
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=outer\n") + """
--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

""" + words(3000, 51) + """
--inner
Content-Type: text/html; charset=utf-8

""" + html_line(12000, 52) + """
--inner--
--outer
Content-Type: application/pdf; name="a.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="a.pdf"

""" + b64(pdf) + """
--outer
Content-Type: image/png
Content-Transfer-Encoding: base64

""" + b64(pdf[:1000]) + """
--outer--
"""


@msg("8-bit UTF-8 plain text, a 5000-byte line")
def m06(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: text/plain; "
                "charset=utf-8\nContent-Transfer-Encoding: 8bit\n") + \
        "\n" + ("\u00e9t\u00e9 \u2603 " * 700) + "\nshort line\n"


@msg("already quoted-printable: left alone", same=True)
def m07(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: text/plain; "
                "charset=utf-8\nContent-Transfer-Encoding: "
                "quoted-printable\n") + "\n" + \
        ("caf=C3=A9 " * 7 + "=\n") * 40 + "end\n"


@msg("base64 in one 13 KB line: re-wrapped at 76")
def m08(n):
    data = bytes(random.Random(8).randrange(256) for _ in range(10000))
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b8\n") + """
--b8
Content-Type: text/plain

see attachment
--b8
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

""" + b64(data, 0) + """
--b8--
"""


@msg("no MIME headers at all, a 20 KB line")
def m09(n):
    return head(n) + "\n" + words(20000, 9).replace("caf\u00e9", "cafe") + \
        "\nbye\n"


@msg("no MIME headers, short lines: unchanged", same=True)
def m10(n):
    return head(n) + "\nHello,\n\nshort lines only.\n-- \nroot\n"


@msg("long line with trailing spaces and tabs, and white space runs")
def m11(n):
    line = ("word \t " * 300) + "   \t "
    return head(n, "Content-Type: text/plain\n") + "\n" + line + "\n" + \
        "next  \n" + ("x" * 1200) + " \n"


@msg("long line holding =, --, boundaries and dots at wrap points")
def m12(n):
    s = ""
    while len(s) < 4000:
        s += "." * 74 + "--b12--" + "=" + "-" * 3
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b12\n") + """
--b12
Content-Type: text/plain

""" + s + """
.
--b12--
"""


@msg("lines of exactly 998 and of 999 octets")
def m13(n):
    return head(n, "Content-Type: text/plain\n") + "\n" + "a" * 998 + \
        "\n" + "b" * 999 + "\n" + "c" * 997 + "\n"


@msg("message/rfc822 attachment whose text has a long line")
def m14(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b14\n") + """
--b14
Content-Type: text/plain

Forwarded message below.
--b14
Content-Type: message/rfc822

From: carol@example.org
Subject: inner
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

""" + "inner " * 500 + """
--b14--
"""


@msg("multipart/digest: parts default to message/rfc822")
def m15(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/digest; "
                "boundary=d15\n") + """
--d15

Subject: one

""" + "one " * 400 + """
--d15

Subject: two
Content-Type: text/html

<p>""" + "two " * 400 + """</p>
--d15--
"""


@msg("preamble and epilogue with long lines")
def m16(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b16\n") + "\n" + "pre " * 400 + """
--b16
Content-Type: text/plain

body
--b16--
""" + "epi " * 400 + "\n"


@msg("application/json without CTE, one 40 KB line")
def m17(n):
    js = json.dumps({"k%d" % i: "v" * 30 for i in range(1000)})
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b17\n") + """
--b17
Content-Type: application/json

""" + js + """
--b17--
"""


@msg("base64 line of 77 characters ending in a dot (garbage kept)")
def m18(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: application/x-test\n"
                "Content-Transfer-Encoding: base64\n") + "\n" + \
        "QUJD" * 19 + ".\n" + "QUJD" * 30 + "\n"


@msg("several parts with long lines, one without")
def m19(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b19\n") + "\n--b19\n\n" + "p1 " * 600 + \
        "\n--b19\nContent-Type: text/plain\n\nshort\n--b19\n" \
        "Content-Type: text/html\n\n" + "<i>p3</i>" * 300 + "\n--b19--\n"


@msg("long line ending in a space right before the boundary")
def m20(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b20\n") + "\n--b20\n\n" + "z" * 1500 + \
        " \n--b20--\n"


@msg("Subject over 998 octets with spaces: folded, same text")
def m21(n):
    subj = "corpus %02d " % n + " ".join(["long-subject-word"] * 80)
    return "To: bob@example.net\nSubject: " + subj + "\n\nbody\n"


@msg("iso-8859-1 text, 8bit, long line")
def m22(n):
    return (head(n, "MIME-Version: 1.0\nContent-Type: text/plain; "
                 "charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n")
            + "\n").encode() + ("\xe9t\xe9 " * 500).encode("latin-1") + \
        b"\n"


@msg("one 1 MB line")
def m23(n):
    return head(n, "Content-Type: text/html\n") + "\n" + \
        "<p>0123456789</p>" * 62000 + "\n"


@msg("CRLF input, as Windows programs send it")
def m24(n):
    return (head(n, "MIME-Version: 1.0\nContent-Type: text/html\n") +
            "\n" + html_line(5000, 24) + "\nend\n").replace("\n", "\r\n")


@msg("part header without a blank line before the body")
def m25(n):
    return head(n, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
                "boundary=b25\n") + "\n--b25\nContent-Type: text/plain\n" \
        "no blank line before this body line, which is long " + \
        "y" * 1200 + "\n--b25--\n"


def gen(d):
    os.makedirs(d, exist_ok=True)
    for i, (name, same, fn) in enumerate(CORPUS, 1):
        data = fn(i)
        if isinstance(data, str):
            data = data.encode()
        with open(os.path.join(d, "%02d.eml" % i), "wb") as f:
            f.write(data)
        if same:
            open(os.path.join(d, "%02d.same" % i), "w").close()


def files(d):
    return sorted(f[:-4] for f in os.listdir(d) if f.endswith(".eml"))


def bs(d, rcpt):
    out = sys.stdout.buffer
    out.write(b"EHLO corpus.example\r\n")
    for k in files(d):
        with open(os.path.join(d, k + ".eml"), "rb") as f:
            data = f.read().replace(b"\r\n", b"\n")
        out.write(b"MAIL FROM:<corpus@example.org>\r\n")
        out.write(b"RCPT TO:<" + rcpt.encode() + b">\r\n")
        out.write(b"DATA\r\n")
        for line in data.split(b"\n")[:-1]:
            if line.startswith(b"."):
                line = b"." + line
            out.write(line + b"\r\n")
        out.write(b".\r\n")
    out.write(b"QUIT\r\n")


def lf(b):
    return b.replace(b"\r\n", b"\n") if b is not None else None


def leaves(m):
    out = []
    for p in m.walk():
        if p.is_multipart():
            continue
        out.append((p.get_content_type(), lf(p.get_payload(decode=True))))
    return out


def body_of(raw):
    raw = lf(raw)
    i = raw.find(b"\n\n")
    return raw[i + 2:] if i >= 0 else raw


def check_one(orig, got, same):
    for line in got.split(b"\r\n"):
        if len(line) > 998:
            return "a line of %d octets arrived" % len(line)
    a = email.message_from_bytes(orig, policy=email.policy.compat32)
    b = email.message_from_bytes(got, policy=email.policy.compat32)
    la, lb = leaves(a), leaves(b)
    if len(la) != len(lb):
        return "%d leaves sent, %d arrived" % (len(la), len(lb))
    for i, (x, y) in enumerate(zip(la, lb)):
        if x[0] != y[0]:
            return "leaf %d: %s became %s" % (i, x[0], y[0])
        if x[1] != y[1]:
            return "leaf %d (%s): decoded bytes differ (%d sent, %d " \
                "arrived)" % (i, x[0], len(x[1] or b""), len(y[1] or b""))
    for p in b.walk():
        if p.is_multipart() or \
                str(p.get("content-transfer-encoding", "")).lower() != "base64":
            continue
        for line in lf(p.get_payload().encode("ascii", "replace")).split(b"\n"):
            # A "." never starts a wrapped line of its own (mime.c).
            if len(line) > 76 and not (len(line) == 77 and line.endswith(b".")):
                return "a base64 line of %d characters" % len(line)
    qp = "quoted-printable"
    if sum(1 for p in b.walk() if str(p.get("content-transfer-encoding",
                                            "")).lower() == qp) > \
            sum(1 for p in a.walk() if str(p.get("content-transfer-encoding",
                                                 "")).lower() == qp) and \
            b.get("mime-version") is None:
        return "a part was re-encoded and there is no MIME-Version"
    sa = email.message_from_bytes(orig, policy=email.policy.default)
    sb = email.message_from_bytes(got, policy=email.policy.default)
    if str(sa["subject"]) != str(sb["subject"]):
        return "the Subject changed"
    if same and body_of(orig) != body_of(got):
        return "the body changed"
    return None


def check(d, log):
    got = {}
    with open(log, encoding="utf-8") as f:
        for line in f:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("type") != "transaction" or \
                    ev.get("state") != "accepted":
                continue
            data = base64.b64decode(ev["data_b64"])
            m = email.message_from_bytes(data, policy=email.policy.default)
            subj = str(m["subject"] or "")
            if subj.startswith("corpus "):
                got[subj[7:9]] = data
    for k in files(d):
        with open(os.path.join(d, k + ".eml"), "rb") as f:
            orig = f.read()
        if k not in got:
            print("%s FAIL not received" % k)
            continue
        why = check_one(orig, got[k], os.path.exists(
            os.path.join(d, k + ".same")))
        print("%s %s" % (k, "ok" if why is None else "FAIL " + why))


def main(argv):
    if len(argv) == 3 and argv[1] == "gen":
        gen(argv[2])
    elif len(argv) == 4 and argv[1] == "bs":
        bs(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "check":
        check(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
