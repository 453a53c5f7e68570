#include "server/events/sqlite_event_store.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/log.h"
#include "server/events/data_dir_lock.h"
#include "server/events/event_wire.h"
#include "server/events/prepared_event.h"
#include "server/events/sqlite_event_schema.h"
#include "server/events/sqlite_handle.h"

namespace wxbridge::events {
namespace {

constexpr char kComponent[] = "events";
// How often the writer applies age retention when no append wakes it.
constexpr auto kAgeRetentionInterval = std::chrono::seconds(1);
// A failed commit is retried (the events keep their seqs) after a growing pause.
constexpr auto kFirstRetry = std::chrono::milliseconds(100);
constexpr auto kLastRetry = std::chrono::seconds(5);

int64_t Micros(const google::protobuf::Timestamp& time) {
  return time.seconds() * 1000000 + time.nanos() / 1000;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteEventStore>> SqliteEventStore::Open(
    SqliteEventStoreOptions options) {
  std::unique_ptr<SqliteEventStore> store(new SqliteEventStore(std::move(options)));
  if (absl::Status status = store->Start(); !status.ok()) return status;
  return store;
}

SqliteEventStore::SqliteEventStore(SqliteEventStoreOptions options)
    : options_(std::move(options)) {}

absl::Status SqliteEventStore::Start() {
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(options_.data_dir);
  if (!lock.ok()) return lock.status();
  lock_ = *std::move(lock);
  path_ = (std::filesystem::path(options_.data_dir) / "events.db").string();

  absl::StatusOr<std::unique_ptr<sqlite::Db>> writer = sqlite::Db::Open(path_, /*create=*/true);
  if (!writer.ok()) return writer.status();
  writer_db_ = *std::move(writer);
  absl::StatusOr<StoredLogState> state =
      OpenEventSchema(writer_db_.get(), path_, options_.durability == Durability::kSync);
  if (!state.ok()) return state.status();
  log_id_ = state->log_id;
  writer_bounds_ = Bounds{state->head_seq, state->oldest_seq, state->count, state->bytes};
  bounds_ = writer_bounds_;
  assigned_seq_ = state->head_seq;  // never renumber: continue from the stored head

  struct {
    std::unique_ptr<sqlite::Statement>* statement;
    sqlite::Db* db;
    const char* sql;
  } const statements[] = {
      {&insert_, writer_db_.get(),
       "INSERT INTO events(seq, kind, account, event, received_us) VALUES(?1, ?2, ?3, ?4, ?5)"},
      {&walk_, writer_db_.get(),
       "SELECT seq, length(account), length(event), received_us FROM events"
       " WHERE seq >= ?1 ORDER BY seq"},
      {&trim_, writer_db_.get(), "DELETE FROM events WHERE seq < ?1"},
  };
  for (const auto& entry : statements) {
    absl::StatusOr<std::unique_ptr<sqlite::Statement>> statement = entry.db->Prepare(entry.sql);
    if (!statement.ok()) return statement.status();
    *entry.statement = *std::move(statement);
  }

  absl::StatusOr<std::unique_ptr<sqlite::Db>> reader = sqlite::Db::Open(path_, /*create=*/false);
  if (!reader.ok()) return reader.status();
  reader_db_ = *std::move(reader);
  if (absl::Status status = reader_db_->Exec("PRAGMA busy_timeout = 5000"); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::unique_ptr<sqlite::Statement>> select = reader_db_->Prepare(
      "SELECT seq, kind, account, event FROM events WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq");
  if (!select.ok()) return select.status();
  select_ = *std::move(select);

  writer_ = std::thread([this] { WriterLoop(); });
  return absl::OkStatus();
}

SqliteEventStore::~SqliteEventStore() {
  if (writer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    writer_wake_.notify_one();
    writer_.join();
  }
  // Members go in reverse order: statements before their connections, the lock last.
}

StoredEventPtr SqliteEventStore::Append(wxbridge::v1::Event event) {
  PreparedEvent prepared = PrepareEvent(std::move(event), options_.max_event_bytes);
  if (prepared.truncated) truncated_count_++;
  const int64_t received_us = Micros(prepared.stored->event().received_at());
  {
    // Numbering and queueing under one lock keeps pending_ in seq order.
    std::lock_guard<std::mutex> lock(mutex_);
    NumberEvent(++assigned_seq_, &prepared);
    pending_.push_back(Pending{prepared.retained, received_us});
  }
  writer_wake_.notify_one();
  return prepared.stored;
}

void SqliteEventStore::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = assigned_seq_;
  committed_.wait(lock, [&] { return bounds_.head_seq >= target || writer_done_; });
}

void SqliteEventStore::WriterLoop() {
  std::vector<Pending> batch;
  auto retry = std::chrono::milliseconds(kFirstRetry);
  for (;;) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto ready = [this] { return stopping_ || !pending_.empty(); };
      if (!batch.empty()) {
        // Retrying a failed commit: take what arrived meanwhile too.
      } else if (options_.retention_age.count() > 0) {
        writer_wake_.wait_for(lock, kAgeRetentionInterval, ready);
      } else {
        writer_wake_.wait(lock, ready);
      }
      // Everything that arrived while the previous commit was in flight: one batch.
      std::move(pending_.begin(), pending_.end(), std::back_inserter(batch));
      pending_.clear();
      stopping = stopping_;
    }
    if (batch.empty() && stopping) break;
    if (options_.before_commit) options_.before_commit();
    Bounds bounds = writer_bounds_;
    absl::Status status = Commit(batch, &bounds);
    if (status.ok()) {
      writer_bounds_ = bounds;
      Publish(&batch, bounds);
      retry = kFirstRetry;
      continue;
    }
    if (stopping) {
      Log(LogLevel::kError, kComponent, "event log ", path_, ": closing with ", batch.size(),
          " events not stored: ", status.ToString());
      break;
    }
    Log(LogLevel::kError, kComponent, "event log ", path_, ": commit of ", batch.size(),
        " events failed, retrying: ", status.ToString());
    std::unique_lock<std::mutex> lock(mutex_);
    writer_wake_.wait_for(lock, retry, [this] { return stopping_; });
    retry = std::min<std::chrono::milliseconds>(retry * 2, kLastRetry);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writer_done_ = true;
  }
  committed_.notify_all();
}

absl::Status SqliteEventStore::Commit(const std::vector<Pending>& batch, Bounds* bounds) {
  absl::Status status = writer_db_->Exec("BEGIN");
  for (const Pending& pending : batch) {
    if (!status.ok()) break;
    const RetainedEvent& event = *pending.event;
    const grpc::Slice bytes = EventBytesOfWire(event.wire);  // shares the wire's memory
    insert_->BindInt64(1, static_cast<int64_t>(event.seq));
    insert_->BindInt64(2, event.kind);
    insert_->BindText(3, event.account);
    insert_->BindBlob(4, bytes.begin(), bytes.size());
    insert_->BindInt64(5, pending.received_us);
    status = insert_->Step().status();
    insert_->Reset();
    if (bounds->oldest_seq == 0) bounds->oldest_seq = event.seq;
    bounds->head_seq = event.seq;
    bounds->count++;
    bounds->bytes += RetainedBytes(event);
  }
  if (status.ok()) {
    absl::StatusOr<uint64_t> cut = RetentionCut(bounds);
    status = cut.status();
    if (cut.ok() && *cut > 0) {
      trim_->BindInt64(1, static_cast<int64_t>(*cut));
      status = trim_->Step().status();
      trim_->Reset();
    }
  }
  if (status.ok()) status = writer_db_->Exec("COMMIT");  // the fsync, in sync mode
  if (!status.ok()) {
    writer_db_->Exec("ROLLBACK").IgnoreError();  // fails harmlessly when none is open
    return status;
  }
  if (!batch.empty()) commit_count_++;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> SqliteEventStore::RetentionCut(Bounds* bounds) {
  const bool by_age = options_.retention_age.count() > 0;
  const int64_t age_cutoff_us =
      by_age ? NowMicros() -
                   std::chrono::duration_cast<std::chrono::microseconds>(options_.retention_age)
                       .count()
             : std::numeric_limits<int64_t>::min();
  auto over = [&](int64_t received_us) {
    return bounds->count > options_.retention_count || bounds->bytes > options_.retention_bytes ||
           received_us < age_cutoff_us;
  };
  const uint64_t first = bounds->oldest_seq;
  if (first == 0 || (!by_age && !over(0))) return 0;
  // Walks from the oldest: the cost is the events dropped, plus one.
  walk_->BindInt64(1, static_cast<int64_t>(first));
  absl::Status status;
  while (bounds->oldest_seq < bounds->head_seq) {  // the newest always stays
    absl::StatusOr<bool> row = walk_->Step();
    if (!row.ok() || !*row) {
      status = row.ok() ? absl::DataLossError(absl::StrCat("event log ", path_, ": seq ",
                                                           bounds->oldest_seq, " is missing"))
                        : row.status();
      break;
    }
    if (!over(walk_->Int64(3))) break;
    bounds->count--;
    bounds->bytes -= StoredRowBytes(static_cast<std::size_t>(walk_->Int64(1)),
                                    static_cast<std::size_t>(walk_->Int64(2)));
    bounds->oldest_seq = static_cast<uint64_t>(walk_->Int64(0)) + 1;
  }
  walk_->Reset();
  if (!status.ok()) return status;
  return bounds->oldest_seq > first ? bounds->oldest_seq : 0;
}

void SqliteEventStore::Publish(std::vector<Pending>* batch, const Bounds& bounds) {
  std::vector<RetainedEventPtr> evicted;  // freed after unlocking: they may be images
  std::vector<Listener> to_wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    bounds_ = bounds;
    for (Pending& pending : *batch) {
      cache_bytes_ += RetainedBytes(*pending.event);
      cache_.push_back(std::move(pending.event));
    }
    while (!cache_.empty() &&
           (cache_.size() > options_.cache_count || cache_bytes_ > options_.cache_bytes ||
            cache_.front()->seq < bounds_.oldest_seq)) {
      cache_bytes_ -= RetainedBytes(*cache_.front());
      evicted.push_back(std::move(cache_.front()));
      cache_.pop_front();
    }
    // Every registered waiter was waiting for a seq above the old head.
    if (!batch->empty()) to_wake = waiters_.TakeAll();
  }
  batch->clear();
  committed_.notify_all();
  for (Listener& wakeup : to_wake) wakeup();
}

uint64_t SqliteEventStore::head_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bounds_.head_seq;
}

