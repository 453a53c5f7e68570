#include "server/protocol/frame_decoder.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/utf8.h"
#include "server/protocol/base64.h"
#include "server/protocol/contact_decoder.h"
#include "server/protocol/json_fields.h"
#include "server/protocol/message_decoder.h"

namespace wxbridge::protocol {
namespace {

namespace v1 = ::wxbridge::v1;

enum GatewayMsgType : int32_t {
  kGatewayError = -1,
  kAccountStatus = 0,
  kContact = 2,
  kSelfContact = 101,
};

constexpr char kAuthRejected[] = "授权码无效";

v1::Event Unrecognized(v1::UnrecognizedReason reason, std::string detail, v1::Event event = {}) {
  v1::UnrecognizedFrame* frame = event.mutable_unrecognized();
  frame->set_reason(reason);
  frame->set_detail(std::move(detail));
  return event;
}

// Strips a "data:image/png;base64," prefix, in case the QR comes as a data URL.
std::string_view Base64Payload(std::string_view data) {
  if (data.compare(0, 5, "data:") != 0) return data;
  const std::size_t comma = data.find(',');
  return comma == std::string_view::npos ? data : data.substr(comma + 1);
}

void DecodeLoginStatus(const Json& content, v1::LoginStatusEvent* status) {
  status->set_wx_id(TextField(content, "wxId"));
  // Proto3 enums are open: a status the document does not list is carried as
  // received.
  status->set_status(static_cast<v1::LoginStatus>(Int32Field(content, "status").value_or(0)));
  status->set_message(TextField(content, "msg"));
  const auto data = content.find("data");
  if (data == content.end() || !data->is_string()) return;
  if (auto image = Base64Decode(Base64Payload(data->get_ref<const std::string&>()))) {
    status->set_qr_image(std::move(*image));
  }
}

// MsgType 0: Content is a JSON string holding an object (or, leniently, the
// object).
void DecodeAccountStatus(const Json& frame, const DecodeLimits& limits, v1::Event* event) {
  const auto content = frame.find("Content");
  if (content != frame.end() && content->is_object()) {
    if (content->contains("status")) {
      DecodeLoginStatus(*content, event->mutable_login_status());
    } else {
      event->mutable_command_reply()->set_content(AsText(*content));
    }
    return;
  }
  std::string text = content == frame.end() ? std::string() : AsText(*content);
  if (content != frame.end() && content->is_string()) {
    ParsedJson inner = ParseJson(text, limits.max_depth);
    if (inner.error == ParsedJson::Error::kNone && inner.value.is_object() &&
        inner.value.contains("status")) {
      DecodeLoginStatus(inner.value, event->mutable_login_status());
      return;
    }
  }
  event->mutable_command_reply()->set_content(std::move(text));
}

void DecodeGatewayError(const Json& frame, v1::GatewayError* error) {
  error->set_message(TextField(frame, "Content"));
  // The whole text, not a substring: an error that quotes a caller's text (which may say
  // anything) must not be able to declare the authKey refused.
  error->set_auth_rejected(absl::StripAsciiWhitespace(error->message()) == kAuthRejected);
}

// MsgType as an int32, from a number or a numeric string.
std::optional<int32_t> MsgTypeOf(const Json& frame) { return Int32Field(frame, "MsgType"); }

v1::Event DecodeObject(const Json& frame, const DecodeLimits& limits, v1::Event event) {
  event.set_account(TextField(frame, "account"));
  event.set_msg_id(Int64Field(frame, "MsgId").value_or(0));
  event.set_cmd_id(TextField(frame, "cmdId"));
  const std::optional<int32_t> msg_type = MsgTypeOf(frame);
  if (!msg_type) {
    return Unrecognized(
        v1::UNRECOGNIZED_REASON_MISSING_MSG_TYPE,
        frame.contains("MsgType") ? "MsgType is not an integer" : "the frame has no MsgType",
        std::move(event));
  }
  event.set_msg_type(*msg_type);
  switch (*msg_type) {
    case kGatewayError:
      DecodeGatewayError(frame, event.mutable_gateway_error());
      return event;
    case kAccountStatus:
      DecodeAccountStatus(frame, limits, &event);
      return event;
    case kContact:
    case kSelfContact:
      *event.mutable_contact() = DecodeContact(frame, *msg_type == kSelfContact);
      return event;
    default:
      break;
  }
  if (IsMessageType(*msg_type)) {
    // raw_json is not written while the payload is decoded.
    const std::string_view frame_text = event.raw_json();
    DecodeMessage(frame, frame_text, *msg_type, &event);
    return event;
  }
  return Unrecognized(v1::UNRECOGNIZED_REASON_UNKNOWN_MSG_TYPE,
                      absl::StrCat("MsgType ", *msg_type, " is not in the gateway's document"),
                      std::move(event));
}

v1::Event DecodeText(std::string_view text, const DecodeLimits& limits) {
  v1::Event event;
  if (!IsValidUtf8(text)) {
    event.set_raw_json(SanitizeUtf8(text));
    event.mutable_unrecognized()->set_raw_bytes(std::string(text));
    return Unrecognized(v1::UNRECOGNIZED_REASON_INVALID_UTF8, "the frame is not valid UTF-8",
                        std::move(event));
  }
  event.set_raw_json(std::string(text));
  ParsedJson parsed = ParseJson(text, limits.max_depth);
  switch (parsed.error) {
    case ParsedJson::Error::kTooDeep:
    case ParsedJson::Error::kTooManyKeys:  // (frames are bounded by size, not keys)
      return Unrecognized(v1::UNRECOGNIZED_REASON_TOO_DEEP, std::move(parsed.detail),
                          std::move(event));
    case ParsedJson::Error::kInvalid:
      return Unrecognized(v1::UNRECOGNIZED_REASON_INVALID_JSON, std::move(parsed.detail),
                          std::move(event));
    case ParsedJson::Error::kNone:
      break;
  }
  if (!parsed.value.is_object()) {
    return Unrecognized(
        v1::UNRECOGNIZED_REASON_NOT_AN_OBJECT,
        absl::StrCat("the frame is JSON ", parsed.value.type_name(), ", not an object"),
        std::move(event));
  }
  return DecodeObject(parsed.value, limits, std::move(event));
}

}  // namespace

v1::Event DecodeFrame(std::string_view text, const DecodeLimits& limits) {
  // The decoder is exception-free by construction; this guard only keeps a
  // surprise (such as running out of memory on a huge frame) from crossing the
  // boundary.
  try {
    return DecodeText(text, limits);
  } catch (const std::exception& error) {
    v1::Event event;
    event.set_raw_json(SanitizeUtf8(text));
    return Unrecognized(v1::UNRECOGNIZED_REASON_UNSPECIFIED, SanitizeUtf8(error.what()),
                        std::move(event));
  } catch (...) {
    return Unrecognized(v1::UNRECOGNIZED_REASON_UNSPECIFIED, "unknown error");
  }
}

v1::Event DecodeBinaryFrame(std::string_view bytes) {
  v1::Event event;
  event.set_raw_json(SanitizeUtf8(bytes));
  event.mutable_unrecognized()->set_raw_bytes(std::string(bytes));
  return Unrecognized(v1::UNRECOGNIZED_REASON_BINARY_FRAME,
                      absl::StrCat("a binary frame of ", bytes.size(), " bytes"), std::move(event));
}

v1::EventKind KindOf(const v1::Event& event) {
  switch (event.payload_case()) {
    case v1::Event::kLoginStatus:
      return v1::EVENT_KIND_LOGIN_STATUS;
    case v1::Event::kText:
      return v1::EVENT_KIND_TEXT;
    case v1::Event::kContact:
      return v1::EVENT_KIND_CONTACT;
    case v1::Event::kImage:
      return v1::EVENT_KIND_IMAGE;
    case v1::Event::kLocation:
      return v1::EVENT_KIND_LOCATION;
    case v1::Event::kApp:
      return v1::EVENT_KIND_APP;
    case v1::Event::kFriendRequest:
      return v1::EVENT_KIND_FRIEND_REQUEST;
    case v1::Event::kSystemNotice:
      return v1::EVENT_KIND_SYSTEM_NOTICE;
    case v1::Event::kGroupChange:
      return v1::EVENT_KIND_GROUP_CHANGE;
    case v1::Event::kGatewayError:
      return v1::EVENT_KIND_GATEWAY_ERROR;
    case v1::Event::kBridgeState:
      return v1::EVENT_KIND_BRIDGE_STATE;
    case v1::Event::kCommandReply:
      return v1::EVENT_KIND_COMMAND_REPLY;
    case v1::Event::kUnrecognized:
      return v1::EVENT_KIND_UNRECOGNIZED;
    case v1::Event::kLoopStopped:
      return v1::EVENT_KIND_LOOP_STOPPED;
    case v1::Event::PAYLOAD_NOT_SET:
      return v1::EVENT_KIND_UNSPECIFIED;
  }
  return v1::EVENT_KIND_UNSPECIFIED;
}

}  // namespace wxbridge::protocol
