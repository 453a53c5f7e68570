#include "server/rpc/command_core.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/protocol/command_builder.h"
#include "server/rpc/call_access.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;

// Every command response carries the events that completed its call, whole (raw_json
// included), so nothing the typed fields miss is out of a caller's reach.
template <typename Response>
void AddReplies(const calls::CallResult& result, Response* out) {
  for (const auto& stored : result.replies) *out->add_replies() = stored->event();
}
// SendRaw has its own reply field.
void AddReplies(const calls::CallResult&, v1::SendRawResponse*) {}

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

}  // namespace

CommandCore::CommandCore(bridge::GatewayLink* link, events::EventStore* log,
                         const SubscriberRegistry* subscribers,
                         const auth::TokenAuthenticator* authenticator, ServiceOptions options)
    : link_(link),
      executor_(options.executor != nullptr ? options.executor : link),
      log_(log),
      subscribers_(subscribers),
      authenticator_(authenticator),
      options_(std::move(options)) {}

absl::StatusOr<std::shared_ptr<const auth::Grant>> CommandCore::Authorize(
    std::string_view authorization, std::string_view method, std::string* token_name) const {
  absl::StatusOr<std::shared_ptr<const auth::Grant>> grant =
      authenticator_->Authenticate(authorization);
  if (!grant.ok()) return grant;
  if (token_name != nullptr) *token_name = (*grant)->name;
  if (absl::Status status = (*grant)->CheckMethod(method); !status.ok()) return status;
  return grant;
}

template <typename Method>
uint64_t CommandCore::Run(const Caller& caller, Parse<typename Method::Request> parse,
                          Clock::time_point deadline, Done<typename Method::Response> done) {
  using Request = typename Method::Request;
  using Response = typename Method::Response;
  const bool audited = AuditEnabled();
  AuditRecord audit;
  if (audited) {
    audit.method = Method::kName;
    audit.peer = std::string(caller.peer);
  }
  auto grant = Authorize(caller.authorization, Method::kName, audited ? &audit.token : nullptr);
  absl::Status status = grant.status();
  Request request;
  if (status.ok()) status = parse(&request);
  if (status.ok()) {
    if (audited) {
      audit.account = AuditAccount(request);
      audit.target = AuditTarget(request);
    }
    status = CheckScope(**grant, request);
  }
  if (status.ok()) status = Method::Check(CommandLimits{options_.max_frame_bytes}, request);
  absl::StatusOr<protocol::Command> command =
      status.ok() ? protocol::BuildCommand(request, options_.limits)
                  : absl::StatusOr<protocol::Command>(std::move(status));
  // Refusals go through Execute too, so every call is counted the same way.
  return executor_->Execute(
      std::move(command), deadline,
      [done = std::move(done), audit = std::move(audit)](calls::CallResult result) {
        LogAudit(audit, result.status);
        if (!result.status.ok()) {
          done(result.status, nullptr);
          return;
        }
        Response response;
        *response.mutable_ack() = std::move(result.ack);
        Method::Fill(result, &response);
        AddReplies(result, &response);
        done(result.status, &response);
      });
}

// Every command method's Run, compiled here once.
#define WXBRIDGE_INSTANTIATE_RUN(Method)                                            \
  template uint64_t CommandCore::Run<Method>(const Caller&, Parse<Method::Request>, \
                                             Clock::time_point, Done<Method::Response>);
WXBRIDGE_INSTANTIATE_RUN(LoginMethod)
WXBRIDGE_INSTANTIATE_RUN(LogoutMethod)
WXBRIDGE_INSTANTIATE_RUN(SendTextMethod)
WXBRIDGE_INSTANTIATE_RUN(SendLinkMethod)
WXBRIDGE_INSTANTIATE_RUN(KickGroupMemberMethod)
WXBRIDGE_INSTANTIATE_RUN(GetContactsMethod)
WXBRIDGE_INSTANTIATE_RUN(AcceptFriendMethod)
WXBRIDGE_INSTANTIATE_RUN(InviteToGroupMethod)
WXBRIDGE_INSTANTIATE_RUN(SendImageMethod)
WXBRIDGE_INSTANTIATE_RUN(AddFriendMethod)
WXBRIDGE_INSTANTIATE_RUN(SendRawMethod)
#undef WXBRIDGE_INSTANTIATE_RUN

absl::Status CommandCore::GetStatus(const Caller& caller,
                                    absl::FunctionRef<absl::Status(v1::GetStatusRequest*)> parse,
                                    v1::GetStatusResponse* out) const {
  std::string token = "-";
  absl::StatusOr<std::shared_ptr<const auth::Grant>> grant =
      Authorize(caller.authorization, "GetStatus", &token);
  if (!grant.ok()) {
    LogRefusedRead("GetStatus", token, caller.peer, grant.status());
    return grant.status();
  }
  v1::GetStatusRequest request;
  if (absl::Status parsed = parse(&request); !parsed.ok()) return parsed;
  link_->FillStatus(out);
  if (const auth::NameScope& scope = (*grant)->accounts; !scope.all()) {
    auto* accounts = out->mutable_accounts();
    accounts->erase(std::remove_if(accounts->begin(), accounts->end(),
                                   [&scope](const v1::AccountStatus& account) {
                                     return !scope.Allows(account.account());
                                   }),
                    accounts->end());
  }
  out->set_embedded_simulator(options_.embedded_simulator);
  out->set_head_seq(log_->head_seq());
  out->set_oldest_seq(log_->oldest_seq());
  out->mutable_counters()->set_subscribers(subscribers_->count());
  out->mutable_counters()->set_events_retained_bytes(log_->retained_bytes());
  out->mutable_counters()->set_events_truncated(log_->truncated_count());
  out->mutable_counters()->set_requests_unparseable(parser_.unparseable());
  out->set_bridge_version(options_.bridge_version);
  out->set_log_id(log_->log_id());
  if (options_.cluster_status) {
    options_.cluster_status(out->mutable_cluster());
  } else {
    out->mutable_cluster()->set_role(v1::CLUSTER_ROLE_STANDALONE);
  }
  return absl::OkStatus();
}

CommandCore::Clock::time_point CommandCore::Deadline(std::optional<milliseconds> remaining) const {
  const Clock::time_point now = Clock::now();
  if (!remaining) return now + options_.default_call_timeout;
  // Answer a little before the caller gives up, so it gets our status (UNAVAILABLE, a
  // partial GetContacts) rather than its own DEADLINE_EXCEEDED.
  const milliseconds margin = std::clamp(*remaining / 20, milliseconds(20), milliseconds(500));
  return now + std::clamp(*remaining - margin, milliseconds(0), options_.max_call_timeout);
}

}  // namespace wxbridge::rpc
