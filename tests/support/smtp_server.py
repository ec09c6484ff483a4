"""A local SMTP server for uptick's delivery tests (aiosmtpd), on 127.0.0.1 only.

Usage: smtp_server.py OUTDIR MODE [--cert PEM --key PEM] [--user U --password P]
MODE: plain | starttls (STARTTLS required) | tls (implicit TLS). With --user, AUTH is required.
Each message is saved as OUTDIR/N.eml and summarised in OUTDIR/N.json (envelope, subject,
MIME parts, the HTML and plain text). Prints the port, then serves until stdin closes."""
import argparse, email, email.policy, json, logging, os, socket, ssl, sys, warnings

warnings.simplefilter("ignore")  # a login over plain SMTP is what the plain test asks for
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("mode", choices=["plain", "starttls", "tls"])
ap.add_argument("--cert")
ap.add_argument("--key")
ap.add_argument("--user")
ap.add_argument("--password")
a = ap.parse_args()


class Saver:
    n = 0

    async def handle_DATA(self, server, session, envelope):
        Saver.n += 1
        raw = envelope.original_content or envelope.content
        base = os.path.join(a.out, str(Saver.n))
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts, html, text = [], None, None
        for p in msg.walk():
            if p.is_multipart():
                parts.append({"type": p.get_content_type()})
                continue
            cid = p.get("Content-ID")
            parts.append({"type": p.get_content_type(),
                          "cid": cid.strip("<>") if cid else None,
                          "disposition": p.get_content_disposition(),
                          "bytes": len(p.get_payload(decode=True) or b"")})
            if p.get_content_type() == "text/html":
                html = p.get_content()
            elif p.get_content_type() == "text/plain":
                text = p.get_content()
        summary = {"mail_from": envelope.mail_from, "rcpt": envelope.rcpt_tos,
                   "subject": msg["Subject"], "to": msg["To"], "from": msg["From"],
                   "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None, "authenticated": bool(session.authenticated),
                   "parts": parts, "html": html, "text": text}
        with open(base + ".json.tmp", "w") as f:
            json.dump(summary, f)
        os.replace(base + ".json.tmp", base + ".json")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == a.user and auth_data.password.decode() == a.password)
    # handled=False: the server answers a refused login with 535, as real servers do
    # (aiosmtpd's default, handled=True, leaves the client waiting for its timeout).
    return AuthResult(success=ok, handled=False)


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
ctx = None
if a.mode != "plain":
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
kw = {}
if a.user:
    kw.update(authenticator=authenticator, auth_required=True, auth_require_tls=a.mode != "plain")
if a.mode == "starttls":
    kw.update(tls_context=ctx, require_starttls=True)
controller = Controller(Saver(), hostname="127.0.0.1", port=port,
                        ssl_context=ctx if a.mode == "tls" else None,
                        server_hostname="127.0.0.1", **kw)
controller.start()
print(port, flush=True)
sys.stdin.read()
controller.stop()
