# Copyright (c) hwcloud.drs contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TLS front for the (plain HTTP) simulator, with certificates made at test time.

``make_certificates(directory)`` writes a private CA and a server certificate for 127.0.0.1
signed by it; ``TlsProxy(upstream_port, cert, key)`` listens on 127.0.0.1 with TLS and
forwards every connection's bytes to the simulator and back.
"""

import datetime
import ipaddress
import os
import select
import socket
import ssl
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

IDLE_SECONDS = 30


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(path, data):
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def make_certificates(directory):
    """Returns paths ``(ca_cert, server_cert, server_key)`` (PEM)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(_name("hwcloud.drs test CA")).issuer_name(_name("hwcloud.drs test CA"))
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                            content_commitment=False, key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return (
        _write(os.path.join(directory, "ca.pem"), ca_cert.public_bytes(pem)),
        _write(os.path.join(directory, "server.pem"), cert.public_bytes(pem)),
        _write(os.path.join(directory, "server.key"), key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
    )


class TlsProxy:
    """TLS on 127.0.0.1, plain TCP to ``upstream_port``; ``url`` once started; ``stop()`` closes all."""

    def __init__(self, upstream_port, cert, key):
        self.upstream = ("127.0.0.1", upstream_port)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.handshake_errors = []
        self._stopping = threading.Event()
        self._sockets = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, name="tls-proxy", daemon=True)

    @property
    def url(self):
        return "https://127.0.0.1:%d" % self.port

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stopping.set()
        self._thread.join(5)
        self.listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.close()
                except OSError:
                    pass

    def _track(self, sock):
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self):
        while not self._stopping.is_set():
            try:
                client, _address = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(self._track(client),), daemon=True).start()

    def _serve(self, client):
        client.settimeout(IDLE_SECONDS)
        try:
            tls = self._track(self.context.wrap_socket(client, server_side=True))
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(str(exc))
            client.close()
            return
        upstream = self._track(socket.create_connection(self.upstream, timeout=IDLE_SECONDS))
        self._relay(tls, upstream)

    @staticmethod
    def _relay(tls, upstream):
        """Both directions in this one thread: an SSL socket read in one thread and written in another at the same
        time breaks now and then (OpenSSL's connection object is not shared between threads)."""
        other = {tls: upstream, upstream: tls}
        try:
            while True:
                # Bytes TLS already decrypted wait inside the SSL object, where select() does not see them.
                readable = [tls] if tls.pending() else select.select(list(other), [], [], IDLE_SECONDS)[0]
                if not readable:
                    break
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    other[source].sendall(data)
        except (OSError, ssl.SSLError):
            pass
        finally:
            for sock in other:
                try:
                    sock.close()
                except OSError:
                    pass
