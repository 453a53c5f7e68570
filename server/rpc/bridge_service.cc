#include "server/rpc/bridge_service.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "server/protocol/command_builder.h"
#include "server/protocol/message_decoder.h"
#include "server/rpc/status_mapping.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;
using v1::Event;

// The first completing event that has `has`, or nullptr.
template <typename Has>
const Event* FirstReply(const calls::CallResult& result, Has has) {
  for (const auto& stored : result.replies) {
    if (has(stored->event())) return &stored->event();
  }
  return nullptr;
}

void NoExtraFields(const calls::CallResult&, void*) {}

// Every command response carries the events that completed its call, whole (raw_json
// included), so nothing the typed fields miss is out of a caller's reach.
template <typename Response>
void AddReplies(const calls::CallResult& result, Response* out) {
  for (const auto& stored : result.replies) *out->add_replies() = stored->event();
}
// SendRaw has its own reply field.
void AddReplies(const calls::CallResult&, v1::SendRawResponse*) {}

// Reads change nothing, so only their refusals are audited (who tried to read).
void AuditRefusal(const grpc::CallbackServerContext& context, const char* method,
                  const std::string& token, const absl::Status& status) {
  if (!AuditEnabled()) return;
  AuditRecord audit;
  audit.token = token;
  audit.method = method;
  audit.peer = context.peer();
  LogAudit(audit, status);
}

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
template <typename Response>
class CommandReactor final : public grpc::ServerUnaryReactor {
 public:
  CommandReactor(bridge::GatewayLink* link, grpc::ByteBuffer* answer)
      : link_(link), answer_(answer) {}

  // The call's id, once Execute has returned it.
  void Begin(uint64_t request_id) {
    request_id_ = request_id;
    if (cancelled_) link_->Cancel(request_id);
    Release();
  }
  // Ends the RPC; on OK with `response` as the answer. Called once.
  void Complete(const absl::Status& status) {
    if (status.ok()) *answer_ = SerializeMessage(response);
    Finish(ToGrpcStatus(status));
  }
  void OnCancel() override {
    cancelled_ = true;
    if (const uint64_t id = request_id_.load()) link_->Cancel(id);
  }
  void OnDone() override { Release(); }

  Response response;

 private:
  void Release() {
    if (--references_ == 0) delete this;
  }

  bridge::GatewayLink* const link_;
  grpc::ByteBuffer* const answer_;  // gRPC's, valid until OnDone
  std::atomic<uint64_t> request_id_{0};
  std::atomic<bool> cancelled_{false};
  std::atomic<int> references_{2};
};

absl::Status NoCheck(const google::protobuf::MessageLite&) { return absl::OkStatus(); }

// The account a request acts on, checked against the caller's grant.
template <typename Request>
absl::Status CheckScope(const auth::Grant& grant, const Request& request) {
  return grant.CheckAccount(request.account());
}
absl::Status CheckScope(const auth::Grant& grant, const v1::SendRawRequest&) {
  return grant.CheckAllAccounts("SendRaw");
}

// The target the audit line names: the user, group or contact a call acts on.
template <typename Request>
std::string AuditTarget(const Request&) {
  return "";
}
std::string AuditTarget(const v1::SendTextRequest& r) { return r.to_user_name(); }
std::string AuditTarget(const v1::SendLinkRequest& r) { return r.to_user_name(); }
std::string AuditTarget(const v1::SendImageRequest& r) { return r.to_user_name(); }
std::string AuditTarget(const v1::KickGroupMemberRequest& r) {
  return absl::StrCat(r.group_id(), " ", r.user_id());
}
std::string AuditTarget(const v1::InviteToGroupRequest& r) {
  return absl::StrCat(r.group_id(), " ", r.wx_id());
}
std::string AuditTarget(const v1::GetContactsRequest& r) {
  if (r.wx_ids_size() == 0) return "";
  if (r.wx_ids_size() == 1) return r.wx_ids(0);
  return absl::StrCat(r.wx_ids(0), " and ", r.wx_ids_size() - 1, " more");
}
std::string AuditTarget(const v1::AcceptFriendRequest& r) { return r.entry_name(); }
std::string AuditTarget(const v1::AddFriendRequest& r) { return r.user_key(); }
std::string AuditTarget(const v1::SendRawRequest& r) { return absl::StrCat("code ", r.code()); }

// The account the audit line names (SendRaw's data is free-form: none).
template <typename Request>
std::string AuditAccount(const Request& r) {
  return r.account();
}
std::string AuditAccount(const v1::SendRawRequest&) { return ""; }

