#include "server/bridge/inbound_pipeline.h"

#include <utility>

#include "server/common/log.h"
#include "server/protocol/frame_decoder.h"

namespace wxbridge::bridge {

InboundPipeline::InboundPipeline(events::EventStore* log, AccountBook* accounts,
                                 calls::CallRunner* calls, std::string_view auth_key)
    : log_(log), accounts_(accounts), calls_(calls), scrubber_(auth_key) {}

events::StoredEventPtr InboundPipeline::OnFrame(std::string_view received, bool binary) {
  frames_received_++;
  bytes_received_.fetch_add(received.size(), std::memory_order_relaxed);
  std::string scrubbed;
  const std::string_view frame = scrubber_.Scrub(received, &scrubbed);
  wxbridge::v1::Event event =
      binary ? protocol::DecodeBinaryFrame(frame) : protocol::DecodeFrame(frame);
  if (event.has_unrecognized()) {
    frames_unrecognized_++;
    Log(LogLevel::kWarning, "gateway", "unrecognized frame (",
        wxbridge::v1::UnrecognizedReason_Name(event.unrecognized().reason()),
        "): ", event.unrecognized().detail());
  }
  events::StoredEventPtr stored = log_->Append(std::move(event));
  accounts_->Observe(stored->event());
  calls_->OnEvent(stored);
  return stored;
}

}  // namespace wxbridge::bridge
