"""Debian's nginx running ops/nginx/umrah.conf, as production runs it (TLS with HTTP/2, plain HTTP
only redirecting), in front of app processes on this machine, with a self-signed certificate made
for the run. Used by tests/ui/test_deployment.py and benchmarks/first_visit_network.py."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.ports import free_port

CONFIG = Path(__file__).resolve().parents[1] / "ops" / "nginx" / "umrah.conf"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # in the run's folder, not /var


@dataclass(frozen=True)
class Proxy:
    base: str  # https://127.0.0.1:<port>
    plain: str  # http://127.0.0.1:<port>, the listener that only redirects
    certificate: Path  # the self-signed certificate `base` presents

    def trust(self) -> ssl.SSLContext:
        """A client's TLS context that trusts the proxy's certificate (httpx: `verify=`)."""
        return ssl.create_default_context(cafile=str(self.certificate))


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key, valid from 2000 to 9999 (fixed dates:
    the clock is never read) — (certificate, key) paths in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "proxy.crt", folder / "proxy.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate_path, key_path


@contextlib.contextmanager
def nginx(folder: Path, ports: list[str]) -> Iterator[Proxy]:
    """nginx on free ports with ops/nginx/umrah.conf in front of the app processes on `ports` (two
    upstream servers: with one port, both name it), until the block ends."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise RuntimeError("nginx is missing: run .ci/install-system-packages (Debian's nginx-light)")
    certificate, key = self_signed_certificate(folder)
    listen, plain = free_port(), free_port()
    site = (
        CONFIG.read_text()
        .replace("{{PORT_A}}", ports[0])
        .replace("{{PORT_B}}", ports[-1])
        .replace("{{LISTEN}}", f"127.0.0.1:{listen}")
        .replace("{{PLAIN_LISTEN}}", f"127.0.0.1:{plain}")
        .replace("{{SERVER_NAME}}", "localhost")
        .replace("{{CERTIFICATE}}", str(certificate))
        .replace("{{CERTIFICATE_KEY}}", str(key))
    )
    for name in ("logs", "temp"):
        (folder / name).mkdir(exist_ok=True)
    (folder / "nginx.conf").write_text(
        "worker_processes 1; pid nginx.pid; error_log logs/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http { access_log logs/access.log;\n"
        + "".join(f"{kind}_temp_path temp/{kind};\n" for kind in TEMP_PATHS)
        + site
        + "\n}\n"
    )
    process = subprocess.Popen(
        [binary, "-p", str(folder), "-c", "nginx.conf", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    proxy = Proxy(f"https://127.0.0.1:{listen}", f"http://127.0.0.1:{plain}", certificate)
    try:
        for _ in range(100):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{proxy.base}/readyz", timeout=2, verify=proxy.trust()).status_code == 200:
                    break
            if process.poll() is not None:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("nginx did not answer /readyz with 200 after 100 tries")
        if process.poll() is not None:
            raise RuntimeError(f"nginx did not start: {process.stderr.read() if process.stderr else ''}")
        yield proxy
    finally:
        process.terminate()
        process.wait(timeout=30)
