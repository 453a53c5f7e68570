#include "server/calls/call_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/protocol/message_decoder.h"

namespace wxbridge::calls {
namespace {

using wxbridge::v1::Event;

// MsgTypes a gateway reply to a command can have. A message push (MsgType 1, 3, …)
// carries WeChat's own MsgId, which may equal one of ours by chance: never an echo.
bool IsReplyType(const Event& event) {
  if (!event.has_msg_type()) return false;
  const int type = event.msg_type();
  return type == 0 || type == -1 || type == 2 || type == 101;
}

absl::Status GatewayErrorStatus(const Event& event, int code) {
  const auto& error = event.gateway_error();
  if (error.auth_rejected()) return AuthRejectedError();
  return absl::FailedPreconditionError(
      absl::StrCat("the gateway rejected code ", code, ": ", error.message()));
}

// Whether a group notice is the effect a kick (105) or an invite (108) of `group_id`
// waits for: a notice of that group saying so, or one the bridge could not read (a
// wording it does not know), but never one that says something else happened.
bool ConfirmsGroupCall(const Event& event, int code, const std::string& group_id) {
  const wxbridge::v1::GroupChange* change = protocol::GroupChangeOf(event);
  if (change == nullptr || change->group_id() != group_id) return false;
  switch (change->kind()) {
    case wxbridge::v1::GROUP_CHANGE_KIND_OTHER:
      return true;
    case wxbridge::v1::GROUP_CHANGE_KIND_REMOVED:
      return code == protocol::kKickGroupMember;
    case wxbridge::v1::GROUP_CHANGE_KIND_INVITED:
    case wxbridge::v1::GROUP_CHANGE_KIND_JOINED:
      return code == protocol::kInviteToGroup;
    default:
      return false;
  }
}

}  // namespace

absl::Status AuthRejectedError() {
  return absl::UnauthenticatedError(
      "the gateway refused the bridge's authKey (授权码无效); set the right key with "
      "--auth_key_file, WXBRIDGE_AUTH_KEY or --auth_key and restart wxbridge");
}

void CallTable::Add(const protocol::FrameStamp& stamp, const protocol::Command& command,
                    CallDone done) {
  Call call;
  call.stamp = stamp;
  call.code = command.code;
  call.rule = RuleForCode(command.code);
  call.account = command.account;
  call.group_id = command.group_id;
  std::unordered_set<std::string> seen;
  for (const auto& id : command.wx_ids) {
    if (seen.insert(id).second) call.wanted_ids.push_back(id);
  }
  call.done = std::move(done);
  if (!stamp.cmd_id.empty()) by_cmd_id_[stamp.cmd_id] = stamp.msg_id;
  if (WaitsForEffect(call.rule)) effect_waiters_.insert(stamp.msg_id);
  calls_.emplace(stamp.msg_id, std::move(call));
}

bool CallTable::IsWritten(uint64_t msg_id) const {
  auto it = calls_.find(msg_id);
  return it != calls_.end() && it->second.written;
}

void CallTable::OnWritten(uint64_t msg_id) {
  auto it = calls_.find(msg_id);
  if (it == calls_.end()) return;
  it->second.written = true;
  // Where the gateway echoes, even a fire-and-forget command waits for its echoed reply,
  // so that a gateway error reaches the caller.
  if (it->second.rule == CorrelationRule::kOnWrite &&
      ack_mode_ != wxbridge::v1::GATEWAY_ACK_MODE_ECHO) {
    Complete(it, absl::OkStatus(), wxbridge::v1::COMPLETION_WRITTEN, 0);
  }
}

void CallTable::OnEvent(const events::StoredEventPtr& event) {
  if (calls_.empty() && written_unechoed_.empty()) return;
  if (MatchEcho(event)) return;
  MatchEffect(event);
}

bool CallTable::MatchEcho(const events::StoredEventPtr& stored) {
  const Event& event = stored->event();
  auto it = calls_.end();
  if (!event.cmd_id().empty()) {
    auto by_cmd = by_cmd_id_.find(event.cmd_id());
    if (by_cmd != by_cmd_id_.end()) it = calls_.find(by_cmd->second);
  }
  if (it == calls_.end() && event.msg_id() > 0 && IsReplyType(event)) {
    it = calls_.find(static_cast<uint64_t>(event.msg_id()));
    // A reply for another account is not ours, whatever its MsgId.
    if (it != calls_.end() && !event.account().empty() && !it->second.account.empty() &&
        event.account() != it->second.account) {
      it = calls_.end();
    }
  }
  if (it == calls_.end()) return LearnFromLateEcho(event);
  ack_mode_ = wxbridge::v1::GATEWAY_ACK_MODE_ECHO;
  it->second.echoed = true;
  Answer(it, stored, /*echoed=*/true);
  return true;
}

bool CallTable::LearnFromLateEcho(const Event& event) {
  if (ack_mode_ != wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED || event.cmd_id().empty())
    return false;
  auto found = std::find(written_unechoed_.begin(), written_unechoed_.end(), event.cmd_id());
  if (found == written_unechoed_.end()) return false;
  written_unechoed_.erase(found);
  ack_mode_ = wxbridge::v1::GATEWAY_ACK_MODE_ECHO;
  return true;
}

void CallTable::MatchEffect(const events::StoredEventPtr& stored) {
  const Event& event = stored->event();
  const bool relevant = event.has_login_status() || event.has_contact() ||
                        protocol::GroupChangeOf(event) != nullptr || event.has_gateway_error();
  if (!relevant || effect_waiters_.empty() || event.account().empty()) return;
  // Where the gateway echoes, its errors are echoed too: an unechoed one is not ours.
  if (event.has_gateway_error() && ack_mode_ == wxbridge::v1::GATEWAY_ACK_MODE_ECHO) return;

  // Oldest call first, so that one error fails one call.
  for (auto it = calls_.begin(); it != calls_.end();) {
    auto next = std::next(it);
    const Call& call = it->second;
    if (effect_waiters_.count(it->first) && call.written && call.account == event.account()) {
      const bool done = Answer(it, stored, /*echoed=*/false);
      if (done && event.has_gateway_error()) return;
    }
    it = next;
  }
}

bool CallTable::Answer(CallMap::iterator it, const events::StoredEventPtr& stored, bool echoed) {
  const Event& event = stored->event();
  Call& call = it->second;
  const auto completion =
      echoed ? wxbridge::v1::COMPLETION_ECHOED : wxbridge::v1::COMPLETION_EFFECT;
  if (event.has_gateway_error()) {
    call.replies.push_back(stored);
    Complete(it, GatewayErrorStatus(event, call.code), completion, event.seq());
    return true;
  }
  bool complete = false;
  switch (call.rule) {
    case CorrelationRule::kContacts:
      if (event.has_contact()) {
        const std::string& name = event.contact().user_name();
        for (const auto& wanted : call.wanted_ids) {
          if (wanted == name && !call.found.count(name)) {
            call.found.emplace(name, stored);
            break;
          }
        }
      }
      complete = call.found.size() == call.wanted_ids.size();
      break;
    case CorrelationRule::kLoginStatus:
      complete = event.has_login_status() || echoed;
      break;
    case CorrelationRule::kLogoutStatus:
      complete = echoed || (event.has_login_status() &&
                            event.login_status().status() == wxbridge::v1::LOGIN_STATUS_LOGGED_OUT);
      break;
    case CorrelationRule::kGroupChange:
      complete = echoed || ConfirmsGroupCall(event, call.code, call.group_id);
      break;
    case CorrelationRule::kOnWrite:
    case CorrelationRule::kEchoOnly:
      complete = echoed;
      break;
  }
  if (!complete) return false;
  if (!echoed && ack_mode_ == wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED) {
    ack_mode_ = wxbridge::v1::GATEWAY_ACK_MODE_NONE;
  }
  if (call.rule != CorrelationRule::kContacts) call.replies.push_back(stored);
  Complete(it, absl::OkStatus(), completion, event.seq());
  return true;
}

void CallTable::Expire(uint64_t msg_id, bool unsent, const absl::Status& unsent_status) {
  auto it = calls_.find(msg_id);
  if (it == calls_.end()) return;
  const Call& call = it->second;
  if (!call.written && unsent) {
    Complete(it, unsent_status, wxbridge::v1::COMPLETION_UNSPECIFIED, 0);
  } else if (!call.written) {
    Complete(it,
             absl::DeadlineExceededError(absl::StrCat(
                 "the deadline came while the frame of code ", call.code, " (request_id ",
                 call.stamp.msg_id, ") was being written: the gateway may still receive it")),
             wxbridge::v1::COMPLETION_UNSPECIFIED, 0);
  } else if (call.rule == CorrelationRule::kContacts) {
    Complete(it, absl::OkStatus(), wxbridge::v1::COMPLETION_PARTIAL, 0);
  } else if (call.rule == CorrelationRule::kOnWrite) {
    // Written to a gateway that echoes but did not echo this one: it was sent.
    Complete(it, absl::OkStatus(), wxbridge::v1::COMPLETION_WRITTEN, 0);
  } else {
    Complete(it,
             absl::DeadlineExceededError(absl::StrCat("the gateway did not answer code ", call.code,
                                                      " (request_id ", call.stamp.msg_id,
                                                      ") before the deadline; the frame was sent")),
             wxbridge::v1::COMPLETION_UNSPECIFIED, 0);
  }
}

void CallTable::Fail(uint64_t msg_id, const absl::Status& status) {
  auto it = calls_.find(msg_id);
  if (it != calls_.end()) Complete(it, status, wxbridge::v1::COMPLETION_UNSPECIFIED, 0);
}

void CallTable::MarkResent(uint64_t msg_id) {
  auto it = calls_.find(msg_id);
  if (it != calls_.end()) it->second.resent = true;
}

void CallTable::MarkHeld(uint64_t msg_id, std::chrono::nanoseconds held) {
  auto it = calls_.find(msg_id);
  if (it != calls_.end()) it->second.held = held;
}

void CallTable::FailAll(const absl::Status& status) {
  while (!calls_.empty()) {
    Complete(calls_.begin(), status, wxbridge::v1::COMPLETION_UNSPECIFIED, 0);
  }
}

void CallTable::Complete(CallMap::iterator it, absl::Status status,
                         wxbridge::v1::Completion completion, uint64_t reply_seq) {
  Call call = std::move(it->second);
  calls_.erase(it);
  by_cmd_id_.erase(call.stamp.cmd_id);
  effect_waiters_.erase(call.stamp.msg_id);
  if (completion == wxbridge::v1::COMPLETION_WRITTEN &&
      ack_mode_ == wxbridge::v1::GATEWAY_ACK_MODE_UNSPECIFIED && !call.stamp.cmd_id.empty()) {
    constexpr std::size_t kRemembered = 64;
    written_unechoed_.push_back(call.stamp.cmd_id);
    if (written_unechoed_.size() > kRemembered) written_unechoed_.pop_front();
  }

  CallResult result;
  result.status = std::move(status);
  result.ack.set_request_id(call.stamp.msg_id);
  result.ack.set_cmd_id(call.stamp.cmd_id);
  result.ack.set_gateway_acknowledged(call.echoed);
  result.ack.set_completion(completion);
  result.ack.set_reply_seq(reply_seq);
  result.ack.set_resent(call.resent);
  if (call.held.count() > 0) {
    *result.ack.mutable_held() =
        google::protobuf::util::TimeUtil::NanosecondsToDuration(call.held.count());
  }
  result.replies = std::move(call.replies);
  for (const auto& id : call.wanted_ids) {
    auto found = call.found.find(id);
    if (found == call.found.end()) {
      result.missing_wx_ids.push_back(id);
    } else {
      result.replies.push_back(found->second);
    }
  }
  if (call.done) call.done(std::move(result));
}

}  // namespace wxbridge::calls
