#include "server/rpc/subscribe_request.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

// Validates a requested heartbeat interval and clamps it into the options' bounds.
grpc::Status ParseHeartbeat(const wxbridge::v1::SubscribeRequest& request,
                            const SubscribeOptions& options, milliseconds* heartbeat) {
  if (!request.has_heartbeat_interval()) {
    *heartbeat = options.default_heartbeat;
    return grpc::Status::OK;
  }
  const google::protobuf::Duration& d = request.heartbeat_interval();
  if (d.seconds() < 0 || d.nanos() < 0) {
    return Invalid(absl::StrCat("heartbeat_interval must not be negative (got ", d.seconds(), " s ",
                                d.nanos(), " ns)"));
  }
  if (d.nanos() >= 1000000000) {
    return Invalid(
        absl::StrCat("heartbeat_interval.nanos must be below 1e9 (got ", d.nanos(), ")"));
  }
  // Compare in seconds first so a huge value cannot overflow the millisecond count.
  const auto max_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(options.max_heartbeat).count();
  const milliseconds asked = d.seconds() > max_seconds
                                 ? options.max_heartbeat
                                 : milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
  *heartbeat = std::clamp(asked, options.min_heartbeat, options.max_heartbeat);
  return grpc::Status::OK;
}

}  // namespace

void EventFilter::AllowKind(wxbridge::v1::EventKind kind) {
  if (kind != wxbridge::v1::EVENT_KIND_UNSPECIFIED) kinds_.set(kind);
}

bool EventFilter::Matches(const events::RetainedEvent& event) const {
  if (kinds_.any() && !kinds_.test(event.kind)) return false;
  if (accounts_.empty() || event.kind == wxbridge::v1::EVENT_KIND_BRIDGE_STATE) return true;
  return accounts_.count(event.account) > 0;
}

grpc::Status ParseSubscribeRequest(const wxbridge::v1::SubscribeRequest& request,
                                   const SubscribeOptions& options, const auth::Grant& grant,
                                   SubscribeParams* params) {
  // Counted before anything is copied: a hostile filter must not cost memory.
  if (static_cast<std::size_t>(request.accounts_size()) > options.max_accounts) {
    return Invalid(absl::StrCat("accounts has ", request.accounts_size(),
                                " entries, over the limit of ", options.max_accounts,
                                " (--max_subscribe_accounts)"));
  }
  if (static_cast<std::size_t>(request.kinds_size()) > options.max_kinds) {
    return Invalid(absl::StrCat("kinds has ", request.kinds_size(), " entries, over the limit of ",
                                options.max_kinds, " (--max_subscribe_kinds)"));
  }
  for (int kind : request.kinds()) {
    if (!wxbridge::v1::EventKind_IsValid(kind)) {
      return Invalid(absl::StrCat("kinds: ", kind, " is not a known EventKind"));
    }
    params->filter.AllowKind(static_cast<wxbridge::v1::EventKind>(kind));
  }
  for (const std::string& account : request.accounts()) {
    if (absl::Status allowed = grant.CheckAccount(account); !allowed.ok()) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::string(allowed.message()));
    }
    params->filter.AllowAccount(account);
  }
  if (request.accounts().empty() && !grant.accounts.all()) {
    for (const std::string& account : grant.accounts.names()) params->filter.AllowAccount(account);
  }
  if (request.has_after_seq()) params->after_seq = request.after_seq();
  params->max_batch = std::max<std::size_t>(request.max_batch(), 1);
  return ParseHeartbeat(request, options, &params->heartbeat);
}

grpc::Status CheckResumePoint(const wxbridge::v1::SubscribeRequest& request,
                              const SubscribeParams& params, const events::EventStore& log,
                              uint64_t head) {
  const std::string log_id = log.log_id();
  if (request.has_log_id() && request.log_id() != log_id) {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("log_id \"", request.log_id(), "\" is not this bridge's event log \"", log_id,
                     "\" (its data was wiped, or a memory log restarted): subscribe again "
                     "without after_seq and log_id, and reconcile from GetStatus"));
  }
  if (params.after_seq && *params.after_seq > head) {
    return grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                        absl::StrCat("after_seq ", *params.after_seq, " is above the head ", head,
                                     " of event log \"", log_id,
                                     "\": it is from another log; subscribe again without it"));
  }
  return grpc::Status::OK;
}

}  // namespace wxbridge::rpc
