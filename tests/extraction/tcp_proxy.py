"""A TCP proxy to a broker that a test can take down and bring back."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading


class TcpProxy:
    """A TCP proxy on 127.0.0.1 to a broker that a test can take down and bring back.

    While closed nothing listens on its port: connecting is refused, exactly as
    with a broker that is down, without touching the shared broker.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0  # accepted client connections, reachable target or not
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server: socketserver.ThreadingTCPServer | None = None

    def open(self) -> None:
        proxy = self

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy.connections += 1
                try:
                    # Read per connection: retarget() switches where the next one goes.
                    upstream = socket.create_connection(("127.0.0.1", proxy.target_port))
                except OSError:
                    return  # the target is down: the client sees the connection close

                def pump(src: socket.socket, dst: socket.socket) -> None:
                    try:
                        while data := src.recv(65536):
                            dst.sendall(data)
                    except OSError:
                        pass
                    finally:
                        for s in (src, dst):
                            with contextlib.suppress(OSError):
                                s.shutdown(socket.SHUT_RDWR)

                back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
                back.start()
                pump(self.request, upstream)
                back.join(timeout=5)
                upstream.close()

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        server = Server(("127.0.0.1", self.port), Pipe)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self._server = server

    def retarget(self, port: int) -> None:
        """Send the next connections to ``port`` (a dead port: the service is down)."""
        self.target_port = port

    def close(self) -> None:
        server = self._server
        if server is not None:
            server.shutdown()
            server.server_close()
            self._server = None
