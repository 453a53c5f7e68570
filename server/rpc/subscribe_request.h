// What a SubscribeRequest asks for, validated: the event filter, the resume point and the
// heartbeat interval. Pure; no I/O.
#ifndef WXBRIDGE_SERVER_RPC_SUBSCRIBE_REQUEST_H_
#define WXBRIDGE_SERVER_RPC_SUBSCRIBE_REQUEST_H_

#include <grpcpp/support/status.h>

#include <bitset>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

#include "server/auth/grant.h"
#include "server/events/event_store.h"
#include "server/rpc/subscribe_options.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::rpc {

// Which events a stream delivers. Default: all.
class EventFilter {
 public:
  // Accounts: bridge_state events always pass. Kinds: EVENT_KIND_UNSPECIFIED means "no
  // filter" and is ignored. Both must be valid (see ParseSubscribeRequest).
  void AllowAccount(std::string account) { accounts_.insert(std::move(account)); }
  void AllowKind(wxbridge::v1::EventKind kind);

  bool Matches(const events::RetainedEvent& event) const;

 private:
  std::unordered_set<std::string> accounts_;              // empty: all
  std::bitset<wxbridge::v1::EventKind_ARRAYSIZE> kinds_;  // none set: all
};

struct SubscribeParams {
  EventFilter filter;
  std::optional<uint64_t> after_seq;
  std::chrono::milliseconds heartbeat{0};
  // Events per stream message; above 1, they go as SubscribeResponse.batch.
  std::size_t max_batch = 1;
};

// OK and `params` filled, or INVALID_ARGUMENT saying what is wrong (an unknown kind, a
// negative or malformed heartbeat_interval, more accounts or kinds than the options
// allow). A heartbeat outside the options' bounds is clamped, not refused. An account
// `grant` does not allow is PERMISSION_DENIED; no accounts asked for means all of the
// grant's (so a scoped token's stream never carries another account's events).
grpc::Status ParseSubscribeRequest(const wxbridge::v1::SubscribeRequest& request,
                                   const SubscribeOptions& options, const auth::Grant& grant,
                                   SubscribeParams* params);

// A resume point from another log (its data wiped, or a memory log restarted) or beyond
// this log's `head` is refused: serving it would hand out other events under seqs the
// client already saw, or silently skip to the head. FAILED_PRECONDITION for another
// log_id, OUT_OF_RANGE above the head.
grpc::Status CheckResumePoint(const wxbridge::v1::SubscribeRequest& request,
                              const SubscribeParams& params, const events::EventStore& log,
                              uint64_t head);

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_SUBSCRIBE_REQUEST_H_