uint64_t SqliteEventStore::oldest_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bounds_.oldest_seq;
}

std::size_t SqliteEventStore::retained_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bounds_.count;
}

std::size_t SqliteEventStore::retained_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bounds_.bytes;
}

EventStore::ReadResult SqliteEventStore::ReadAfter(uint64_t after_seq,
                                                   std::size_t max_events) const {
  ReadResult result;
  if (max_events == 0) return result;
  for (;;) {
    uint64_t first = 0;
    uint64_t last = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (after_seq >= bounds_.head_seq) return result;
      first = std::max(after_seq + 1, bounds_.oldest_seq);
      last = std::min<uint64_t>(bounds_.head_seq, first + max_events - 1);
      if (!cache_.empty() && cache_.front()->seq <= first) {
        const uint64_t base = cache_.front()->seq;
        result.events.assign(cache_.begin() + static_cast<std::ptrdiff_t>(first - base),
                             cache_.begin() + static_cast<std::ptrdiff_t>(last - base + 1));
      }
    }
    if (result.events.empty()) {
      absl::StatusOr<std::vector<RetainedEventPtr>> rows = ReadFile(first, last);
      if (!rows.ok()) {
        result.status = rows.status();
        return result;
      }
      // Empty: retention dropped the whole range since the bounds were read; again.
      if (rows->empty()) continue;
      result.events = *std::move(rows);
    }
    const uint64_t available = result.events.front()->seq;
    if (available > after_seq + 1) {
      wxbridge::v1::Gap& gap = result.gap.emplace();
      gap.set_first_missing_seq(after_seq + 1);
      gap.set_first_available_seq(available);
    }
    return result;
  }
}

