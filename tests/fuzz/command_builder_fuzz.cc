// Fuzz target for command building: the input is what gRPC hands the bridge, a serialized
// request message (the first byte picks which of the 11 command requests, the rest is
// its protobuf encoding, so SendRaw's data_json reaches the builder as raw bytes, without
// a layer of JSON escaping for the fuzzer to get through). Every request is either refused
// or built into a frame that is strict JSON with the command's code and a `data` object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/stubs/logging.h"
#include "nlohmann/json.hpp"
#include "server/protocol/command_builder.h"
#include "server/protocol/frame_encoder.h"

namespace {

// protobuf logs a line for every string field with invalid UTF-8 it refuses to parse;
// at fuzzing rates that is most of the run's time.
const google::protobuf::LogSilencer kQuietProtobuf;

using wxbridge::protocol::Command;

void CheckFrame(const Command& command) {
  const std::string frame =
      wxbridge::protocol::EncodeFrame(command, "fuzz-auth-key", {7, "fuzz-cmd"});
  const nlohmann::json parsed = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("data") || !parsed["data"].is_object()) std::abort();
  if (parsed.value("code", -1) != command.code) std::abort();
}

template <typename Request>
void Build(std::string_view bytes) {
  Request request;
  if (!request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  const absl::StatusOr<Command> command = wxbridge::protocol::BuildCommand(request);
  if (command.ok()) CheckFrame(*command);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace v1 = wxbridge::v1;
  switch (data[0] % 11) {
    case 0:
      Build<v1::LoginRequest>(bytes);
      break;
    case 1:
      Build<v1::LogoutRequest>(bytes);
      break;
    case 2:
      Build<v1::SendTextRequest>(bytes);
      break;
    case 3:
      Build<v1::SendLinkRequest>(bytes);
      break;
    case 4:
      Build<v1::KickGroupMemberRequest>(bytes);
      break;
    case 5:
      Build<v1::GetContactsRequest>(bytes);
      break;
    case 6:
      Build<v1::AcceptFriendRequest>(bytes);
      break;
    case 7:
      Build<v1::InviteToGroupRequest>(bytes);
      break;
    case 8:
      Build<v1::SendImageRequest>(bytes);
      break;
    case 9:
      Build<v1::AddFriendRequest>(bytes);
      break;
    default:
      Build<v1::SendRawRequest>(bytes);
      break;
  }
  return 0;
}
