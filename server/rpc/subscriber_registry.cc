#include "server/rpc/subscriber_registry.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace wxbridge::rpc {

std::size_t SubscriberRegistry::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return streams_.size();
}

SubscriberRegistry::Stats SubscriberRegistry::stats() const {
  Stats stats;
  stats.events_delivered = events_delivered_.load(std::memory_order_relaxed);
  stats.gaps_sent = gaps_sent_.load(std::memory_order_relaxed);
  // As in FinishAll: a stream's last reference must never be dropped under the lock.
  std::vector<std::weak_ptr<Stream>> snapshot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats.open = streams_.size();
    snapshot.reserve(streams_.size());
    for (const auto& [key, stream] : streams_) snapshot.push_back(stream);
  }
  for (const std::weak_ptr<Stream>& weak : snapshot) {
    if (std::shared_ptr<Stream> stream = weak.lock()) {
      const uint64_t cursor = stream->cursor();
      if (!stats.lowest_cursor || cursor < *stats.lowest_cursor) stats.lowest_cursor = cursor;
    }
  }
  return stats;
}

void SubscriberRegistry::FinishAll(const grpc::Status& status) {
  // Snapshot under the lock, finish outside it: a stream that ends meanwhile either fails
  // to lock (gone) or ignores the second Finish.
  std::vector<std::weak_ptr<Stream>> snapshot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_with_ = status;
    snapshot.reserve(streams_.size());
    for (const auto& [key, stream] : streams_) snapshot.push_back(stream);
  }
  for (const std::weak_ptr<Stream>& weak : snapshot) {
    if (std::shared_ptr<Stream> stream = weak.lock()) stream->FinishStream(status);
  }
}

std::optional<grpc::Status> SubscriberRegistry::Add(const Stream* key, std::weak_ptr<Stream> stream,
                                                    std::size_t max_streams) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_with_) return closed_with_;
  if (streams_.size() >= max_streams) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many Subscribe streams: ", streams_.size(), " are open, the limit is ",
                     max_streams, " (--max_subscribers)"));
  }
  streams_.emplace(key, std::move(stream));
  return std::nullopt;
}

void SubscriberRegistry::Remove(const Stream* key) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_.erase(key);
}

}  // namespace wxbridge::rpc
