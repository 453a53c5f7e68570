#include "server/cluster/call_forwarder.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/cluster/event_subjects.h"
#include "server/cluster/forwarded_call.h"
#include "server/cluster/nats_status.h"
#include "server/common/log.h"

namespace wxbridge::cluster {
namespace {

using std::chrono::milliseconds;

// Forwarded calls' ids have this bit set; the link's never do.
constexpr uint64_t kForwardedBit = uint64_t{1} << 63;
// How often calls on their way are checked against the lease (a holder that went away).
constexpr milliseconds kHolderCheck{100};
// Sent to the holder as the call's time: it answers a little before the caller's
// deadline, so the caller gets the holder's status rather than its own timeout.
milliseconds HolderTimeLeft(milliseconds left) {
  return left - std::clamp(left / 10, milliseconds(5), milliseconds(200));
}
// How long Stop() waits for NATS to finish a subscription's last callback.
constexpr milliseconds kCallbackDrain{2000};

// Counts subscriptions whose last callback has not returned yet.
class SubscriptionDrain {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++open_;
  }
  bool Wait(milliseconds bound) {
    std::unique_lock<std::mutex> lock(mutex_);
    return done_.wait_for(lock, bound, [this] { return open_ == 0; });
  }
  static void OnComplete(void* closure) {
    auto* drain = static_cast<SubscriptionDrain*>(closure);
    std::lock_guard<std::mutex> lock(drain->mutex_);
    --drain->open_;
    drain->done_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  int open_ = 0;
};

calls::CallResult Failed(absl::Status status) {
  calls::CallResult result;
  result.status = std::move(status);
  return result;
}

void Respond(natsConnection* connection, const std::string& reply, const std::string& data) {
  // A lost answer shows up at the caller as its deadline: nothing better to do here.
  natsConnection_Publish(connection, reply.c_str(), data.data(), static_cast<int>(data.size()));
}

}  // namespace

std::string CallSubject(const std::string& cluster, const std::string& replica_id) {
  return absl::StrCat("wxbridge.", cluster, ".call.", SubjectToken(replica_id));
}

CallForwarder::CallForwarder(CallForwarderOptions options, calls::CommandExecutor* local,
                             std::function<HolderView()> holder)
    : options_(std::move(options)), local_(local), holder_(std::move(holder)) {}

absl::StatusOr<std::unique_ptr<CallForwarder>> CallForwarder::Start(
    CallForwarderOptions options, calls::CommandExecutor* local,
    std::function<HolderView()> holder) {
  std::unique_ptr<CallForwarder> forwarder(
      new CallForwarder(std::move(options), local, std::move(holder)));
  if (absl::Status status = forwarder->Connect(); !status.ok()) return status;
  forwarder->timer_ = std::thread([f = forwarder.get()] { f->Tick(); });
  return forwarder;
}

absl::Status CallForwarder::Connect() {
  absl::StatusOr<std::unique_ptr<NatsConnection>> nats =
      NatsConnection::Connect(options_.nats, /*js_options=*/nullptr);
  if (!nats.ok()) return nats.status();
  nats_ = *std::move(nats);
  natsInbox* inbox = nullptr;
  if (natsStatus s = natsInbox_Create(&inbox); s != NATS_OK) return NatsError(s, "inbox");
  inbox_ = inbox;
  natsInbox_Destroy(inbox);
  const std::string answers = inbox_ + ".*";
  if (natsStatus s = natsConnection_Subscribe(&answers_, nats_->connection(), answers.c_str(),
                                              &CallForwarder::OnAnswerMessage, this);
      s != NATS_OK) {
    return NatsError(s, "subscribe to forwarded calls' answers");
  }
  const std::string requests = CallSubject(options_.cluster, options_.replica_id);
  if (natsStatus s = natsConnection_Subscribe(&requests_, nats_->connection(), requests.c_str(),
                                              &CallForwarder::OnRequestMessage, this);
      s != NATS_OK) {
    return NatsError(s, absl::StrCat("subscribe to ", requests));
  }
  return absl::OkStatus();
}

CallForwarder::~CallForwarder() { Stop(); }

void CallForwarder::Stop() {
  std::map<uint64_t, Pending> left;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    left.swap(pending_);
  }
  wake_.notify_all();
  if (timer_.joinable()) timer_.join();
  if (nats_) {
    // Closing ends both subscriptions; their callbacks check stopping_, and a callback
    // already running finishes before its subscription is destroyed.
    // Leaked when a callback never completes, so that a late one finds it alive.
    auto* drain = new SubscriptionDrain;
    for (natsSubscription* subscription : {requests_, answers_}) {
      if (subscription != nullptr &&
          natsSubscription_SetOnCompleteCB(subscription, &SubscriptionDrain::OnComplete, drain) ==
              NATS_OK) {
        drain->Add();
      }
    }
    nats_->Close();
    if (drain->Wait(kCallbackDrain)) delete drain;
    for (natsSubscription* subscription : {requests_, answers_}) {
      if (subscription != nullptr) natsSubscription_Destroy(subscription);
    }
    requests_ = answers_ = nullptr;
  }
  for (auto& [id, call] : left) {
    call.done(Failed(absl::UnavailableError(
        "wxbridge is shutting down; the call may or may not have reached the gateway")));
  }
}

