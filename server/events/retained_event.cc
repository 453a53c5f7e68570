#include "server/events/retained_event.h"

namespace wxbridge::events {

std::size_t RetainedBytes(const RetainedEvent& event) {
  return kRetainedOverhead + event.account.size() + event.wire.size();
}

}  // namespace wxbridge::events
