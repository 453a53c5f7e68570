// The live Subscribe streams: their number for GetStatus, and FinishAll for a graceful
// shutdown (a callback server's Shutdown waits for every stream to Finish).
#ifndef WXBRIDGE_SERVER_RPC_SUBSCRIBER_REGISTRY_H_
#define WXBRIDGE_SERVER_RPC_SUBSCRIBER_REGISTRY_H_

#include <grpcpp/support/status.h>

#include <cstddef>
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

   protected:
    ~Stream() = default;
  };

  // Streams added and not yet removed.
  std::size_t count() const;

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
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_SUBSCRIBER_REGISTRY_H_
