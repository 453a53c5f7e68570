// The accounts the bridge has seen and their last login status, for GetStatus.
// Written from the upstream I/O thread, read from gRPC threads.
#ifndef WXBRIDGE_SERVER_BRIDGE_ACCOUNT_BOOK_H_
#define WXBRIDGE_SERVER_BRIDGE_ACCOUNT_BOOK_H_

#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/events/event_store.h"
#include "wxbridge/v1/bridge_service.pb.h"

namespace wxbridge::bridge {

class AccountBook {
 public:
  // Records the status carried by a login_status event (others are ignored).
  void Observe(const wxbridge::v1::Event& event);
  // Observes every login_status event `log` retains, oldest first: after a restart on a
  // durable log, GetStatus shows the accounts it showed before.
  // An error when the log could not be read.
  absl::Status Restore(const events::EventStore& log);
  // Observes the login statuses logged after `after_seq` (from the oldest retained when
  // those were dropped); returns the seq read up to.
  absl::StatusOr<uint64_t> ObserveAfter(const events::EventStore& log, uint64_t after_seq);
  void FillStatus(wxbridge::v1::GetStatusResponse* response) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, wxbridge::v1::AccountStatus> accounts_;  // sorted by account
};

}  // namespace wxbridge::bridge

#endif  // WXBRIDGE_SERVER_BRIDGE_ACCOUNT_BOOK_H_
