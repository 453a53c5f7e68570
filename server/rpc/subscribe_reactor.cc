#include "server/rpc/subscribe_reactor.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/alarm.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/common/clock.h"
#include "server/events/event_wire.h"
#include "server/rpc/raw_message.h"
#include "server/rpc/status_mapping.h"
#include "server/rpc/subscribe_request.h"

namespace wxbridge::rpc {
namespace {

using google::protobuf::util::TimeUtil;
using wxbridge::v1::SubscribeResponse;
using Clock = std::chrono::steady_clock;

// Lifetime: gRPC holds the reactor through `self_` until OnDone; log wakeups and
// heartbeat alarms hold only weak references, so one that fires late (after OnDone) finds
// the reactor gone, or alive but finishing, and does nothing. Every gRPC call
// (StartWrite, Finish) happens under `mu_` and never after `finishing_`; gRPC runs none
// of this reactor's reactions inline, so holding `mu_` across them is safe.
class SubscribeReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                               public SubscriberRegistry::Stream,
                               public std::enable_shared_from_this<SubscribeReactor> {
 public:
  SubscribeReactor(const SubscribeOptions& options, SubscriberRegistry* registry)
      : log_(options.log),
        wakeups_(options.wakeups),
        read_chunk_(std::max<std::size_t>(options.read_chunk, 1)),
        max_batch_bytes_(options.max_batch_bytes),
        registry_(registry) {}

  // Separate from the constructor: weak_from_this() needs the owning shared_ptr.
  void Start(const grpc::ByteBuffer& raw_request, const SubscribeOptions& options,
             const auth::Grant& grant) {
    self_ = shared_from_this();
    std::lock_guard<std::mutex> lock(mu_);
    if (std::optional<grpc::Status> closed =
            registry_->Add(this, weak_from_this(), options.max_streams)) {
      FinishLocked(*closed);
      return;
    }
    wxbridge::v1::SubscribeRequest request;
    RequestParser own_parser;
    RequestParser* parser = options.parser != nullptr ? options.parser : &own_parser;
    if (absl::Status parsed = parser->Parse(raw_request, &request); !parsed.ok()) {
      FinishLocked(ToGrpcStatus(parsed));
      return;
    }
    if (grpc::Status status = ParseSubscribeRequest(request, options, grant, &params_);
        !status.ok()) {
      FinishLocked(status);
      return;
    }
    // Oldest before head, so the hello never shows oldest > head.
    const uint64_t oldest = log_->oldest_seq();
    const uint64_t head = log_->head_seq();
    if (grpc::Status status = CheckResumePoint(request, params_, *log_, head); !status.ok()) {
      FinishLocked(status);
      return;
    }
    cursor_ = params_.after_seq.value_or(head);
    published_cursor_.store(cursor_, std::memory_order_relaxed);
    wxbridge::v1::StreamHello* hello = owned_.mutable_hello();
    hello->set_log_id(log_->log_id());
    hello->set_upstream_state(options.upstream_state ? options.upstream_state()
                                                     : wxbridge::v1::UPSTREAM_STATE_UNSPECIFIED);
    hello->set_head_seq(head);
    hello->set_oldest_seq(oldest);
    *hello->mutable_heartbeat_interval() = Interval();
    hello->set_bridge_version(options.bridge_version);
    *hello->mutable_server_time() = NowTimestamp();
    WriteOwnedLocked();
    ArmHeartbeatLocked(params_.heartbeat);
  }

  void FinishStream(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(status);
  }

  uint64_t cursor() const override { return published_cursor_.load(std::memory_order_relaxed); }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    write_in_flight_ = false;
    in_flight_.clear();
    events_wire_.Clear();
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the stream broke"));
      return;
    }
    NextWriteLocked();
  }

