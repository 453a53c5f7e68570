// The live Subscribe streams: their number for GetStatus, FinishAll for a graceful
// shutdown (a callback server's Shutdown waits for every stream to Finish), and what
// they delivered, for metrics.
#ifndef WXBRIDGE_SERVER_RPC_SUBSCRIBER_REGISTRY_H_
#define WXBRIDGE_SERVER_RPC_SUBSCRIBER_REGISTRY_H_

#include <grpcpp/support/status.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace wxbridge::rpc {

// Thread-safe. Streams may end at any moment, also while FinishAll runs: the registry
// holds weak references only and never calls a stream under its own lock.
class SubscriberRegistry {
 public:
  // What the registry needs from a stream.
  class Stream {
   public:
    // Finishes the stream with `status` unless it is already finishing. Must not block.
    virtual void FinishStream(const grpc::Status& status) = 0;
    // The seq of the last event the stream delivered or skipped. Any thread; never
    // blocks.
    virtual uint64_t cursor() const = 0;

   protected:
    ~Stream() = default;
  };

  // Streams added and not yet removed.
  std::size_t count() const;

  // Totals over every stream, ever, and the lowest cursor among the live ones.
  struct Stats {
    std::size_t open = 0;
    uint64_t events_delivered = 0;
    uint64_t gaps_sent = 0;
    std::optional<uint64_t> lowest_cursor;  // none when no stream is open
  };
  // Locks the registry once (a scrape), never per event.
  Stats stats() const;
  // For streams, per message: relaxed atomic additions, no lock.
  void CountDelivered(std::size_t events) {
    events_delivered_.fetch_add(events, std::memory_order_relaxed);
  }
  void CountGap() { gaps_sent_.fetch_add(1, std::memory_order_relaxed); }

  // Finishes every live stream with `status`, and every stream added later too, so that
  // Server::Shutdown can complete (it waits for every reactor). Does not wait for them.
  void FinishAll(const grpc::Status& status);

  // For streams: Add when starting, Remove in OnDone. Add returns nullopt, or the status
  // to finish with at once (the stream is then not added): the one FinishAll gave, or
  // RESOURCE_EXHAUSTED when `max_streams` are open already.
  std::optional<grpc::Status> Add(const Stream* key, std::weak_ptr<Stream> stream,
                                  std::size_t max_streams);
  void Remove(const Stream* key);

 private:
  mutable std::mutex mutex_;
  std::optional<grpc::Status> closed_with_;
  std::unordered_map<const Stream*, std::weak_ptr<Stream>> streams_;
  std::atomic<uint64_t> events_delivered_{0};
  std::atomic<uint64_t> gaps_sent_{0};
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_SUBSCRIBER_REGISTRY_H_
