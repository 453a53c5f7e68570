#!/usr/bin/python3
"""wxbridge from Python: log in two accounts, send a text from one to the other, and
read it from a Subscribe stream.

Needs Debian's python3-grpcio and python3-protobuf, and stubs generated from proto/:

    protoc -I proto --python_out=OUT --grpc_python_out=OUT \
      --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin proto/wxbridge/v1/*.proto
    PYTHONPATH=OUT /usr/bin/python3 examples/python/wxbridge_example.py

(the build does this into build/cmake/tests/polyglot/python). Exits 0 when the text
arrived, 1 on any failure.
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

    def __init__(self, stub, request):
        self._call = stub.Subscribe(request)
        self._messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for message in self._call:
                self._messages.put(message)
        except grpc.RpcError:
            pass  # cancelled at the end, or the bridge went away: waits time out

    def wait_for(self, predicate, what):
        """The first message that matches, or SystemExit after TIMEOUT_S."""
        while True:
            try:
                message = self._messages.get(timeout=TIMEOUT_S)
            except queue.Empty:
                sys.exit(f"timed out waiting for {what}")
            if predicate(message):
                return message

    def cancel(self):
        self._call.cancel()


def log_in(stub, stream, account):
    """Logs `account` in and waits for LOGGED_IN; returns its wxid."""
    response = stub.Login(pb.LoginRequest(account=account), timeout=TIMEOUT_S)
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

    channel = grpc.insecure_channel(args.server)
    stub = pb_grpc.BridgeServiceStub(channel)
    # Subscribe before acting, and wait for the hello: from then on nothing is missed.
    stream = EventStream(stub, pb.SubscribeRequest(
        accounts=[args.sender, args.receiver],
        kinds=[events_pb2.EVENT_KIND_LOGIN_STATUS, events_pb2.EVENT_KIND_TEXT]))
    hello = stream.wait_for(lambda m: m.HasField("hello"), "the stream's hello").hello
    print(f"subscribed: bridge {hello.bridge_version}, head seq {hello.head_seq}")

    log_in(stub, stream, args.sender)
    receiver_wx_id = log_in(stub, stream, args.receiver)

    text = "hello from Python"
    reply = stub.SendText(pb.SendTextRequest(account=args.sender, to_user_name=receiver_wx_id,
                                             content=text), timeout=TIMEOUT_S)
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
