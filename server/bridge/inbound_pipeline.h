// What happens to every frame the gateway sends, in order: decode it into an Event,
// append it to the event log (which numbers it and wakes subscribers), note account
// status, and let outstanding calls match it. Runs on the upstream I/O thread.
#ifndef WXBRIDGE_SERVER_BRIDGE_INBOUND_PIPELINE_H_
#define WXBRIDGE_SERVER_BRIDGE_INBOUND_PIPELINE_H_

#include <atomic>
#include <cstdint>
#include <string_view>

#include "server/bridge/account_book.h"
#include "server/calls/call_runner.h"
#include "server/events/event_log.h"

namespace wxbridge::bridge {

class InboundPipeline {
 public:
  // Every pointer outlives the pipeline.
  InboundPipeline(events::EventLog* log, AccountBook* accounts, calls::CallRunner* calls);

  // Returns the event as logged.
  events::StoredEventPtr OnFrame(std::string_view frame, bool binary);

  uint64_t frames_received() const { return frames_received_.load(); }
  uint64_t frames_unrecognized() const { return frames_unrecognized_.load(); }

 private:
  events::EventLog* const log_;
  AccountBook* const accounts_;
  calls::CallRunner* const calls_;
  std::atomic<uint64_t> frames_received_{0};
  std::atomic<uint64_t> frames_unrecognized_{0};
};

}  // namespace wxbridge::bridge

#endif  // WXBRIDGE_SERVER_BRIDGE_INBOUND_PIPELINE_H_
