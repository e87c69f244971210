"""A real SMTP server on a local port (aiosmtpd), collecting what it receives."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Collector:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

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
