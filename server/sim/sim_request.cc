#include "server/sim/sim_request.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::sim {
namespace {

using nlohmann::json;

bool SameSecret(std::string_view a, std::string_view b) {
  // Constant time in the length of `a`, so timing does not reveal a prefix
  // match.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(i < b.size() ? b[i] : 0);
  }
  return diff == 0;
}

}  // namespace

std::string SimRequest::Field(std::string_view key) const {
  auto it = data.find(key);
  if (it == data.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer() || it->is_number_unsigned()) return it->dump();
  return "";
}

std::optional<int64_t> SimRequest::IntField(std::string_view key) const {
  auto it = data.find(key);
  if (it == data.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  int64_t value;
  if (it->is_string() && absl::SimpleAtoi(it->get<std::string>(), &value)) return value;
  return std::nullopt;
}

ParsedFrame ParseRequest(std::string_view text, std::string_view auth_key) {
  ParsedFrame parsed;
  json frame;
  try {
    frame = json::parse(text);
  } catch (const json::exception &e) {
    parsed.error = absl::StrCat("invalid json: ", e.what());
    return parsed;
  }
  if (!frame.is_object()) {
    parsed.error = "invalid json: not an object";
    return parsed;
  }
  SimRequest &request = parsed.request;
  if (auto it = frame.find("msgId"); it != frame.end() && it->is_number_integer()) {
    request.msg_id = *it;
  }
  if (auto it = frame.find("cmdId"); it != frame.end() && !it->is_null()) {
    request.cmd_id = *it;
  }
  auto key = frame.find("authKey");
  if (key == frame.end() || !key->is_string() ||
      !SameSecret(key->get_ref<const std::string &>(), auth_key)) {
    parsed.error = std::string(kInvalidAuthKey);
    return parsed;
  }
  auto code = frame.find("code");
  if (code == frame.end() || !code->is_number_integer()) {
    parsed.error = "invalid request: code must be an integer";
    return parsed;
  }
  request.code = code->get<int64_t>();
  if (auto data = frame.find("data"); data != frame.end() && !data->is_null()) {
    if (!data->is_object()) {
      parsed.error = "invalid request: data must be an object";
      return parsed;
    }
    request.data = std::move(*data);
  }
  return parsed;
}

}  // namespace wxbridge::sim
