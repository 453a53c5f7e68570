#include "server/bridge/account_book.h"

namespace wxbridge::bridge {

void AccountBook::Observe(const wxbridge::v1::Event& event) {
  if (!event.has_login_status() || event.account().empty()) return;
  const auto& status = event.login_status();
  std::lock_guard<std::mutex> lock(mutex_);
  auto& entry = accounts_[event.account()];
  entry.set_account(event.account());
  if (!status.wx_id().empty()) entry.set_wx_id(status.wx_id());
  entry.set_last_status(status.status());
  *entry.mutable_updated_at() = event.received_at();
}

absl::Status AccountBook::Restore(const events::EventStore& log) {
  return ObserveAfter(log, 0).status();
}

absl::StatusOr<uint64_t> AccountBook::ObserveAfter(const events::EventStore& log,
                                                   uint64_t after_seq) {
  constexpr std::size_t kChunk = 4096;
  uint64_t cursor = after_seq;
  for (;;) {
    events::EventStore::ReadResult read = log.ReadAfter(cursor, kChunk);
    if (!read.status.ok()) return read.status;
    if (read.events.empty()) return cursor;
    for (const events::RetainedEventPtr& retained : read.events) {
      cursor = retained->seq;
      if (retained->kind != wxbridge::v1::EVENT_KIND_LOGIN_STATUS) continue;
      wxbridge::v1::SubscribeResponse message;
      if (message.ParseFromArray(retained->wire.begin(), static_cast<int>(retained->wire.size()))) {
        Observe(message.event());
      }
    }
  }
}

void AccountBook::FillStatus(wxbridge::v1::GetStatusResponse* response) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [account, entry] : accounts_) *response->add_accounts() = entry;
}

}  // namespace wxbridge::bridge
