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

void AccountBook::FillStatus(wxbridge::v1::GetStatusResponse* response) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [account, entry] : accounts_) *response->add_accounts() = entry;
}

}  // namespace wxbridge::bridge
