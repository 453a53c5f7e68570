#include "server/rpc/command_methods.h"

#include "absl/strings/str_cat.h"
#include "server/protocol/message_decoder.h"

namespace wxbridge::rpc {
namespace {

using v1::Event;

// The first completing event that has `has`, or nullptr.
template <typename Has>
const Event* FirstReply(const calls::CallResult& result, Has has) {
  for (const auto& stored : result.replies) {
    if (has(stored->event())) return &stored->event();
  }
  return nullptr;
}

// Login and Logout return the status event that completed them.
template <typename Response>
void FillStatus(const calls::CallResult& result, Response* out) {
  if (const Event* e = FirstReply(result, [](const Event& e) { return e.has_login_status(); })) {
    *out->mutable_status() = e->login_status();
  }
}

template <typename Response>
void FillGroupChange(const calls::CallResult& result, Response* out) {
  const auto carries_change = [](const Event& e) { return protocol::GroupChangeOf(e) != nullptr; };
  if (const Event* e = FirstReply(result, carries_change)) {
    *out->mutable_change() = protocol::GroupChangeWithHeader(*e);
  }
}

// Base64 of n bytes plus the envelope: what a SendImage frame will weigh.
std::size_t ImageFrameBytes(std::size_t image_bytes, std::size_t other_bytes) {
  return (image_bytes + 2) / 3 * 4 + other_bytes + 256;
}

}  // namespace

void LoginMethod::Fill(const calls::CallResult& result, Response* out) { FillStatus(result, out); }

void LogoutMethod::Fill(const calls::CallResult& result, Response* out) { FillStatus(result, out); }

void KickGroupMemberMethod::Fill(const calls::CallResult& result, Response* out) {
  FillGroupChange(result, out);
}

void InviteToGroupMethod::Fill(const calls::CallResult& result, Response* out) {
  FillGroupChange(result, out);
}

void GetContactsMethod::Fill(const calls::CallResult& result, Response* out) {
  for (const auto& stored : result.replies) {
    if (stored->event().has_contact()) *out->add_contacts() = stored->event().contact();
  }
  for (const auto& id : result.missing_wx_ids) out->add_missing_wx_ids(id);
}

void SendRawMethod::Fill(const calls::CallResult& result, Response* out) {
  if (!result.replies.empty()) *out->mutable_reply() = result.replies.front()->event();
}

absl::Status SendImageMethod::Check(const CommandLimits& limits, const Request& image) {
  const std::size_t frame_bytes =
      ImageFrameBytes(image.image().size(), image.account().size() + image.to_user_name().size());
  if (frame_bytes <= limits.max_frame_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("image of ", image.image().size(), " bytes would make a ", frame_bytes,
                   "-byte gateway frame (base64), over the bridge's limit of ",
                   limits.max_frame_bytes, " bytes (--max_frame_bytes)"));
}

}  // namespace wxbridge::rpc
