#include "server/metrics/metered_event_store.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "server/metrics/family_builder.h"

namespace wxbridge::metrics {
namespace {

// "EVENT_KIND_LOGIN_STATUS" -> "login_status", the name the proto's oneof uses.
std::string KindLabel(int kind) {
  const std::string& name =
      wxbridge::v1::EventKind_Name(static_cast<wxbridge::v1::EventKind>(kind));
  constexpr std::string_view kPrefix = "EVENT_KIND_";
  return absl::AsciiStrToLower(name.size() > kPrefix.size() ? name.substr(kPrefix.size()) : name);
}

}  // namespace

MeteredEventStore::MeteredEventStore(std::unique_ptr<events::EventStore> store)
    : store_(std::move(store)) {}

events::StoredEventPtr MeteredEventStore::Append(wxbridge::v1::Event event) {
  events::StoredEventPtr stored = store_->Append(std::move(event));
  const int kind = stored->kind();
  appended_[kind >= 0 && kind < kKinds ? kind : 0].fetch_add(1, std::memory_order_relaxed);
  return stored;
}

std::vector<prometheus::MetricFamily> MeteredEventStore::Collect() const {
  prometheus::MetricFamily appended =
      Family("wxbridge_events_appended_total", "events appended to the event log, by kind",
             prometheus::MetricType::Counter);
  for (int kind = 0; kind < kKinds; ++kind) {
    if (kind == 0 || !wxbridge::v1::EventKind_IsValid(kind)) continue;  // 0: unspecified
    AddSample(&appended, static_cast<double>(appended_[kind].load(std::memory_order_relaxed)),
              {{"kind", KindLabel(kind)}});
  }
  std::vector<prometheus::MetricFamily> families;
  families.push_back(std::move(appended));
  // Oldest before head, as a Subscribe hello reads them: never oldest > head.
  const auto oldest = static_cast<double>(store_->oldest_seq());
  families.push_back(
      GaugeOf("wxbridge_event_log_oldest_seq", "oldest retained seq (0 when empty)", oldest));
  families.push_back(GaugeOf("wxbridge_event_log_head_seq", "newest readable seq (0 when empty)",
                             static_cast<double>(store_->head_seq())));
  families.push_back(GaugeOf("wxbridge_event_log_retained_events", "events retained for resumption",
                             static_cast<double>(store_->retained_count())));
  families.push_back(GaugeOf("wxbridge_event_log_retained_bytes",
                             "bytes of retained events, as retention counts them",
                             static_cast<double>(store_->retained_bytes())));
  families.push_back(CounterOf("wxbridge_event_log_truncated_total",
                               "events retained with their large fields cut",
                               static_cast<double>(store_->truncated_count())));
  return families;
}

}  // namespace wxbridge::metrics
