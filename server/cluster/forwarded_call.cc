#include "server/cluster/forwarded_call.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/protocol/frame_decoder.h"
#include "server/protocol/json_fields.h"

namespace wxbridge::cluster {
namespace {

using nlohmann::json;

std::string ProtoBase64(const google::protobuf::Message& message) {
  return absl::Base64Escape(message.SerializeAsString());
}

bool ParseProtoBase64(const json& value, google::protobuf::Message* message) {
  if (!value.is_string()) return false;
  std::string bytes;
  return absl::Base64Unescape(value.get<std::string>(), &bytes) && message->ParseFromString(bytes);
}

// A reply event as the caller's replica needs it: whole, with what the call table and
// the response filling read (seq, kind, account). Its Subscribe bytes are never sent.
events::StoredEventPtr ReplyEvent(wxbridge::v1::Event event) {
  auto stored = std::make_shared<events::StoredEvent>();
  auto retained = std::make_shared<events::RetainedEvent>();
  retained->seq = event.seq();
  retained->kind = protocol::KindOf(event);
  retained->account = event.account();
  *stored->message.mutable_event() = std::move(event);
  stored->retained = std::move(retained);
  return stored;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InternalError(absl::StrCat("a forwarded call's ", what, " is malformed"));
}

}  // namespace

std::string EncodeForwardedCommand(const protocol::Command& command,
                                   std::chrono::milliseconds time_left) {
  json out = {{"code", command.code},
              {"account", command.account},
              {"data", command.data_json},
              {"group_id", command.group_id},
              {"wx_ids", command.wx_ids},
              {"chat", command.chat},
              {"time_left_ms", time_left.count()}};
  return out.dump();
}

absl::StatusOr<ForwardedCommand> DecodeForwardedCommand(std::string_view bytes) {
  json in = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object()) return Malformed("command");
  // Numbers through the range-checked reader: nlohmann's get<int>() casts a float such as
  // -9.2e21 to int, which is undefined. The sender bounds time left by its duration flags
  // (at most INT_MAX ms), which also keeps now() + time_left from overflowing here.
  const std::optional<int32_t> code = protocol::Int32Field(in, "code");
  const std::optional<int32_t> time_left_ms = protocol::Int32Field(in, "time_left_ms");
  if (!code || !time_left_ms || *time_left_ms < 0) return Malformed("command");
  try {
    ForwardedCommand out;
    out.command.code = *code;
    out.command.account = in.at("account").get<std::string>();
    out.command.data_json = in.at("data").get<std::string>();
    out.command.group_id = in.at("group_id").get<std::string>();
    out.command.wx_ids = in.at("wx_ids").get<std::vector<std::string>>();
    out.command.chat = in.at("chat").get<std::string>();
    out.time_left = std::chrono::milliseconds(*time_left_ms);
    return out;
  } catch (const json::exception&) {
    return Malformed("command");
  }
}

std::string EncodeCallResult(const calls::CallResult& result) {
  json replies = json::array();
  for (const events::StoredEventPtr& reply : result.replies) {
    replies.push_back(ProtoBase64(reply->event()));
  }
  json out = {{"code", static_cast<int>(result.status.code())},
              {"message", std::string(result.status.message())},
              {"ack", ProtoBase64(result.ack)},
              {"replies", std::move(replies)},
              {"missing", result.missing_wx_ids}};
  // A status message may quote what the gateway sent: never let bad UTF-8 lose the answer.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string EncodeNotHolder() { return json{{"not_holder", true}}.dump(); }

absl::StatusOr<ForwardedAnswer> DecodeForwardedAnswer(std::string_view bytes) {
  json in = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object()) return Malformed("answer");
  ForwardedAnswer out;
  if (in.value("not_holder", false)) {
    out.not_holder = true;
    return out;
  }
  const std::optional<int32_t> code = protocol::Int32Field(in, "code");
  if (!code || *code < 0 || *code > 16) return Malformed("answer");
  try {
    out.result.status =
        absl::Status(static_cast<absl::StatusCode>(*code), in.at("message").get<std::string>());
    if (!ParseProtoBase64(in.at("ack"), &out.result.ack)) return Malformed("answer");
    for (const json& reply : in.at("replies")) {
      wxbridge::v1::Event event;
      if (!ParseProtoBase64(reply, &event)) return Malformed("answer");
      out.result.replies.push_back(ReplyEvent(std::move(event)));
    }
    out.result.missing_wx_ids = in.at("missing").get<std::vector<std::string>>();
    return out;
  } catch (const json::exception&) {
    return Malformed("answer");
  }
}

}  // namespace wxbridge::cluster
