#include "server/rpc/bridge_service.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/protocol/command_builder.h"
#include "server/rpc/status_mapping.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;
using wxbridge::v1::Event;

// The first completing event that has `has`, or nullptr.
template <typename Has>
const Event* FirstReply(const calls::CallResult& result, Has has) {
  for (const auto& stored : result.replies) {
    if (has(stored->event())) return &stored->event();
  }
  return nullptr;
}

void NoExtraFields(const calls::CallResult&, void*) {}

// Login and Logout return the status event that completed them.
template <typename Response>
void FillStatus(const calls::CallResult& result, Response* out) {
  if (const Event* e = FirstReply(result, [](const Event& e) { return e.has_login_status(); })) {
    *out->mutable_status() = e->login_status();
  }
}

// One unary command RPC. It ends when its call does; a client that cancels (or whose
// deadline passes) ends the call at once, so its frame is never written afterwards.
// Freed when both gRPC (OnDone) and the handler (Begin) are finished with it: the call
// may end, and gRPC finish the RPC, before Execute has even returned its id.
class CommandReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit CommandReactor(bridge::GatewayLink* link) : link_(link) {}

  // The call's id, once Execute has returned it.
  void Begin(uint64_t request_id) {
    request_id_ = request_id;
    if (cancelled_) link_->Cancel(request_id);
    Release();
  }
  void OnCancel() override {
    cancelled_ = true;
    if (const uint64_t id = request_id_.load()) link_->Cancel(id);
  }
  void OnDone() override { Release(); }

 private:
  void Release() {
    if (--references_ == 0) delete this;
  }

  bridge::GatewayLink* const link_;
  std::atomic<uint64_t> request_id_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<int> references_{2};
};

// Base64 of n bytes plus the envelope: what a SendImage frame will weigh.
std::size_t ImageFrameBytes(std::size_t image_bytes, std::size_t other_bytes) {
  return (image_bytes + 2) / 3 * 4 + other_bytes + 256;
}

}  // namespace

BridgeServiceImpl::BridgeServiceImpl(bridge::GatewayLink* link, events::EventLog* log,
                                     SubscriberRegistry* subscribers, ServiceOptions options,
                                     SubscribeOptions subscribe_options)
    : link_(link),
      log_(log),
      subscribers_(subscribers),
      options_(std::move(options)),
      subscribe_options_(std::move(subscribe_options)) {}

bridge::GatewayLink::Clock::time_point BridgeServiceImpl::CallDeadline(
    const grpc::CallbackServerContext* context) const {
  const auto now = bridge::GatewayLink::Clock::now();
  const auto client_deadline = context->deadline();
  // No deadline arrives as a far-future time point.
  if (client_deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    return now + options_.default_call_timeout;
  }
  auto remaining =
      std::chrono::duration_cast<milliseconds>(client_deadline - std::chrono::system_clock::now());
  // Answer a little before the caller gives up, so it gets our status (UNAVAILABLE, a
  // partial GetContacts) rather than its own DEADLINE_EXCEEDED. Never longer than
  // max_call_timeout (--max_call_timeout), however far the client's deadline is.
  const milliseconds margin = std::clamp(remaining / 20, milliseconds(20), milliseconds(500));
  remaining = std::clamp(remaining - margin, milliseconds(0), options_.max_call_timeout);
  return now + remaining;
}

template <typename Request, typename Response, typename Fill>
grpc::ServerUnaryReactor* BridgeServiceImpl::RunCommand(grpc::CallbackServerContext* context,
                                                        const Request* request, Response* response,
                                                        Fill fill) {
  return RunCall(context, protocol::BuildCommand(*request, options_.limits), response, fill);
}

template <typename Response, typename Fill>
grpc::ServerUnaryReactor* BridgeServiceImpl::RunCall(grpc::CallbackServerContext* context,
                                                     absl::StatusOr<protocol::Command>&& command,
                                                     Response* response, Fill fill) {
  auto* reactor = new CommandReactor(link_);
  reactor->Begin(link_->Execute(std::move(command), CallDeadline(context),
                                [reactor, response, fill](calls::CallResult result) {
                                  if (result.status.ok()) {
                                    *response->mutable_ack() = result.ack;
                                    fill(result, response);
                                  }
                                  reactor->Finish(ToGrpcStatus(result.status));
                                }));
  return reactor;
}

