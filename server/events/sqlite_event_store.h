// The event log in a SQLite file (Debian's libsqlite3, WAL mode) under a data dir, so
// that a restart loses nothing and never renumbers. See event_store.h for the contract.
//
// Appends are numbered at once and queued; one writer thread commits everything that
// arrived while its previous commit was in flight in one transaction (group commit), so
// the fsync of `sync` durability is paid per batch, not per event. An event becomes
// readable, and wakes readers, only after its transaction committed. Retention (count,
// bytes, age) runs in the same transactions, never under the appenders' lock. Recent
// committed events are also kept in memory, so readers that keep up never hit the file.
#ifndef WXBRIDGE_SERVER_EVENTS_SQLITE_EVENT_STORE_H_
#define WXBRIDGE_SERVER_EVENTS_SQLITE_EVENT_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "server/events/event_store.h"
#include "server/events/waiter_list.h"

namespace wxbridge::events {

class DataDirLock;
namespace sqlite {
class Db;
class Statement;
}  // namespace sqlite

enum class Durability {
  kSync,  // fsync per commit: no subscriber sees an event a power loss could take back
  kOs,    // no fsync: survives a process crash, not a power loss
};

// "sync" or "os", as --durability spells them.
const char* DurabilityName(Durability durability);
// Parses "sync" or "os"; false for anything else.
bool ParseDurability(const std::string& text, Durability* durability);

struct SqliteEventStoreOptions {
  std::string data_dir;  // created when missing; holds events.db and LOCK
  Durability durability = Durability::kSync;
  // Retention, as EventLogOptions (the newest event always stays), plus age.
  std::size_t retention_count = 65536;
  std::size_t retention_bytes = std::size_t{256} << 20;
  std::chrono::seconds retention_age{0};  // 0: no age bound
  std::size_t max_event_bytes = std::size_t{1} << 20;
  // The newest committed events kept in memory for readers (both bounds apply).
  std::size_t cache_count = 4096;
  std::size_t cache_bytes = std::size_t{64} << 20;
  // Tests only: runs on the writer thread before each transaction starts.
  std::function<void()> before_commit;
};

class SqliteEventStore final : public EventStore {
 public:
  // Locks the data dir, opens (or creates) its log and starts the writer. Refuses a
  // data dir in use by another store (FAILED_PRECONDITION naming the lock) and a file
  // that is not a readable event log (sqlite_event_schema.h), never replacing it.
  static absl::StatusOr<std::unique_ptr<SqliteEventStore>> Open(SqliteEventStoreOptions options);
  // Commits what is queued, stops the writer, closes the file, releases the lock.
  ~SqliteEventStore() override;

  StoredEventPtr Append(wxbridge::v1::Event event) override;
  void Flush() override;
  std::string log_id() const override { return log_id_; }
  uint64_t head_seq() const override;
  uint64_t oldest_seq() const override;
  std::size_t retained_count() const override;
  std::size_t retained_bytes() const override;
  uint64_t truncated_count() const override { return truncated_count_.load(); }
  ReadResult ReadAfter(uint64_t after_seq, std::size_t max_events) const override;
  uint64_t NotifyAfter(uint64_t after_seq, Listener wakeup) override;
  bool CancelNotify(uint64_t id) override;

  // Transactions committed that held at least one event: with group commit, fewer than
  // the events appended whenever appends outpace commits.
  uint64_t commit_count() const { return commit_count_.load(); }
  const std::string& path() const { return path_; }  // the database file

 private:
  struct Pending {
    RetainedEventPtr event;
    int64_t received_us;
  };
  // What the writer knows of the file; published to readers after each commit.
  struct Bounds {
    uint64_t head_seq = 0;
    uint64_t oldest_seq = 0;
    std::size_t count = 0;
    std::size_t bytes = 0;
  };

  explicit SqliteEventStore(SqliteEventStoreOptions options);
  absl::Status Start();
  void WriterLoop();
  // One transaction: inserts `batch`, applies retention. Updates *bounds on success.
  absl::Status Commit(const std::vector<Pending>& batch, Bounds* bounds);
  // The seq retention keeps from, after `bounds` grew by this transaction's inserts.
  absl::StatusOr<uint64_t> RetentionCut(Bounds* bounds);
  // Makes the committed batch readable and runs the wakeups.
  void Publish(std::vector<Pending>* batch, const Bounds& bounds);
  // Reads [first, last] from the file (events below `first` may have gone since).
  absl::StatusOr<std::vector<RetainedEventPtr>> ReadFile(uint64_t first, uint64_t last) const;

  const SqliteEventStoreOptions options_;
  std::string path_;
  std::string log_id_;
  std::unique_ptr<DataDirLock> lock_;
  std::atomic<uint64_t> truncated_count_{0};
  std::atomic<uint64_t> commit_count_{0};

  // The writer thread's connection and statements.
  std::unique_ptr<sqlite::Db> writer_db_;
  std::unique_ptr<sqlite::Statement> insert_;
  std::unique_ptr<sqlite::Statement> walk_;
  std::unique_ptr<sqlite::Statement> trim_;
  Bounds writer_bounds_;  // writer thread only

  // Readers share one connection (WAL: reads never wait for the writer).
  mutable std::mutex reader_mutex_;
  std::unique_ptr<sqlite::Db> reader_db_;
  std::unique_ptr<sqlite::Statement> select_;

  mutable std::mutex mutex_;
  std::condition_variable writer_wake_;  // pending_ or stopping_
  std::condition_variable committed_;    // bounds_ moved (Flush)
  uint64_t assigned_seq_ = 0;            // last seq given out by Append
  std::vector<Pending> pending_;         // appended, not yet taken by the writer
  bool stopping_ = false;
  bool writer_done_ = false;
  Bounds bounds_;                       // readable events
  std::deque<RetainedEventPtr> cache_;  // the newest readable events, gap-free
  std::size_t cache_bytes_ = 0;
  WaiterList waiters_;  // idle readers, all waiting for seq > bounds_.head_seq

  std::thread writer_;  // last: started once everything above exists
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_SQLITE_EVENT_STORE_H_
