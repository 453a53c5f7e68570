// What happens to every frame the gateway sends, in order: scrub the authKey out of it
// (a gateway may echo requests), decode it into an Event,
// append it to the event log (which numbers it and wakes subscribers), note account
// status, and let outstanding calls match it. Runs on the upstream I/O thread.
#ifndef WXBRIDGE_SERVER_BRIDGE_INBOUND_PIPELINE_H_
#define WXBRIDGE_SERVER_BRIDGE_INBOUND_PIPELINE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/bridge/account_book.h"
#include "server/calls/call_runner.h"
#include "server/events/event_store.h"
#include "server/protocol/secret_scrubber.h"

namespace wxbridge::bridge {

class InboundPipeline {
 public:
  // Every pointer outlives the pipeline. `auth_key` is replaced in every frame by
  // protocol::SecretScrubber::kMarker before anything else sees the frame.
  InboundPipeline(events::EventStore* log, AccountBook* accounts, calls::CallRunner* calls,
                  std::string_view auth_key);

  // Returns the event as logged.
  events::StoredEventPtr OnFrame(std::string_view frame, bool binary);

  uint64_t frames_received() const { return frames_received_.load(); }
  uint64_t frames_unrecognized() const { return frames_unrecognized_.load(); }
  uint64_t bytes_received() const { return bytes_received_.load(std::memory_order_relaxed); }

 private:
  events::EventStore* const log_;
  AccountBook* const accounts_;
  calls::CallRunner* const calls_;
  const protocol::SecretScrubber scrubber_;
  std::atomic<uint64_t> frames_received_{0};
  std::atomic<uint64_t> frames_unrecognized_{0};
  std::atomic<uint64_t> bytes_received_{0};
};

}  // namespace wxbridge::bridge

#endif  // WXBRIDGE_SERVER_BRIDGE_INBOUND_PIPELINE_H_
