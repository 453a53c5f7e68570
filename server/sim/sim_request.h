// One client frame, parsed and checked the way the gateway does before
// dispatching: JSON object, authKey, integer code, object data.
#ifndef WXBRIDGE_SERVER_SIM_SIM_REQUEST_H_
#define WXBRIDGE_SERVER_SIM_SIM_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace wxbridge::sim {

struct SimRequest {
  int64_t code = 0;
  nlohmann::json msg_id;  // the request's msgId when it is an integer, else null
  nlohmann::json cmd_id;  // the request's cmdId as sent, null when absent
  nlohmann::json data = nlohmann::json::object();

  // A data field as text: strings as they are, numbers in decimal, "" otherwise
  // (quirk 4: numbers may arrive as strings and the other way round).
  std::string Field(std::string_view key) const;
  // A data field as an integer, from a number or a decimal string.
  std::optional<int64_t> IntField(std::string_view key) const;
  std::string account() const { return Field("account"); }
};

struct ParsedFrame {
  SimRequest request;
  // Non-empty when the frame must be answered by MsgType -1 with this Content;
  // the request's msg_id/cmd_id are filled in as far as the frame allowed.
  std::string error;
};

// `auth_key` is compared in constant time and never copied out.
ParsedFrame ParseRequest(std::string_view text, std::string_view auth_key);

// The text the gateway answers a bad authKey with.
inline constexpr std::string_view kInvalidAuthKey = "授权码无效";

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_REQUEST_H_
