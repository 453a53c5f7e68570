// The SQLite event log's file: its schema, its log_id and what opening it checks. The
// rule is never to start a fresh log over old data: a file that is not a readable
// wxbridge event log of a known version is refused with a message saying what to do.
//
// Schema (version 1):
//   meta(key TEXT PRIMARY KEY, value TEXT)   schema_version, log_id (128-bit hex)
//   events(seq INTEGER PRIMARY KEY,          gap-free; retention deletes a prefix
//          kind INTEGER,                     wxbridge.v1.EventKind, for filters
//          account TEXT,                     for filters
//          event BLOB,                       Event{seq, ...} as serialized (cut when
//                                            over max_event_bytes): the Subscribe
//                                            bytes without their 2-6 byte envelope
//          received_us INTEGER)              Event.received_at, for age retention
#ifndef WXBRIDGE_SERVER_EVENTS_SQLITE_EVENT_SCHEMA_H_
#define WXBRIDGE_SERVER_EVENTS_SQLITE_EVENT_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "server/events/sqlite_handle.h"

namespace wxbridge::events {

// What a log holds when it is opened.
struct StoredLogState {
  std::string log_id;
  uint64_t head_seq = 0;    // 0 when empty
  uint64_t oldest_seq = 0;  // 0 when empty
  std::size_t count = 0;
  std::size_t bytes = 0;  // sum of RetainedBytes
};

// Opens the log at `path` in `db` (the writer's connection): checks the file
// (quick_check, which reads every page: a 256 MiB log takes well under a second),
// switches to WAL, sets synchronous (FULL when `sync`, else OFF), creates the schema
// and a new log_id in a file with no tables, and reads the bounds. DATA_LOSS for a file
// that is corrupt or not a database; FAILED_PRECONDITION for a database that is not a
// wxbridge event log or has an unknown schema_version.
absl::StatusOr<StoredLogState> OpenEventSchema(sqlite::Db* db, const std::string& path, bool sync);

// The RetainedBytes of a stored row, from its column sizes.
std::size_t StoredRowBytes(std::size_t account_size, std::size_t event_size);

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_SQLITE_EVENT_SCHEMA_H_
