// Calls on any replica (docs/cluster.md): a replica that does not hold the upstream
// sends each command to the holder by NATS request/reply, and the holder runs it on its
// gateway link and answers with the CallResult (forwarded_call.h). Correlation with the
// gateway's events stays on the holder.
//
// - Every replica serves requests on wxbridge.<cluster>.call.<its replica id>, and runs
//   one only while the lease says it holds the upstream; otherwise it answers "not the
//   holder" and the sender looks again.
// - A command is sent once. It is sent again only when it certainly did not run: NATS
//   found no responder, or the replica answered "not the holder".
// - With no holder, a call waits for one until its deadline and then fails UNAVAILABLE.
//   A holder that dies or loses the lease while a call is on its way fails that call
//   UNAVAILABLE at once (it may or may not have reached the gateway); one that does
//   not answer in time fails it DEADLINE_EXCEEDED.
#ifndef WXBRIDGE_SERVER_CLUSTER_CALL_FORWARDER_H_
#define WXBRIDGE_SERVER_CLUSTER_CALL_FORWARDER_H_

#include <nats/nats.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "server/calls/command_executor.h"
#include "server/cluster/jetstream_config.h"
#include "server/cluster/nats_connection.h"

namespace wxbridge::cluster {

// Who holds the upstream now, as the lease says.
struct HolderView {
  bool self = false;   // this replica
  std::string holder;  // the holder's replica id; "" when none is known
};

struct CallForwarderOptions {
  NatsConnectionOptions nats;
  std::string cluster;
  std::string replica_id;  // this replica's id in the lease
  // How soon a call that found no holder looks again.
  std::chrono::milliseconds retry_wait{100};
};

// The NATS subject a replica serves calls on (the id made one token: SubjectToken).
std::string CallSubject(const std::string& cluster, const std::string& replica_id);

class CallForwarder final : public calls::CommandExecutor {
 public:
  // `local` runs commands on this replica (its gateway link); `holder` reads the lease.
  // Both outlive the forwarder.
  static absl::StatusOr<std::unique_ptr<CallForwarder>> Start(CallForwarderOptions options,
                                                              calls::CommandExecutor* local,
                                                              std::function<HolderView()> holder);
  ~CallForwarder() override;  // Stop()

  uint64_t Execute(absl::StatusOr<protocol::Command> command, Clock::time_point deadline,
                   calls::CallDone done) override;
  void Cancel(uint64_t request_id) override;

  // Fails every forwarded call still waiting (UNAVAILABLE), stops serving and closes the
  // connection. Idempotent.
  void Stop();

  uint64_t forwarded() const { return forwarded_.load(); }
  uint64_t served() const { return served_.load(); }
  bool connected() const { return nats_ && nats_->connected(); }

 private:
  struct Pending {
    protocol::Command command;
    Clock::time_point deadline;
    calls::CallDone done;
    std::string sent_to;  // the holder it is waiting for; "" while not sent
    Clock::time_point retry_at;
  };

  CallForwarder(CallForwarderOptions options, calls::CommandExecutor* local,
                std::function<HolderView()> holder);
  absl::Status Connect();
  // Sends (or re-queues) every call due now; completes those past their deadline or whose
  // holder went away. Runs on the timer thread.
  void Tick();
  // Sends call `id` to the holder, runs it here when this replica became the holder, or
  // schedules a retry when there is none. Called with mutex_ held; what must run outside
  // it is returned.
  std::function<void()> SendLocked(uint64_t id, Pending& call, Clock::time_point now);
  void Complete(uint64_t id, calls::CallResult result);
  void OnAnswer(natsMsg* msg);
  void OnRequest(natsMsg* msg);
  static void OnAnswerMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self);
  static void OnRequestMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self);

  const CallForwarderOptions options_;
  calls::CommandExecutor* const local_;
  const std::function<HolderView()> holder_;
  std::unique_ptr<NatsConnection> nats_;
  natsSubscription* requests_ = nullptr;
  natsSubscription* answers_ = nullptr;
  std::string inbox_;  // answers arrive on <inbox>.<call id>

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Pending> pending_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread timer_;

  std::atomic<uint64_t> forwarded_{0};
  std::atomic<uint64_t> served_{0};
};

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_CALL_FORWARDER_H_
