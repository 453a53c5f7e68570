#!/usr/bin/python3
"""wxbridge from Python: log in two accounts, send a text from one to the other, and
read it from a Subscribe stream.

Needs Debian's python3-grpcio and python3-protobuf, and stubs generated from proto/:

    protoc -I proto --python_out=OUT --grpc_python_out=OUT \
      --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin proto/wxbridge/v1/*.proto
    PYTHONPATH=OUT /usr/bin/python3 examples/python/wxbridge_example.py

(the build does this into build/cmake/tests/polyglot/python). Exits 0 when the text
arrived, 1 on any failure.

Environment: WXBRIDGE_SERVER (host:port or unix:/path), WXBRIDGE_TOKEN (sent as
"authorization: Bearer <token>" with every call), WXBRIDGE_TLS_CA (set: TLS, trusting
this CA), WXBRIDGE_TLS_CERT and WXBRIDGE_TLS_KEY (a client certificate, for mTLS).
"""

import argparse
import os
import queue
import sys
import threading

import grpc

from wxbridge.v1 import bridge_service_pb2 as pb
from wxbridge.v1 import bridge_service_pb2_grpc as pb_grpc
from wxbridge.v1 import common_pb2
from wxbridge.v1 import events_pb2

TIMEOUT_S = 30


class EventStream:
    """A Subscribe stream read on a thread of its own, so we can wait with a timeout."""

    def __init__(self, stub, request, metadata):
        self._call = stub.Subscribe(request, metadata=metadata)
        self._messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for message in self._call:
                self._messages.put(message)
        except grpc.RpcError as error:
            self._messages.put(error)  # e.g. UNAUTHENTICATED: wait_for raises it

    def wait_for(self, predicate, what):
        """The first message that matches, or SystemExit after TIMEOUT_S."""
        while True:
            try:
                message = self._messages.get(timeout=TIMEOUT_S)
            except queue.Empty:
                sys.exit(f"timed out waiting for {what}")
            if isinstance(message, grpc.RpcError):
                raise message
            if predicate(message):
                return message

    def cancel(self):
        self._call.cancel()


def open_channel(server):
    """TLS when WXBRIDGE_TLS_CA is set (with a client certificate when WXBRIDGE_TLS_CERT
    and WXBRIDGE_TLS_KEY are), else plaintext."""
    def read(variable):
        path = os.environ.get(variable)
        if not path:
            return None
        with open(path, "rb") as pem:
            return pem.read()

    if not os.environ.get("WXBRIDGE_TLS_CA"):
        return grpc.insecure_channel(server)
    return grpc.secure_channel(server, grpc.ssl_channel_credentials(
        root_certificates=read("WXBRIDGE_TLS_CA"), private_key=read("WXBRIDGE_TLS_KEY"),
        certificate_chain=read("WXBRIDGE_TLS_CERT")))


def call_metadata():
    """The token, sent with every call; none when WXBRIDGE_TOKEN is unset."""
    token = os.environ.get("WXBRIDGE_TOKEN")
    return (("authorization", f"Bearer {token}"),) if token else ()


def log_in(stub, stream, account, metadata):
    """Logs `account` in and waits for LOGGED_IN; returns its wxid."""
    response = stub.Login(pb.LoginRequest(account=account), timeout=TIMEOUT_S,
                          metadata=metadata)
    status = response.status
    print(f"{account}: Login -> {common_pb2.LoginStatus.Name(status.status)} "
          f"({len(status.qr_image)}-byte QR code PNG)")
    if status.status != common_pb2.LOGIN_STATUS_LOGGED_IN:
        message = stream.wait_for(
            lambda m: m.HasField("event") and m.event.account == account
            and m.event.login_status.status == common_pb2.LOGIN_STATUS_LOGGED_IN,
            f"{account} to log in")
        status = message.event.login_status
    print(f"{account}: LOGGED_IN as {status.wx_id}")
    return status.wx_id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("WXBRIDGE_SERVER", "127.0.0.1:50051"))
    parser.add_argument("--sender", default="py-alice")
    parser.add_argument("--receiver", default="py-bob")
    args = parser.parse_args()

    stub = pb_grpc.BridgeServiceStub(open_channel(args.server))
    metadata = call_metadata()
    # Subscribe before acting, and wait for the hello: from then on nothing is missed.
    stream = EventStream(stub, pb.SubscribeRequest(
        accounts=[args.sender, args.receiver],
        kinds=[events_pb2.EVENT_KIND_LOGIN_STATUS, events_pb2.EVENT_KIND_TEXT]), metadata)
    hello = stream.wait_for(lambda m: m.HasField("hello"), "the stream's hello").hello
    print(f"subscribed: bridge {hello.bridge_version}, head seq {hello.head_seq}")

    log_in(stub, stream, args.sender, metadata)
    receiver_wx_id = log_in(stub, stream, args.receiver, metadata)

    text = "hello from Python"
    reply = stub.SendText(pb.SendTextRequest(account=args.sender, to_user_name=receiver_wx_id,
                                             content=text),
                          timeout=TIMEOUT_S, metadata=metadata)
    print(f"{args.sender}: SendText -> request id {reply.ack.request_id}, "
          f"{common_pb2.Completion.Name(reply.ack.completion)}")
    event = stream.wait_for(
        lambda m: m.HasField("event") and m.event.account == args.receiver
        and m.event.WhichOneof("payload") == "text" and m.event.text.text == text,
        "the text to arrive").event
    print(f"{args.receiver}: received \"{event.text.text}\" from "
          f"{event.text.header.from_user_name} (seq {event.seq})")
    stream.cancel()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as error:
        sys.exit(f"ERROR: {error.code().name}: {error.details()}")
    except OSError as error:  # a PEM file named in WXBRIDGE_TLS_*
        sys.exit(f"ERROR: cannot read {error.filename}: {error.strerror}")
