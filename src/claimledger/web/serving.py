"""Listening for `claimledger serve`: the socket is bound before the server says it serves, so a
port in use is reported as such (and nothing claims to be serving)."""

from __future__ import annotations

import socket

from claimledger.errors import UsageError


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port, or a UsageError that names the address and the reason."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        hint = " (another server is using it: stop it or choose another --port)" if exc.errno == 98 else ""
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}{hint}") from exc
    sock.set_inheritable(True)
    return sock


def run_server(app: str, sock: socket.socket, host: str, port: int, workers: int) -> None:
    """Serve the application factory `app` on the bound socket with uvicorn (N worker processes
    sharing it when workers > 1)."""
    import uvicorn

    config = uvicorn.Config(app, factory=True, host=host, port=port, workers=workers, log_level="warning")
    try:
        if workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
