// What a replica can read of the cluster's event log: the newest events the stream
// delivered to it, gap-free and bounded like every store (count, RetainedBytes, age;
// the newest always stays), with the one-shot wakeups of event_store.h. Events enter
// only from the replica's subscription, so whatever is here is stored in the stream.
// Thread-safe.
#ifndef WXBRIDGE_SERVER_CLUSTER_REPLICA_WINDOW_H_
#define WXBRIDGE_SERVER_CLUSTER_REPLICA_WINDOW_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

#include "server/events/event_store.h"
#include "server/events/retained_event.h"
#include "server/events/waiter_list.h"

namespace wxbridge::cluster {

struct ReplicaWindowBounds {
  std::size_t count = 65536;
  std::size_t bytes = std::size_t{256} << 20;
  std::chrono::seconds age{0};  // 0: no age bound
};

class ReplicaWindow {
 public:
  using Listener = events::EventStore::Listener;

  explicit ReplicaWindow(ReplicaWindowBounds bounds) : bounds_(bounds) {}

  // Adds the event the stream stored at `stored_ns` (ns since the epoch). A seq at or
  // below head_seq() is a redelivery and ignored; a seq past head_seq() + 1 means the
  // stream dropped the events between, so the window restarts at it (readers below get a
  // Gap). Runs the pending wakeups after unlocking.
  void Add(events::RetainedEventPtr event, int64_t stored_ns);

  uint64_t head_seq() const;
  uint64_t oldest_seq() const;
  std::size_t count() const;
  std::size_t bytes() const;
  // As EventStore::ReadAfter (never an error status).
  events::EventStore::ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const;
  // As EventStore::NotifyAfter / CancelNotify.
  uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup);
  bool CancelNotify(uint64_t id);

 private:
  struct Entry {
    events::RetainedEventPtr event;
    int64_t stored_ns;
  };
  // Drops from the front while over a bound, keeping the newest; the dropped entries go
  // to `dropped`, to be freed after unlocking.
  void TrimLocked(std::deque<Entry>* dropped);

  const ReplicaWindowBounds bounds_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // seqs oldest_seq_ .. head_seq_, no holes
  uint64_t head_seq_ = 0;
  std::size_t bytes_ = 0;
  events::WaiterList waiters_;  // all waiting for seq > head_seq_
};

}  // namespace wxbridge::cluster

#endif  // WXBRIDGE_SERVER_CLUSTER_REPLICA_WINDOW_H_
