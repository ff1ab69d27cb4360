#!/usr/bin/env python3
"""An ordinary mail client, for interop tests: composes a reply with Python's standard `email` package,
optionally signs and encrypts it with `openssl cms` (S/MIME), and submits it over SMTP. Independent of MiSS."""
import argparse
import email.policy
import email.utils
import smtplib
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path


def openssl(*args):
    subprocess.run(["openssl", "cms", *args], check=True, capture_output=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--from", dest="sender", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--subject", default="Re: Message sécurisé")
    p.add_argument("--text", required=True)
    p.add_argument("--in-reply-to", required=True)
    p.add_argument("--mode", choices=["signed-encrypted", "signed", "plain"], required=True)
    p.add_argument("--signer-cert")
    p.add_argument("--signer-key")
    p.add_argument("--chain")
    p.add_argument("--recipient-cert")
    p.add_argument("--smtp-port", type=int, required=True)
    a = p.parse_args()

    headers = {
        "From": a.sender,
        "To": a.to,
        "Subject": a.subject,
        "Date": email.utils.formatdate(localtime=True),
        "Message-ID": email.utils.make_msgid(domain="mail-client.test"),
        "In-Reply-To": f"<{a.in_reply_to}>",
        "References": f"<{a.in_reply_to}>",
    }
    body = EmailMessage(policy=email.policy.SMTP)
    body.set_content(a.text + "\n\n> (message cité)\n")

    if a.mode == "plain":
        message = body
    else:
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            (work / "body.eml").write_bytes(body.as_bytes())
            openssl("-sign", "-in", str(work / "body.eml"), "-out", str(work / "signed.eml"), "-signer", a.signer_cert,
                    "-inkey", a.signer_key, "-certfile", a.chain, "-md", "sha256")
            final = work / "signed.eml"
            if a.mode == "signed-encrypted":
                openssl("-encrypt", "-in", str(final), "-out", str(work / "encrypted.eml"), "-aes256", a.recipient_cert)
                final = work / "encrypted.eml"
            message = BytesParser(policy=email.policy.SMTP).parsebytes(final.read_bytes())
    for name, value in headers.items():
        del message[name]
        message[name] = value

    with smtplib.SMTP("127.0.0.1", a.smtp_port, timeout=30) as smtp:
        smtp.send_message(message)
    print(headers["Message-ID"].strip("<>"))


if __name__ == "__main__":
    sys.exit(main())
