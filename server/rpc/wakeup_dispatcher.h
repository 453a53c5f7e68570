// Runs Subscribe wakeups on a thread of its own. The event log runs a caught-up stream's
// wakeup on the appending thread (the upstream I/O thread); the wakeup starts a gRPC
// write, and gRPC performs that write (HTTP/2 framing, the TCP send) inline. Queued
// here instead, an append costs the I/O thread one queue push per idle stream, the next
// frame is decoded while the writes go out, and a stream woken late finds several events
// to send in one batch.
#ifndef WXBRIDGE_SERVER_RPC_WAKEUP_DISPATCHER_H_
#define WXBRIDGE_SERVER_RPC_WAKEUP_DISPATCHER_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wxbridge::rpc {

class WakeupDispatcher {
 public:
  WakeupDispatcher();
  ~WakeupDispatcher();  // Runs what is queued, then joins.
  WakeupDispatcher(const WakeupDispatcher&) = delete;
  WakeupDispatcher& operator=(const WakeupDispatcher&) = delete;

  // Queues `task`; it runs on the dispatcher's thread, in order. Never blocks on a task.
  void Post(std::function<void()> task);

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wxbridge::rpc

#endif  // WXBRIDGE_SERVER_RPC_WAKEUP_DISPATCHER_H_
