#include "server/events/prepared_event.h"

#include <utility>

#include "server/common/clock.h"
#include "server/events/event_truncation.h"
#include "server/events/event_wire.h"
#include "server/protocol/frame_decoder.h"

namespace wxbridge::events {

PreparedEvent PrepareEvent(wxbridge::v1::Event event, std::size_t max_event_bytes) {
  PreparedEvent prepared;
  prepared.stored = std::make_shared<StoredEvent>();
  prepared.retained = std::make_shared<RetainedEvent>();
  prepared.retained->kind = protocol::KindOf(event);
  prepared.retained->account = event.account();
  if (!event.has_received_at()) *event.mutable_received_at() = NowTimestamp();
  wxbridge::v1::Event* whole = prepared.stored->message.mutable_event();
  *whole = std::move(event);
  whole->clear_seq();
  const std::size_t bytes = whole->ByteSizeLong();
  if (bytes <= max_event_bytes) {
    prepared.body = SerializeSizedEventBody(*whole, bytes);
  } else {
    prepared.truncated = true;
    prepared.body = SerializeEventBody(TruncatedCopy(whole, bytes, max_event_bytes));
  }
  return prepared;
}

void NumberEvent(uint64_t seq, PreparedEvent* prepared) {
  prepared->stored->message.mutable_event()->set_seq(seq);
  prepared->retained->seq = seq;
  prepared->retained->wire = EventWire(seq, prepared->body);
  prepared->stored->retained = prepared->retained;
}

}  // namespace wxbridge::events
