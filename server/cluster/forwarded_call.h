// The bytes of a call one replica forwards to the holder of the upstream over NATS
// request/reply (call_forwarder.h): the command as the caller's replica built it, with
// the time left, and the holder's CallResult back. JSON, with the ack and the reply
// events as serialized protobuf in base64, so nothing the gateway sent is lost on the way.
#ifndef WXBRIDGE_SERVER_CLUSTER_FORWARDED_CALL_H_
#define WXBRIDGE_SERVER_CLUSTER_FORWARDED_CALL_H_

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/calls/call_table.h"
#include "server/protocol/command_builder.h"

namespace wxbridge::cluster {

struct ForwardedCommand {
  protocol::Command command;
  std::chrono::milliseconds time_left{0};
};

std::string EncodeForwardedCommand(const protocol::Command& command,
                                   std::chrono::milliseconds time_left);
absl::StatusOr<ForwardedCommand> DecodeForwardedCommand(std::string_view bytes);

// The holder's answer: the call's result, or "not the holder" (the caller's replica
// then looks for the holder again: the command was not run).
struct ForwardedAnswer {
  bool not_holder = false;
  calls::CallResult result;
};

std::string EncodeCallResult(const calls::CallResult& result);
std::string EncodeNotHolder();
absl::StatusOr<ForwardedAnswer> DecodeForwardedAnswer(std::string_view bytes);

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_FORWARDED_CALL_H_
