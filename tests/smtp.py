"""A real SMTP server on a local port (aiosmtpd), collecting what it receives."""

import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Collector:
    """An aiosmtpd handler that keeps every message (and the envelope recipients it was sent to).

    `refuse` holds addresses it answers "550" for; `delay` (seconds) slows every message down; while `gate`
    is cleared, every message waits at DATA (up to 30 seconds) for it to be set, like a stuck server.
    """

    def __init__(self) -> None:
        self.messages = []
        self.recipients: list[list[str]] = []
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.gate = threading.Event()
        self.gate.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        if self.delay or not self.gate.is_set():
            await asyncio.get_running_loop().run_in_executor(None, self._wait)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def _wait(self) -> None:
        self.gate.wait(30)
        time.sleep(self.delay)

    def to(self, address: str) -> list:
        """Messages addressed to `address`."""
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message) -> str:
        return message.get_body(("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> tuple[Controller, Collector, int]:
    """Start a collecting SMTP server; the caller stops it."""
    collector, port = Collector(), free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, collector, port
