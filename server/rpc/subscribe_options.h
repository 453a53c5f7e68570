// Limits and collaborators of every Subscribe stream, set once by the server assembly.
#ifndef WXBRIDGE_SERVER_RPC_SUBSCRIBE_OPTIONS_H_
#define WXBRIDGE_SERVER_RPC_SUBSCRIBE_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "server/events/event_store.h"
#include "server/rpc/raw_message.h"
#include "server/rpc/wakeup_dispatcher.h"
#include "wxbridge/v1/common.pb.h"

namespace wxbridge::rpc {

struct SubscribeOptions {
  events::EventStore* log = nullptr;                            // outlives every stream
  std::function<wxbridge::v1::UpstreamState()> upstream_state;  // for the hello
  // Used when a request leaves heartbeat_interval unset.
  std::chrono::milliseconds default_heartbeat{15000};
  // A requested interval is clamped into [min_heartbeat, max_heartbeat].
  std::chrono::milliseconds min_heartbeat{100};
  std::chrono::milliseconds max_heartbeat{std::chrono::hours(1)};
  std::string bridge_version;
  // Parses (and counts unparseable) requests; nullptr: a parser of the stream's own.
  RequestParser* parser = nullptr;
  // Where caught-up streams' wakeups run; nullptr: on the appending thread. Outlives
  // every stream.
  WakeupDispatcher* wakeups = nullptr;
  // Events read from the log at a time (a chunk; not SubscribeRequest.max_batch, the
  // events per stream message). A stream keeps at most its current chunk alive, whatever
  // the ring has dropped since.
  std::size_t read_chunk = 256;
  // A batched stream message (SubscribeRequest.max_batch) stays under this many bytes
  // unless it holds one event: clients keep gRPC's default 4 MiB receive limit.
  std::size_t max_batch_bytes = std::size_t{1} << 20;
  // SubscribeRequest.accounts and .kinds entries; a request with more is refused
  // INVALID_ARGUMENT (--max_subscribe_accounts, --max_subscribe_kinds).
  std::size_t max_accounts = 1000;
  std::size_t max_kinds = 64;
  // Streams open at once, across clients; one more is refused RESOURCE_EXHAUSTED.
  std::size_t max_streams = 10000;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_SUBSCRIBE_OPTIONS_H_
