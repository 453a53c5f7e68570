// Fuzz target for the bytes a replica receives from another over NATS in cluster mode: a
// forwarded command (on the holder) and a forwarded answer (on the follower). Each either
// is refused or decodes to something that encodes and decodes again unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "google/protobuf/stubs/logging.h"
#include "server/cluster/forwarded_call.h"

namespace {

const google::protobuf::LogSilencer kQuietProtobuf;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  using wxbridge::cluster::DecodeForwardedAnswer;
  using wxbridge::cluster::DecodeForwardedCommand;
  if (auto command = DecodeForwardedCommand(bytes); command.ok()) {
    auto again = DecodeForwardedCommand(
        wxbridge::cluster::EncodeForwardedCommand(command->command, command->time_left));
    if (!again.ok() || again->command.data_json != command->command.data_json) std::abort();
  }
  if (auto answer = DecodeForwardedAnswer(bytes); answer.ok() && !answer->not_holder) {
    auto again = DecodeForwardedAnswer(wxbridge::cluster::EncodeCallResult(answer->result));
    if (!again.ok() || again->result.replies.size() != answer->result.replies.size()) {
      std::abort();
    }
  }
  return 0;
}