uint64_t CallForwarder::Execute(absl::StatusOr<protocol::Command> command,
                                Clock::time_point deadline, calls::CallDone done) {
  // Refusals and the holder's own calls go to the link (which counts them).
  if (!command.ok() || holder_().self) {
    return local_->Execute(std::move(command), deadline, std::move(done));
  }
  std::function<void()> after;
  calls::CallDone refused;  // set when stopping: run outside the lock
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      refused = std::move(done);
    } else {
      id = next_id_++ | kForwardedBit;
      Pending& call = pending_[id];
      call.command = *std::move(command);
      call.deadline = deadline;
      call.done = std::move(done);
      forwarded_++;
      after = SendLocked(id, call, Clock::now());
    }
  }
  if (refused) {
    refused(Failed(absl::UnavailableError("wxbridge is shutting down")));
    return 0;
  }
  wake_.notify_one();
  if (after) after();
  return id;
}

std::function<void()> CallForwarder::SendLocked(uint64_t id, Pending& call, Clock::time_point now) {
  const HolderView view = holder_();
  if (view.self) {
    // This replica took the upstream meanwhile: run it here.
    auto run = [this, command = std::move(call.command), deadline = call.deadline,
                done = std::move(call.done)]() mutable {
      local_->Execute(std::move(command), deadline, std::move(done));
    };
    pending_.erase(id);
    return run;
  }
  call.retry_at = now + options_.retry_wait;
  const milliseconds left =
      HolderTimeLeft(std::chrono::duration_cast<milliseconds>(call.deadline - now));
  if (view.holder.empty() || left <= milliseconds(0)) return nullptr;
  const std::string data = EncodeForwardedCommand(call.command, left);
  const std::string reply = absl::StrCat(inbox_, ".", id);
  const std::string subject = CallSubject(options_.cluster, view.holder);
  if (natsConnection_PublishRequest(nats_->connection(), subject.c_str(), reply.c_str(),
                                    data.data(), static_cast<int>(data.size())) == NATS_OK) {
    call.sent_to = view.holder;
    call.retry_at = Clock::time_point::max();
  }
  return nullptr;
}

