// Where a built command goes to be run: the gateway link on the replica that holds the
// upstream, or (cluster mode, docs/cluster.md) a forwarder to that replica. The service
// core (server/rpc/command_core.h) only sees this.
#ifndef WXBRIDGE_SERVER_CALLS_COMMAND_EXECUTOR_H_
#define WXBRIDGE_SERVER_CALLS_COMMAND_EXECUTOR_H_

#include <chrono>
#include <cstdint>

#include "absl/status/statusor.h"
#include "server/calls/call_table.h"
#include "server/protocol/command_builder.h"

namespace wxbridge::calls {

class CommandExecutor {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~CommandExecutor() = default;

  // Runs `command` (or ends at once with its error); `done` runs exactly once, when the
  // call completes or at `deadline`, on any thread. Returns the id to Cancel() it with
  // (0 when it has already ended).
  virtual uint64_t Execute(absl::StatusOr<protocol::Command> command, Clock::time_point deadline,
                           CallDone done) = 0;
  // The caller of `request_id` gave up: its frame is never written afterwards.
  virtual void Cancel(uint64_t request_id) = 0;
};

}  // namespace wxbridge::calls

#endif  // WXBRIDGE_SERVER_CALLS_COMMAND_EXECUTOR_H_
