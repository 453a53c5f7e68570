// An EventStore that counts what is appended to it, by kind, and hands every call to the
// store it wraps. The server assembly wraps its store in one when metrics are on, so the
// stores themselves know nothing of metrics and a bridge without them pays nothing.
// Counting is one relaxed atomic addition per append (appends come from the one upstream
// I/O thread).
#ifndef WXBRIDGE_SERVER_METRICS_METERED_EVENT_STORE_H_
#define WXBRIDGE_SERVER_METRICS_METERED_EVENT_STORE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "server/events/event_store.h"

namespace wxbridge::metrics {

class MeteredEventStore final : public events::EventStore, public prometheus::Collectable {
 public:
  explicit MeteredEventStore(std::unique_ptr<events::EventStore> store);

  events::StoredEventPtr Append(wxbridge::v1::Event event) override;
  void Flush() override { store_->Flush(); }
  std::string log_id() const override { return store_->log_id(); }
  uint64_t head_seq() const override { return store_->head_seq(); }
  uint64_t oldest_seq() const override { return store_->oldest_seq(); }
  std::size_t retained_count() const override { return store_->retained_count(); }
  std::size_t retained_bytes() const override { return store_->retained_bytes(); }
  uint64_t truncated_count() const override { return store_->truncated_count(); }
  ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const override {
    return store_->ReadAfter(after_seq, max_events);
  }
  uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup) override {
    return store_->NotifyAfter(after_seq, std::move(wakeup));
  }
  bool CancelNotify(uint64_t id) override { return store_->CancelNotify(id); }

  // wxbridge_events_appended_total{kind}, and the store's head, oldest, retained count
  // and bytes, truncated events.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  static constexpr int kKinds = wxbridge::v1::EventKind_ARRAYSIZE;
  std::unique_ptr<events::EventStore> store_;
  std::array<std::atomic<uint64_t>, kKinds> appended_{};
};

}  // namespace wxbridge::metrics

#endif  // WXBRIDGE_SERVER_METRICS_METERED_EVENT_STORE_H_