grpc::ServerUnaryReactor* BridgeServiceImpl::Login(grpc::CallbackServerContext* context,
                                                   const wxbridge::v1::LoginRequest* request,
                                                   wxbridge::v1::LoginResponse* response) {
  return RunCommand(context, request, response, FillStatus<wxbridge::v1::LoginResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::Logout(grpc::CallbackServerContext* context,
                                                    const wxbridge::v1::LogoutRequest* request,
                                                    wxbridge::v1::LogoutResponse* response) {
  return RunCommand(context, request, response, FillStatus<wxbridge::v1::LogoutResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendText(grpc::CallbackServerContext* context,
                                                      const wxbridge::v1::SendTextRequest* request,
                                                      wxbridge::v1::SendTextResponse* response) {
  return RunCommand(context, request, response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendLink(grpc::CallbackServerContext* context,
                                                      const wxbridge::v1::SendLinkRequest* request,
                                                      wxbridge::v1::SendLinkResponse* response) {
  return RunCommand(context, request, response, NoExtraFields);
}

namespace {
template <typename Response>
void FillGroupChange(const calls::CallResult& result, Response* out) {
  if (const Event* e = FirstReply(result, [](const Event& e) { return e.has_group_change(); })) {
    *out->mutable_change() = e->group_change();
  }
}
}  // namespace

grpc::ServerUnaryReactor* BridgeServiceImpl::KickGroupMember(
    grpc::CallbackServerContext* context, const wxbridge::v1::KickGroupMemberRequest* request,
    wxbridge::v1::KickGroupMemberResponse* response) {
  return RunCommand(context, request, response,
                    FillGroupChange<wxbridge::v1::KickGroupMemberResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::InviteToGroup(
    grpc::CallbackServerContext* context, const wxbridge::v1::InviteToGroupRequest* request,
    wxbridge::v1::InviteToGroupResponse* response) {
  return RunCommand(context, request, response,
                    FillGroupChange<wxbridge::v1::InviteToGroupResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::GetContacts(
    grpc::CallbackServerContext* context, const wxbridge::v1::GetContactsRequest* request,
    wxbridge::v1::GetContactsResponse* response) {
  return RunCommand(context, request, response,
                    [](const calls::CallResult& result, wxbridge::v1::GetContactsResponse* out) {
                      for (const auto& stored : result.replies) {
                        if (stored->event().has_contact())
                          *out->add_contacts() = stored->event().contact();
                      }
                      for (const auto& id : result.missing_wx_ids) out->add_missing_wx_ids(id);
                    });
}

grpc::ServerUnaryReactor* BridgeServiceImpl::AcceptFriend(
    grpc::CallbackServerContext* context, const wxbridge::v1::AcceptFriendRequest* request,
    wxbridge::v1::AcceptFriendResponse* response) {
  return RunCommand(context, request, response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendImage(
    grpc::CallbackServerContext* context, const wxbridge::v1::SendImageRequest* request,
    wxbridge::v1::SendImageResponse* response) {
  const std::size_t frame_bytes = ImageFrameBytes(
      request->image().size(), request->account().size() + request->to_user_name().size());
  if (frame_bytes > options_.max_frame_bytes) {
    return RunCall(context,
                   absl::ResourceExhaustedError(absl::StrCat(
                       "image of ", request->image().size(), " bytes would make a ", frame_bytes,
                       "-byte gateway frame (base64), over the bridge's limit of ",
                       options_.max_frame_bytes, " bytes (--max_frame_bytes)")),
                   response, NoExtraFields);
  }
  return RunCommand(context, request, response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::AddFriend(
    grpc::CallbackServerContext* context, const wxbridge::v1::AddFriendRequest* request,
    wxbridge::v1::AddFriendResponse* response) {
  return RunCommand(context, request, response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendRaw(grpc::CallbackServerContext* context,
                                                     const wxbridge::v1::SendRawRequest* request,
                                                     wxbridge::v1::SendRawResponse* response) {
  return RunCommand(context, request, response,
                    [](const calls::CallResult& result, wxbridge::v1::SendRawResponse* out) {
                      if (!result.replies.empty()) {
                        *out->mutable_reply() = result.replies.front()->event();
                      }
                    });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* BridgeServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return StartSubscribe(context, request, subscribe_options_, subscribers_);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::GetStatus(
    grpc::CallbackServerContext* context, const wxbridge::v1::GetStatusRequest* request,
    wxbridge::v1::GetStatusResponse* response) {
  link_->FillStatus(response);
  response->set_embedded_simulator(options_.embedded_simulator);
  response->set_head_seq(log_->head_seq());
  response->set_oldest_seq(log_->oldest_seq());
  response->mutable_counters()->set_subscribers(subscribers_->count());
  response->mutable_counters()->set_events_retained_bytes(log_->retained_bytes());
  response->mutable_counters()->set_events_truncated(log_->truncated_count());
  response->set_bridge_version(options_.bridge_version);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace wxbridge::rpc