// Base64 of n bytes plus the envelope: what a SendImage frame will weigh.
std::size_t ImageFrameBytes(std::size_t image_bytes, std::size_t other_bytes) {
  return (image_bytes + 2) / 3 * 4 + other_bytes + 256;
}

}  // namespace

BridgeServiceImpl::BridgeServiceImpl(bridge::GatewayLink* link, events::EventStore* log,
                                     SubscriberRegistry* subscribers,
                                     const auth::TokenAuthenticator* authenticator,
                                     ServiceOptions options, SubscribeOptions subscribe_options)
    : link_(link),
      log_(log),
      subscribers_(subscribers),
      authenticator_(authenticator),
      options_(std::move(options)),
      subscribe_options_(std::move(subscribe_options)) {
  subscribe_options_.parser = &parser_;
}

std::set<std::string> BridgeServiceImpl::MethodNames() {
  std::set<std::string> names;
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::BridgeService::service_full_name());
  for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
    names.insert(service->method(i)->name());
  }
  return names;
}

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

template <typename Request, typename Response, typename Fill, typename Check>
grpc::ServerUnaryReactor* BridgeServiceImpl::RunCommand(const char* method,
                                                        grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response, Fill fill,
                                                        Check check) {
  const bool audited = AuditEnabled();
  AuditRecord audit;
  if (audited) {
    audit.method = method;
    audit.peer = context->peer();
  }
  auto grant = AuthorizeCall(*context, *authenticator_, method, audited ? &audit.token : nullptr);
  absl::Status status = grant.status();
  Request parsed;
  if (status.ok()) status = parser_.Parse(*request, &parsed);
  if (status.ok()) {
    if (audited) {
      audit.account = AuditAccount(parsed);
      audit.target = AuditTarget(parsed);
    }
    status = CheckScope(**grant, parsed);
  }
  if (status.ok()) status = check(parsed);
  if (!status.ok()) {
    return RunCall<Response>(context, std::move(status), response, fill, std::move(audit));
  }
  return RunCall<Response>(context, protocol::BuildCommand(parsed, options_.limits), response, fill,
                           std::move(audit));
}

template <typename Request, typename Response, typename Fill>
grpc::ServerUnaryReactor* BridgeServiceImpl::RunCommand(const char* method,
                                                        grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response, Fill fill) {
  return RunCommand<Request, Response>(method, context, request, response, fill, NoCheck);
}

template <typename Response, typename Fill>
grpc::ServerUnaryReactor* BridgeServiceImpl::RunCall(grpc::CallbackServerContext* context,
                                                     absl::StatusOr<protocol::Command>&& command,
                                                     grpc::ByteBuffer* response, Fill fill,
                                                     AuditRecord audit) {
  auto* reactor = new CommandReactor<Response>(link_, response);
  reactor->Begin(
      link_->Execute(std::move(command), CallDeadline(context),
                     [reactor, fill, audit = std::move(audit)](calls::CallResult result) {
                       LogAudit(audit, result.status);
                       if (result.status.ok()) {
                         *reactor->response.mutable_ack() = result.ack;
                         fill(result, &reactor->response);
                         AddReplies(result, &reactor->response);
                       }
                       reactor->Complete(result.status);
                     }));
  return reactor;
}

