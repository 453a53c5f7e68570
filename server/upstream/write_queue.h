// The only place a request frame waits before the gateway reads it. Frames leave in
// order, one in flight at a time; a frame leaves early when its call ends (Remove), so a
// call that failed is never written afterwards. Bounded in bytes: a frame that would take
// it over the bound is refused. Single-threaded (the upstream I/O thread), except size()
// and bytes().
#ifndef WXBRIDGE_SERVER_UPSTREAM_WRITE_QUEUE_H_
#define WXBRIDGE_SERVER_UPSTREAM_WRITE_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"

namespace wxbridge::upstream {

class WriteQueue {
 public:
  struct Entry {
    uint64_t token = 0;
    std::shared_ptr<const std::string> frame;
    bool in_flight = false;
  };

  explicit WriteQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Queues `frame` under `token`, at the back or, with `first`, ahead of every frame not
  // yet in flight. RESOURCE_EXHAUSTED, and nothing queued, when the queue would then
  // hold more than max_bytes; ALREADY_EXISTS when `token` is queued already.
  absl::Status Push(uint64_t token, std::shared_ptr<const std::string> frame, bool first = false);
  // Removes a frame that is not in flight; false when there is none under `token` (or it
  // is already being written, which cannot be undone).
  bool Remove(uint64_t token);

  // True when a frame waits and none is in flight.
  bool ReadyToWrite() const { return !entries_.empty() && !entries_.front().in_flight; }
  // Marks the front frame in flight and returns it. Only when ReadyToWrite().
  const Entry& StartWrite();
  // The frame in flight was written: it leaves the queue. Returns its token.
  uint64_t FinishWrite();
  // The connection ended while a frame was in flight. With `keep` it waits at the front
  // to be written again; otherwise it leaves the queue. Returns its token, if any.
  std::optional<uint64_t> InterruptWrite(bool keep);
  // The token of the frame in flight, if any.
  std::optional<uint64_t> in_flight() const;

  void Clear();
  // These three may be read from any thread.
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  // Bytes of every frame written so far (FinishWrite), for metrics.
  uint64_t written_bytes() const { return written_bytes_.load(std::memory_order_relaxed); }
  std::size_t max_bytes() const { return max_bytes_; }

 private:
  using List = std::list<Entry>;
  void Erase(List::iterator it);

  const std::size_t max_bytes_;
  std::atomic<std::size_t> size_{0};
  std::atomic<std::size_t> bytes_{0};
  std::atomic<uint64_t> written_bytes_{0};
  List entries_;
  std::unordered_map<uint64_t, List::iterator> by_token_;
};

}  // namespace wxbridge::upstream

#endif  // WXBRIDGE_SERVER_UPSTREAM_WRITE_QUEUE_H_
