"""A real local HTTP receiver for webhook tests (a ``ThreadingHTTPServer`` on 127.0.0.1, started by the test).

``Receiver(plan)``: ``plan(n) -> (status, headers, body)`` decides the answer to request ``n`` (0-based);
``"hang"`` as status makes the handler wait until ``release`` is set (then answer 200). Every request is
recorded as ``(path, headers, body)`` in ``requests``; ``answered`` lists ``(status, headers, body)`` of
requests that got a 2xx.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, plan=None):
        self.plan = plan or (lambda n: (200, {}, b"ok"))
        self.requests: list[tuple[str, dict, bytes]] = []
        self.answered: list[tuple[int, dict, bytes]] = []
        self.got_request = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802 - http.server hook name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                n = len(receiver.requests)
                receiver.requests.append((self.path, headers, body))
                receiver.got_request.set()
                status, extra, answer = receiver.plan(n)
                if status == "hang":
                    receiver.release.wait(30)
                    status = 200
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    return
                if 200 <= status < 300:
                    receiver.answered.append((status, headers, body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
