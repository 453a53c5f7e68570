// Every BridgeService method is raw: requests arrive and answers leave as bytes. gRPC's
// typed callback handlers answer a request that protobuf cannot parse (invalid UTF-8 in
// a string field, bytes of another message) with a bare UNIMPLEMENTED, which tells the
// caller nothing; parsing here lets the bridge say what is wrong.
#ifndef WXBRIDGE_SERVER_RPC_RAW_MESSAGE_H_
#define WXBRIDGE_SERVER_RPC_RAW_MESSAGE_H_

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "google/protobuf/message_lite.h"
#include "grpcpp/support/byte_buffer.h"
#include "server/common/log_throttle.h"

namespace wxbridge::rpc {

// `message` as the bytes of an answer.
grpc::ByteBuffer SerializeMessage(const google::protobuf::MessageLite& message);

// Requests protobuf could not parse. Any client can send them, so a log line each would
// let one flood the log: they are counted, and a line is written at most once a minute
// (protobuf's own line about them goes through RouteProtobufLogs).
class RequestParser {
 public:
  // Parses `raw` into `message`; INVALID_ARGUMENT naming the message type when the bytes
  // are not a valid encoding of it. Thread-safe.
  absl::Status Parse(const grpc::ByteBuffer& raw, google::protobuf::MessageLite* message);
  uint64_t unparseable() const { return unparseable_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> unparseable_{0};
  LogThrottle log_throttle_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_RAW_MESSAGE_H_
