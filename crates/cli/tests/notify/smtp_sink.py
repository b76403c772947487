"""A real SMTP server for the notification tests (crates/cli/tests/it/notify.rs), on aiosmtpd.

Each accepted message is written to DIR/<n>.json as {"from", "to", "subject", "body"},
decoded (RFC 2047 subject, quoted-printable or base64 body). Options: --cert/--key require
STARTTLS before anything else; --user/--password require AUTH (over TLS); --bounce ADDRESS
answers 550 to that recipient. Prints "READY <port>" once listening; stops on stdin EOF.
"""

import argparse
import email
import email.policy
import json
import os
import ssl
import sys
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out, bounce):
        self.out = out
        self.bounce = {b.lower() for b in bounce}
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.bounce:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        self.n += 1
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "body": body.get_content() if body is not None else "",
            "authenticated": bool(session.authenticated),
            "tls": session.ssl is not None,
        }
        tmp = os.path.join(self.out, "%d.tmp" % self.n)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(tmp, os.path.join(self.out, "%d.json" % self.n))
        return "250 Message accepted"


def main():
    # aiosmtpd 1.4 logs a warning about its own use of a deprecated attribute on every AUTH.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--bounce", action="append", default=[])
    a = p.parse_args()

    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.user:
        def check(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user \
                and auth_data.password.decode() == a.password
            return AuthResult(success=ok)
        kwargs.update(authenticator=check, auth_required=True, auth_require_tls=bool(a.cert))
    c = Controller(Sink(a.dir, a.bounce), hostname="127.0.0.1", port=a.port, **kwargs)
    c.start()
    print("READY %d" % a.port, flush=True)
    sys.stdin.read()
    c.stop()


if __name__ == "__main__":
    main()
