#include "server/rpc/wakeup_dispatcher.h"

#include <utility>

namespace wxbridge::rpc {

WakeupDispatcher::WakeupDispatcher() : thread_([this] { Run(); }) {}

WakeupDispatcher::~WakeupDispatcher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  thread_.join();
}

void WakeupDispatcher::Post(std::function<void()> task) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    was_empty = queue_.empty();
    queue_.push_back(std::move(task));
  }
  if (was_empty) ready_.notify_one();  // otherwise the thread is awake already
}

void WakeupDispatcher::Run() {
  std::vector<std::function<void()>> running;
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    running.swap(queue_);        // the whole burst at once: one lock per burst
    lock.unlock();
    for (std::function<void()>& task : running) task();
    running.clear();
    lock.lock();
  }
}

}  // namespace wxbridge::rpc
