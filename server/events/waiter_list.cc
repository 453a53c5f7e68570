#include "server/events/waiter_list.h"

#include <algorithm>
#include <utility>

namespace wxbridge::events {

uint64_t WaiterList::Add(Listener wakeup) {
  const uint64_t id = next_id_++;
  waiters_.push_back(Waiter{id, std::move(wakeup)});
  return id;
}

bool WaiterList::Remove(uint64_t id, Listener* dropped) {
  auto it = std::find_if(waiters_.begin(), waiters_.end(),
                         [id](const Waiter& waiter) { return waiter.id == id; });
  if (it == waiters_.end()) return false;
  *dropped = std::move(it->wakeup);
  *it = std::move(waiters_.back());
  waiters_.pop_back();
  return true;
}

std::vector<WaiterList::Listener> WaiterList::TakeAll() {
  std::vector<Listener> listeners;
  listeners.reserve(waiters_.size());
  for (Waiter& waiter : waiters_) listeners.push_back(std::move(waiter.wakeup));
  waiters_.clear();
  return listeners;
}

}  // namespace wxbridge::events
