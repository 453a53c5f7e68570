// WakeupDispatcher: posted tasks run on the dispatcher's own thread, in posting order;
// Post never waits for a running task; a task may post another; destruction runs what
// is queued before it joins. Every wait is bounded: a broken dispatcher fails the test
// instead of hanging it.
#include "server/rpc/wakeup_dispatcher.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace wxbridge::rpc {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kWait{10000};  // upper bound for any wait; ends as soon as it holds

// Posts a task that fulfils the returned future: once it is ready, every task posted
// before it has run.
std::future<void> Barrier(WakeupDispatcher& dispatcher) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> ready = done->get_future();
  dispatcher.Post([done] { done->set_value(); });
  return ready;
}

bool Ready(std::future<void>& future) {
  return future.wait_for(kWait) == std::future_status::ready;
}

// A first task that holds the dispatcher's thread until Release() (or kWait).
class Blocker {
 public:
  explicit Blocker(WakeupDispatcher& dispatcher) {
    dispatcher.Post([started = started_, released = released_.get_future().share()] {
      started->set_value();
      released.wait_for(kWait);
    });
  }
  ~Blocker() { Release(); }
  bool WaitStarted() { return started_->get_future().wait_for(kWait) == std::future_status::ready; }
  void Release() {
    if (!released_set_) released_.set_value();
    released_set_ = true;
  }

 private:
  std::shared_ptr<std::promise<void>> started_ = std::make_shared<std::promise<void>>();
  std::promise<void> released_;
  bool released_set_ = false;
};

TEST(WakeupDispatcherTest, RunsTasksOnItsOwnThreadInPostingOrder) {
  constexpr int kTasks = 1000;
  WakeupDispatcher dispatcher;
  std::vector<int> order;  // written by the dispatcher's thread only
  std::vector<std::thread::id> threads;
  for (int i = 0; i < kTasks; ++i) {
    dispatcher.Post([&, i] {
      order.push_back(i);
      threads.push_back(std::this_thread::get_id());
    });
  }
  std::future<void> done = Barrier(dispatcher);
  ASSERT_TRUE(Ready(done));
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(order[i], i);
  for (const std::thread::id& id : threads) {
    EXPECT_EQ(id, threads.front());
    EXPECT_NE(id, std::this_thread::get_id());
  }
}

TEST(WakeupDispatcherTest, PostDoesNotWaitForARunningTask) {
  constexpr int kQueued = 100;
  WakeupDispatcher dispatcher;
  Blocker blocker(dispatcher);
  ASSERT_TRUE(blocker.WaitStarted());
  std::vector<int> order;
  const auto start = Clock::now();
  for (int i = 0; i < kQueued; ++i) {
    dispatcher.Post([&order, i] { order.push_back(i); });
  }
  // A Post that waited for the blocked task would take the blocker's whole kWait.
  const auto took = Clock::now() - start;
  blocker.Release();
  EXPECT_LT(took, kWait / 2);
  std::future<void> done = Barrier(dispatcher);
  ASSERT_TRUE(Ready(done));
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kQueued));
  for (int i = 0; i < kQueued; ++i) EXPECT_EQ(order[i], i);
}

TEST(WakeupDispatcherTest, ATaskCanPostAnotherThatRunsAfterIt) {
  WakeupDispatcher dispatcher;
  std::vector<std::string> order;
  std::promise<void> nested_ran;
  dispatcher.Post([&] {
    dispatcher.Post([&] {
      order.push_back("nested");
      nested_ran.set_value();
    });
    order.push_back("outer");
  });
  std::future<void> ran = nested_ran.get_future();
  ASSERT_TRUE(Ready(ran));
  EXPECT_EQ(order, (std::vector<std::string>{"outer", "nested"}));
}

TEST(WakeupDispatcherTest, TasksPostedFromManyThreadsAllRunEachThreadsInOrder) {
  constexpr int kPosters = 4;
  constexpr int kTasksEach = 500;
  WakeupDispatcher dispatcher;
  std::vector<std::pair<int, int>> ran;  // (poster, index), dispatcher's thread only
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&, p] {
      for (int i = 0; i < kTasksEach; ++i) {
        dispatcher.Post([&ran, p, i] { ran.emplace_back(p, i); });
      }
    });
  }
  for (std::thread& poster : posters) poster.join();
  std::future<void> done = Barrier(dispatcher);
  ASSERT_TRUE(Ready(done));
  ASSERT_EQ(ran.size(), static_cast<std::size_t>(kPosters * kTasksEach));
  std::vector<int> next(kPosters, 0);
  for (const auto& [poster, index] : ran) {
    EXPECT_EQ(index, next[poster]) << "poster " << poster;
    next[poster] = index + 1;
  }
}

TEST(WakeupDispatcherTest, DestructionRunsWhatIsQueuedThenJoins) {
  constexpr int kQueued = 100;
  auto dispatcher = std::make_unique<WakeupDispatcher>();
  Blocker blocker(*dispatcher);
  ASSERT_TRUE(blocker.WaitStarted());
  std::atomic<int> ran{0};
  for (int i = 0; i < kQueued; ++i) dispatcher->Post([&ran] { ++ran; });

  // Destroy while the tasks are still queued behind the blocked one, then let it go.
  std::promise<void> destroying;
  std::thread destroyer([&] {
    destroying.set_value();
    dispatcher.reset();
  });
  std::future<void> entered = destroying.get_future();
  const bool destroying_started = Ready(entered);
  blocker.Release();
  destroyer.join();
  ASSERT_TRUE(destroying_started);
  EXPECT_EQ(ran.load(), kQueued) << "the destructor returned before the queue ran";
}

}  // namespace
}  // namespace wxbridge::rpc