absl::StatusOr<std::vector<RetainedEventPtr>> SqliteEventStore::ReadFile(uint64_t first,
                                                                         uint64_t last) const {
  std::vector<RetainedEventPtr> events;
  std::lock_guard<std::mutex> lock(reader_mutex_);
  select_->BindInt64(1, static_cast<int64_t>(first));
  select_->BindInt64(2, static_cast<int64_t>(last));
  absl::Status status;
  for (;;) {
    absl::StatusOr<bool> row = select_->Step();
    if (!row.ok() || !*row) {
      status = row.status();
      break;
    }
    auto event = std::make_shared<RetainedEvent>();
    event->seq = static_cast<uint64_t>(select_->Int64(0));
    event->kind = static_cast<wxbridge::v1::EventKind>(select_->Int64(1));
    event->account = select_->Text(2);
    event->wire = WireOfEventBytes(select_->BlobData(3), select_->BlobSize(3));
    events.push_back(std::move(event));
  }
  select_->Reset();
  if (!status.ok()) return status;
  return events;
}

uint64_t SqliteEventStore::NotifyAfter(uint64_t after_seq, Listener wakeup) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (bounds_.head_seq > after_seq) return 0;
  return waiters_.Add(std::move(wakeup));
}

bool SqliteEventStore::CancelNotify(uint64_t id) {
  Listener dropped;  // destroyed after unlocking: its captures are the caller's
  std::lock_guard<std::mutex> lock(mutex_);
  return waiters_.Remove(id, &dropped);
}

const char* DurabilityName(Durability durability) {
  return durability == Durability::kSync ? "sync" : "os";
}

bool ParseDurability(const std::string& text, Durability* durability) {
  if (text == "sync") {
    *durability = Durability::kSync;
  } else if (text == "os") {
    *durability = Durability::kOs;
  } else {
    return false;
  }
  return true;
}

}  // namespace wxbridge::events