void CallForwarder::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const Clock::time_point now = Clock::now();
    std::vector<std::pair<calls::CallDone, absl::Status>> failed;
    std::vector<std::function<void()>> runs;
    Clock::time_point next = now + kHolderCheck;
    if (!pending_.empty()) {
      const HolderView view = holder_();
      std::vector<uint64_t> ids;
      ids.reserve(pending_.size());
      for (const auto& entry : pending_) ids.push_back(entry.first);
      for (uint64_t id : ids) {
        Pending& call = pending_.at(id);
        absl::Status why;
        if (now >= call.deadline) {
          why = call.sent_to.empty()
                    ? absl::UnavailableError(absl::StrCat(
                          "no replica of cluster ", options_.cluster,
                          " holds the upstream: none took it before the call's deadline"))
                    : absl::DeadlineExceededError(
                          absl::StrCat("replica ", call.sent_to,
                                       ", which holds the upstream, did not answer in time"));
        } else if (!call.sent_to.empty() && !view.holder.empty() && view.holder != call.sent_to) {
          why = absl::UnavailableError(absl::StrCat(
              "replica ", call.sent_to, " lost the upstream to ", view.holder,
              " while the call was on its way: it may or may not have reached the gateway"));
        } else if (call.sent_to.empty() && now >= call.retry_at) {
          if (auto run = SendLocked(id, call, now)) {
            runs.push_back(std::move(run));
            continue;
          }
        }
        if (!why.ok()) {
          failed.emplace_back(std::move(call.done), std::move(why));
          pending_.erase(id);
          continue;
        }
        next = std::min({next, call.deadline, call.retry_at});
      }
    }
    if (!failed.empty() || !runs.empty()) {
      lock.unlock();
      for (auto& [done, why] : failed) done(Failed(std::move(why)));
      for (auto& run : runs) run();
      lock.lock();
      continue;
    }
    wake_.wait_until(lock, next);
  }
}

void CallForwarder::Complete(uint64_t id, calls::CallResult result) {
  calls::CallDone done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // ended already (deadline, cancel)
    done = std::move(it->second.done);
    pending_.erase(it);
  }
  done(std::move(result));
}

void CallForwarder::Cancel(uint64_t request_id) {
  if ((request_id & kForwardedBit) == 0) {
    local_->Cancel(request_id);
    return;
  }
  // The holder may already run it; the caller is gone, so only its answer is dropped.
  Complete(request_id, Failed(absl::CancelledError("the client cancelled the call")));
}

void CallForwarder::OnAnswerMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
  static_cast<CallForwarder*>(self)->OnAnswer(msg);
  natsMsg_Destroy(msg);
}

void CallForwarder::OnRequestMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* self) {
  static_cast<CallForwarder*>(self)->OnRequest(msg);
  natsMsg_Destroy(msg);
}

void CallForwarder::OnAnswer(natsMsg* msg) {
  const std::string_view subject = natsMsg_GetSubject(msg);
  uint64_t id = 0;
  const std::string_view digits = subject.substr(subject.rfind('.') + 1);
  if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &id)) return;
  const bool no_responders = natsMsg_IsNoResponders(msg);
  absl::StatusOr<ForwardedAnswer> answer(absl::UnknownError(""));
  if (!no_responders) {
    answer = DecodeForwardedAnswer(std::string_view(
        natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
  }
  if (no_responders || (answer.ok() && answer->not_holder)) {
    // Certainly not run: send it again once a holder is known.
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    it->second.sent_to.clear();
    it->second.retry_at = Clock::now() + options_.retry_wait;
    wake_.notify_one();
    return;
  }
  if (!answer.ok()) {
    Log(LogLevel::kError, "cluster", answer.status().message());
    Complete(id, Failed(answer.status()));
    return;
  }
  Complete(id, std::move(answer->result));
}

void CallForwarder::OnRequest(natsMsg* msg) {
  const char* reply_subject = natsMsg_GetReply(msg);
  if (reply_subject == nullptr) return;
  std::string reply = reply_subject;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;  // no answer: the sender's deadline (or a new holder) ends it
  }
  if (!holder_().self) {
    Respond(nats_->connection(), reply, EncodeNotHolder());
    return;
  }
  absl::StatusOr<ForwardedCommand> forwarded = DecodeForwardedCommand(
      std::string_view(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
  if (!forwarded.ok()) {
    Respond(nats_->connection(), reply, EncodeCallResult(Failed(forwarded.status())));
    return;
  }
  served_++;
  natsConnection* connection = nats_->connection();
  local_->Execute(std::move(forwarded->command), Clock::now() + forwarded->time_left,
                  [connection, reply = std::move(reply)](const calls::CallResult& result) {
                    Respond(connection, reply, EncodeCallResult(result));
                  });
}

}  // namespace wxbridge::cluster
