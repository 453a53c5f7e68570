#include "server/protocol/frame_encoder.h"

#include "server/protocol/json_writer.h"

namespace wxbridge::protocol {

std::string EncodeFrame(const Command& command, std::string_view auth_key,
                        const FrameStamp& stamp) {
  constexpr std::size_t kEnvelopeSize = 96;
  const std::string_view data =
      command.data_json.empty() ? std::string_view("{}") : command.data_json;
  JsonObjectWriter frame(kEnvelopeSize + auth_key.size() + stamp.cmd_id.size() + data.size());
  frame.Number("code", command.code).String("authKey", auth_key);
  if (stamp.msg_id != 0) frame.Unsigned("msgId", stamp.msg_id);
  if (!stamp.cmd_id.empty()) frame.String("cmdId", stamp.cmd_id);
  frame.Raw("data", data);
  return std::move(frame).Finish();
}

}  // namespace wxbridge::protocol
