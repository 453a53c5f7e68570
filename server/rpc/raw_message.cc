#include "server/rpc/raw_message.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "server/common/log.h"

namespace wxbridge::rpc {
grpc::ByteBuffer SerializeMessage(const google::protobuf::MessageLite& message) {
  grpc::ByteBuffer bytes;
  bool own_buffer = false;
  // Serializing a message already in memory fails only past protobuf's 2 GiB limit,
  // which gRPC's send limit keeps far away; the caller then sends an empty answer.
  grpc::SerializationTraits<google::protobuf::MessageLite>::Serialize(message, &bytes, &own_buffer);
  return bytes;
}

absl::Status RequestParser::Parse(const grpc::ByteBuffer& raw,
                                  google::protobuf::MessageLite* message) {
  // A copy shares the slices; deserializing consumes the buffer it is given.
  grpc::ByteBuffer bytes(raw);
  if (grpc::SerializationTraits<google::protobuf::MessageLite>::Deserialize(&bytes, message).ok()) {
    return absl::OkStatus();
  }
  const uint64_t count = unparseable_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (uint64_t held_back = 0; log_throttle_.Allow(&held_back)) {
    Log(LogLevel::kWarning, "rpc", "refused a request that is not a valid ", message->GetTypeName(),
        " (", count, " since start; at most one line a minute)");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a valid ", message->GetTypeName(),
                   ": protobuf could not parse it (a string field with invalid UTF-8, or bytes of "
                   "another message)"));
}

}  // namespace wxbridge::rpc