grpc::ServerUnaryReactor* BridgeServiceImpl::Login(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request,
                                                   grpc::ByteBuffer* response) {
  return RunCommand<v1::LoginRequest, v1::LoginResponse>("Login", context, request, response,
                                                         FillStatus<v1::LoginResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::Logout(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  return RunCommand<v1::LogoutRequest, v1::LogoutResponse>("Logout", context, request, response,
                                                           FillStatus<v1::LogoutResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendText(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* response) {
  return RunCommand<v1::SendTextRequest, v1::SendTextResponse>("SendText", context, request,
                                                               response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendLink(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* request,
                                                      grpc::ByteBuffer* response) {
  return RunCommand<v1::SendLinkRequest, v1::SendLinkResponse>("SendLink", context, request,
                                                               response, NoExtraFields);
}

namespace {
template <typename Response>
void FillGroupChange(const calls::CallResult& result, Response* out) {
  const auto carries_change = [](const Event& e) { return protocol::GroupChangeOf(e) != nullptr; };
  if (const Event* e = FirstReply(result, carries_change)) {
    *out->mutable_change() = protocol::GroupChangeWithHeader(*e);
  }
}
}  // namespace

grpc::ServerUnaryReactor* BridgeServiceImpl::KickGroupMember(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return RunCommand<v1::KickGroupMemberRequest, v1::KickGroupMemberResponse>(
      "KickGroupMember", context, request, response, FillGroupChange<v1::KickGroupMemberResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::InviteToGroup(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  return RunCommand<v1::InviteToGroupRequest, v1::InviteToGroupResponse>(
      "InviteToGroup", context, request, response, FillGroupChange<v1::InviteToGroupResponse>);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::GetContacts(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  return RunCommand<v1::GetContactsRequest, v1::GetContactsResponse>(
      "GetContacts", context, request, response,
      [](const calls::CallResult& result, v1::GetContactsResponse* out) {
        for (const auto& stored : result.replies) {
          if (stored->event().has_contact()) *out->add_contacts() = stored->event().contact();
        }
        for (const auto& id : result.missing_wx_ids) out->add_missing_wx_ids(id);
      });
}

grpc::ServerUnaryReactor* BridgeServiceImpl::AcceptFriend(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return RunCommand<v1::AcceptFriendRequest, v1::AcceptFriendResponse>(
      "AcceptFriend", context, request, response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendImage(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  // Refused before the image is base64-encoded, which would cost more than the check.
  auto fits = [max_frame_bytes = options_.max_frame_bytes](const v1::SendImageRequest& image) {
    const std::size_t frame_bytes =
        ImageFrameBytes(image.image().size(), image.account().size() + image.to_user_name().size());
    if (frame_bytes <= max_frame_bytes) return absl::OkStatus();
    return absl::ResourceExhaustedError(
        absl::StrCat("image of ", image.image().size(), " bytes would make a ", frame_bytes,
                     "-byte gateway frame (base64), over the bridge's limit of ", max_frame_bytes,
                     " bytes (--max_frame_bytes)"));
  };
  return RunCommand<v1::SendImageRequest, v1::SendImageResponse>("SendImage", context, request,
                                                                 response, NoExtraFields, fits);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::AddFriend(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return RunCommand<v1::AddFriendRequest, v1::AddFriendResponse>("AddFriend", context, request,
                                                                 response, NoExtraFields);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::SendRaw(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return RunCommand<v1::SendRawRequest, v1::SendRawResponse>(
      "SendRaw", context, request, response,
      [](const calls::CallResult& result, v1::SendRawResponse* out) {
        if (!result.replies.empty()) {
          *out->mutable_reply() = result.replies.front()->event();
        }
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* BridgeServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  std::string token = "-";
  absl::StatusOr<std::shared_ptr<const auth::Grant>> grant =
      AuthorizeCall(*context, *authenticator_, "Subscribe", &token);
  if (!grant.ok()) {
    AuditRefusal(*context, "Subscribe", token, grant.status());
    return FinishedStream(ToGrpcStatus(grant.status()));
  }
  return StartSubscribe(context, request, subscribe_options_, subscribers_, **grant);
}

grpc::ServerUnaryReactor* BridgeServiceImpl::GetStatus(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::string token = "-";
  absl::StatusOr<std::shared_ptr<const auth::Grant>> grant =
      AuthorizeCall(*context, *authenticator_, "GetStatus", &token);
  v1::GetStatusRequest parsed;
  absl::Status refused = grant.status();
  if (!refused.ok()) AuditRefusal(*context, "GetStatus", token, refused);
  if (refused.ok()) refused = parser_.Parse(*request, &parsed);
  if (!refused.ok()) {
    reactor->Finish(ToGrpcStatus(refused));
    return reactor;
  }
  v1::GetStatusResponse status;
  link_->FillStatus(&status);
  if (const auth::NameScope& scope = (*grant)->accounts; !scope.all()) {
    auto* accounts = status.mutable_accounts();
    accounts->erase(std::remove_if(accounts->begin(), accounts->end(),
                                   [&scope](const v1::AccountStatus& account) {
                                     return !scope.Allows(account.account());
                                   }),
                    accounts->end());
  }
  status.set_embedded_simulator(options_.embedded_simulator);
  status.set_head_seq(log_->head_seq());
  status.set_oldest_seq(log_->oldest_seq());
  status.mutable_counters()->set_subscribers(subscribers_->count());
  status.mutable_counters()->set_events_retained_bytes(log_->retained_bytes());
  status.mutable_counters()->set_events_truncated(log_->truncated_count());
  status.mutable_counters()->set_requests_unparseable(parser_.unparseable());
  status.set_bridge_version(options_.bridge_version);
  status.set_log_id(log_->log_id());
  *response = SerializeMessage(status);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace wxbridge::rpc
