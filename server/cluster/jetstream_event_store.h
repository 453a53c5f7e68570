// The event log of a cluster of bridges, kept in a NATS JetStream stream (cnats 3.4,
// nats-server 2.9), behind the EventStore contract (server/events/event_store.h). This is
// the log part of issue 15 only: which replica may write (the lease) is decided outside.
//
// - The stream WXBRIDGE_<cluster> (file storage, limits from the options, a dedup window)
//   is created by the first store that opens it; its description carries the log_id,
//   made once at creation (events::NewLogId), so every replica and every restart of
//   nats-server reads the same one, and a re-created stream has a new one.
// - The stream sequence is the event seq. Append numbers the event head + 1 at once and
//   publishes it asynchronously (never waits) on wxbridge.<cluster>.ev.<account>.<kind>,
//   with message id "<log_id>-<seq>-<writer_id>" (dedup of a resend; writer_id is random
//   per store), expected last sequence seq - 1 (also for seq 1: "0") and, after the
//   store's first publish, expected last message id = its own previous one. So a seq is
//   stored once, at the number its writer gave it, and a writer that lost one seq to
//   another can store nothing after it: two writers never interleave.
// - Every replica, writer included, reads through one ordered push consumer into its
//   ReplicaWindow: an event is readable (head_seq, ReadAfter, wakeups) only once the
//   stream stored it. A replica that never writes sees every event the same way.
// - Fencing: a refused or lost publish (another writer, a wrong sequence, a duplicate, no
//   ack within publish_ack_timeout, no room to buffer it) fences the store: writer_status()
//   turns not OK and on_fenced runs once. A fenced store still numbers what Append is
//   given but publishes nothing more; the holder of the upstream must give it up. Append
//   also fences at once when the window already shows a seq it did not write.
#ifndef WXBRIDGE_SERVER_CLUSTER_JETSTREAM_EVENT_STORE_H_
#define WXBRIDGE_SERVER_CLUSTER_JETSTREAM_EVENT_STORE_H_

#include <nats/nats.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/cluster/jetstream_config.h"
#include "server/cluster/nats_connection.h"
#include "server/cluster/replica_window.h"
#include "server/events/event_store.h"

namespace wxbridge::cluster {

class JetStreamEventStore final : public events::EventStore {
 public:
  // Connects, creates the stream when missing (or adopts it, with its limits and
  // log_id), subscribes and waits until the window holds the stream's head (at most
  // catch_up_timeout). Refuses an invalid cluster name, a stream without a wxbridge
  // log_id, and an unreachable server (UNAVAILABLE).
  static absl::StatusOr<std::unique_ptr<JetStreamEventStore>> Open(
      JetStreamEventStoreOptions options);
  // Waits (bounded) for the acks of pending publishes, then unsubscribes and closes.
  ~JetStreamEventStore() override;

  events::StoredEventPtr Append(wxbridge::v1::Event event) override;
  // Waits until every event appended so far is readable here, or the store is fenced
  // (bounded by publish_ack_timeout + catch_up_timeout).
  void Flush() override;
  std::string log_id() const override { return log_id_; }
  uint64_t head_seq() const override { return window_.head_seq(); }
  uint64_t oldest_seq() const override { return window_.oldest_seq(); }
  std::size_t retained_count() const override { return window_.count(); }
  std::size_t retained_bytes() const override { return window_.bytes(); }
  uint64_t truncated_count() const override { return truncated_count_.load(); }
  ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const override {
    return window_.ReadAfter(after_seq, max_events);
  }
  uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup) override {
    return window_.NotifyAfter(after_seq, std::move(wakeup));
  }
  bool CancelNotify(uint64_t id) override { return window_.CancelNotify(id); }

  // OK while this store may append; otherwise why it was fenced (FAILED_PRECONDITION
  // for another writer, UNAVAILABLE for a lost publish).
  absl::Status writer_status() const;
  // Makes this store the writer from the stream's head as it is now: waits for its own
  // pending publishes (at most publish_ack_timeout), reads the stream's last seq, waits
  // until the window holds it (catch_up_timeout) and numbers on from there, clearing a
  // fence. For a replica taking over the upstream, once the lease (outside) says so. The
  // seqs a fenced store handed out but never stored are given to new events.
  absl::Status ResumeWriting();
  // Whether the connection to NATS is up now (it reconnects by itself when it is not).
  bool connected() const { return nats_->connected(); }
  const std::string& stream_name() const { return stream_name_; }
  std::size_t max_event_bytes() const { return max_event_bytes_; }

 private:
  explicit JetStreamEventStore(JetStreamEventStoreOptions options);
  absl::Status Start();
  // Finds or creates the stream; sets log_id_ and *last_seq (its head) and *first_seq.
  absl::Status OpenStream(uint64_t* first_seq, uint64_t* last_seq);
  // Waits until the window holds `seq` (at most catch_up_timeout).
  absl::Status CatchUpTo(uint64_t seq);
  absl::Status Subscribe(uint64_t start_seq);

  static void OnMessage(natsConnection* connection, natsSubscription* subscription, natsMsg* msg,
                        void* closure);
  static void OnPublishAck(jsCtx* js, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                           void* closure);
  static void OnSubscriptionComplete(void* closure);
  void Deliver(natsMsg* msg);
  void Acknowledged(natsMsg* msg, const jsPubAck* ack, const jsPubAckErr* error);
  // Fencing: FenceLocked records the first reason (true when it was the first), and
  // ReportFence, after unlocking, logs it and runs on_fenced.
  bool FenceLocked(absl::Status why);
  void Fence(const absl::Status& why);
  void ReportFence(const absl::Status& why);

  const JetStreamEventStoreOptions options_;
  const std::string stream_name_;
  const std::string writer_id_;  // random per store: names its publishes
  std::size_t max_event_bytes_;
  std::string log_id_;
  jsOptions js_options_;  // holds the ack handler: outlives the connection
  std::unique_ptr<NatsConnection> nats_;
  natsSubscription* subscription_ = nullptr;
  ReplicaWindow window_;
  std::atomic<uint64_t> truncated_count_{0};
  std::atomic<bool> closing_{false};

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // window head moved, fenced, subscription done
  uint64_t assigned_seq_ = 0;        // last seq given out by Append
  std::string last_msg_id_;          // of this store's last publish; empty before the first
  absl::Status writer_status_;
  bool subscription_done_ = false;
};

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_JETSTREAM_EVENT_STORE_H_