  void OnCancel() override {
    FinishStream(grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled"));
  }

  void OnDone() override {
    std::shared_ptr<SubscribeReactor> self;
    {
      std::lock_guard<std::mutex> lock(mu_);
      chunk_.clear();
      in_flight_.clear();
      self = std::move(self_);
    }
    registry_->Remove(this);
    // `self` goes now: the reactor is deleted here, or by the last late callback.
  }

 private:
  // Starts the next write, unless one is in flight, the stream is finishing, or it is
  // caught up and waiting for a wakeup. Reads the log in chunks; skipped (filtered)
  // events only advance the cursor. A batched stream takes every matching event already
  // read or readable, up to its limits; it never waits for more.
  void NextWriteLocked() {
    if (finishing_ || write_in_flight_ || wakeup_id_ != 0) return;
    std::size_t bytes = 0;
    while (!pending_gap_ && !TakeMatchingLocked(&bytes)) {  // the chunk ran out first
      events::EventStore::ReadResult read = log_->ReadAfter(cursor_, read_chunk_);
      if (!read.status.ok()) {
        // The store could not read (an I/O error): end the stream with it rather than
        // retry in a loop; the client resumes from its last seq.
        FinishLocked(ToGrpcStatus(read.status));
        return;
      }
      chunk_ = std::move(read.events);
      chunk_next_ = 0;
      if (read.gap) {
        cursor_ = read.gap->first_available_seq() - 1;
        pending_gap_ = std::move(read.gap);  // after the events taken so far, if any
      } else if (chunk_.empty()) {
        if (!in_flight_.empty()) break;
        if (RegisterWakeupLocked()) return;
        // else: appended since the read; read again
      }
    }
    if (!in_flight_.empty()) {
      WriteEventsLocked();
    } else if (pending_gap_) {
      *owned_.mutable_gap() = *std::exchange(pending_gap_, std::nullopt);
      owned_.mutable_gap()->set_log_id(log_->log_id());
      registry_->CountGap();
      WriteOwnedLocked();
    }
  }

  // Moves matching events from the chunk into in_flight_ until the chunk runs out
  // (false) or the message is full (true).
  bool TakeMatchingLocked(std::size_t* bytes) {
    for (; chunk_next_ < chunk_.size(); ++chunk_next_) {
      events::RetainedEventPtr& event = chunk_[chunk_next_];
      if (!params_.filter.Matches(*event)) {
        cursor_ = event->seq;
        event.reset();
        continue;
      }
      if (in_flight_.size() >= params_.max_batch) return true;
      const std::size_t size = event->wire.size();
      if (!in_flight_.empty() && *bytes + size > max_batch_bytes_) return true;
      *bytes += size;
      cursor_ = event->seq;
      in_flight_.push_back(std::move(event));
    }
    return false;
  }

  // Registers for the next append; false when one came since the last read.
  bool RegisterWakeupLocked() {
    published_cursor_.store(cursor_, std::memory_order_relaxed);  // caught up
    wakeup_id_ = log_->NotifyAfter(cursor_, [weak = weak_from_this(), wakeups = wakeups_] {
      auto wake = [weak] {
        if (std::shared_ptr<SubscribeReactor> self = weak.lock()) self->OnWakeup();
      };
      if (wakeups != nullptr) {
        wakeups->Post(std::move(wake));
      } else {
        wake();
      }
    });
    return wakeup_id_ != 0;
  }

  // Writes in_flight_ as one message made of the log's own bytes (shared slices, not
  // copies); in_flight_ keeps them alive until OnWriteDone.
  void WriteEventsLocked() {
    // When more is already waiting, let gRPC buffer this message: a burst then leaves in
    // a few TCP sends instead of one per message. The last one goes without the hint and
    // flushes the rest (so does Finish).
    grpc::WriteOptions options;
    if (chunk_next_ < chunk_.size() || pending_gap_) options.set_buffer_hint();
    if (params_.max_batch <= 1) {
      events_wire_ = events::SingleEventWire(in_flight_.front()->wire);
    } else {
      std::vector<const grpc::Slice*> wires;
      wires.reserve(in_flight_.size());
      for (const events::RetainedEventPtr& event : in_flight_) wires.push_back(&event->wire);
      events_wire_ = events::BatchWire(wires);
    }
    registry_->CountDelivered(in_flight_.size());
    published_cursor_.store(cursor_, std::memory_order_relaxed);
    WriteLocked(&events_wire_, options);
  }

  void OnWakeup() {
    std::lock_guard<std::mutex> lock(mu_);
    wakeup_id_ = 0;
    NextWriteLocked();
  }

  void WriteLocked(const grpc::ByteBuffer* message, grpc::WriteOptions options = {}) {
    write_in_flight_ = true;
    last_write_ = Clock::now();
    StartWrite(message, options);
  }

  // The hello, a gap or a heartbeat: this stream's own message, serialized here.
  void WriteOwnedLocked() {
    bool own_buffer = false;
    owned_wire_.Clear();  // the previous owned message's write has completed
    grpc::SerializationTraits<SubscribeResponse>::Serialize(owned_, &owned_wire_, &own_buffer);
    WriteLocked(&owned_wire_);
  }

  void FinishLocked(const grpc::Status& status) {
    if (finishing_) return;
    finishing_ = true;
    if (wakeup_id_ != 0) log_->CancelNotify(wakeup_id_);  // a late one finds finishing_
    wakeup_id_ = 0;
    if (alarm_) alarm_->Cancel();  // its callback runs with fired = false
    chunk_.clear();
    Finish(status);
  }

  // A fresh Alarm per arming: re-Setting one from inside its own callback would replace
  // the std::function that is running.
  void ArmHeartbeatLocked(Clock::duration delay) {
    alarm_ = std::make_unique<grpc::Alarm>();
    alarm_->Set(std::chrono::system_clock::now() + delay, [weak = weak_from_this()](bool fired) {
      if (!fired) return;
      if (std::shared_ptr<SubscribeReactor> self = weak.lock()) self->OnHeartbeatAlarm();
    });
  }

  // One alarm per interval, not per write: it checks when the stream last wrote and
  // sleeps again until a whole interval has passed since then.
  void OnHeartbeatAlarm() {
    std::lock_guard<std::mutex> lock(mu_);
    if (finishing_) return;
    const Clock::time_point now = Clock::now();
    if (!write_in_flight_ && now - last_write_ >= params_.heartbeat) {
      wxbridge::v1::Heartbeat* heartbeat = owned_.mutable_heartbeat();
      *heartbeat->mutable_server_time() = NowTimestamp();
      heartbeat->set_head_seq(log_->head_seq());
      *heartbeat->mutable_interval() = Interval();
      WriteOwnedLocked();
    }
    // A write stuck in flight (client not reading): look again an interval from now.
    const Clock::duration until_due = last_write_ + params_.heartbeat - now;
    ArmHeartbeatLocked(until_due > Clock::duration::zero() ? until_due : params_.heartbeat);
  }

  google::protobuf::Duration Interval() const {
    return TimeUtil::MillisecondsToDuration(params_.heartbeat.count());
  }

  events::EventStore* const log_;
  WakeupDispatcher* const wakeups_;
  const std::size_t read_chunk_;  // events read from the log at a time
  const std::size_t max_batch_bytes_;
  SubscriberRegistry* const registry_;
  std::shared_ptr<SubscribeReactor> self_;  // gRPC's reference, dropped in OnDone

  std::mutex mu_;
  SubscribeParams params_;
  uint64_t cursor_ = 0;                          // seq of the last event delivered or skipped
  std::atomic<uint64_t> published_cursor_{0};    // cursor_ as of the last write, for metrics
  std::vector<events::RetainedEventPtr> chunk_;  // read from the log, not yet taken
  std::size_t chunk_next_ = 0;
  std::optional<wxbridge::v1::Gap> pending_gap_;     // goes after the events in flight
  SubscribeResponse owned_;                          // the hello, gap or heartbeat in flight...
  grpc::ByteBuffer owned_wire_;                      // ...and its bytes
  std::vector<events::RetainedEventPtr> in_flight_;  // the events in flight...
  grpc::ByteBuffer events_wire_;                     // ...as one message (the log's bytes)
  bool write_in_flight_ = false;
  bool finishing_ = false;
  uint64_t wakeup_id_ = 0;  // pending log wakeup
  Clock::time_point last_write_;
  std::unique_ptr<grpc::Alarm> alarm_;
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* StartSubscribe(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           const SubscribeOptions& options,
                                                           SubscriberRegistry* registry,
                                                           const auth::Grant& grant) {
  auto reactor = std::make_shared<SubscribeReactor>(options, registry);
  reactor->Start(*request, options, grant);
  return reactor.get();
}

namespace {
class FinishedReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  explicit FinishedReactor(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};
}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* FinishedStream(const grpc::Status& status) {
  return new FinishedReactor(status);
}

}  // namespace wxbridge::rpc
