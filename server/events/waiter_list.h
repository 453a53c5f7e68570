// The one-shot wakeups of idle readers, as every EventStore keeps them (event_store.h):
// registered, cancelled and taken all at once by an append. Not thread-safe: the store
// calls it under its own lock, where its head_seq is decided.
#ifndef WXBRIDGE_SERVER_EVENTS_WAITER_LIST_H_
#define WXBRIDGE_SERVER_EVENTS_WAITER_LIST_H_

#include <cstdint>
#include <functional>
#include <vector>

namespace wxbridge::events {

class WaiterList {
 public:
  using Listener = std::function<void()>;

  // Registers `wakeup`; its id (never 0).
  uint64_t Add(Listener wakeup);
  // Unregisters `id`: true, and its listener moved into `dropped` (for the caller to
  // destroy after unlocking: its captures are the reader's); false when it already ran.
  bool Remove(uint64_t id, Listener* dropped);
  // Every registered listener, to run after unlocking; the list is then empty.
  std::vector<Listener> TakeAll();
  bool empty() const { return waiters_.empty(); }

 private:
  struct Waiter {
    uint64_t id;
    Listener wakeup;
  };
  uint64_t next_id_ = 1;
  std::vector<Waiter> waiters_;
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_WAITER_LIST_H_
