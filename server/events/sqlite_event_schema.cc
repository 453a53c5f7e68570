#include "server/events/sqlite_event_schema.h"

#include "absl/strings/str_cat.h"
#include "server/events/event_wire.h"
#include "server/events/log_id.h"
#include "server/events/retained_event.h"

namespace wxbridge::events {
namespace {

constexpr char kSchemaVersion[] = "1";

// A fresh file gets everything in one transaction: a crash leaves no half a schema.
std::string CreateSchemaSql(const std::string& log_id) {
  return absl::StrCat(
      "BEGIN IMMEDIATE;"
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE events(seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
      " account TEXT NOT NULL, event BLOB NOT NULL, received_us INTEGER NOT NULL);"
      "INSERT INTO meta VALUES('schema_version', '",
      kSchemaVersion, "'), ('log_id', '", log_id,
      "');"
      "COMMIT;");
}

// What the operator should do: the data is left exactly as found.
absl::Status Refuse(absl::StatusCode code, const std::string& path, const std::string& why) {
  return absl::Status(code, absl::StrCat("event log ", path, " ", why,
                                         "; refusing to start a fresh log over it: restore it,"
                                         " or move it away to start a new log"));
}

absl::Status Unreadable(const absl::Status& status, const std::string& path) {
  return Refuse(status.code(), path,
                absl::StrCat("is corrupt or unreadable (", std::string(status.message()), ")"));
}

// quick_check's report, on one line and short: it lists every damaged page.
std::string OneLine(std::string text) {
  constexpr std::size_t kMax = 200;
  if (text.size() > kMax) text = absl::StrCat(text.substr(0, kMax), "...");
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

absl::StatusOr<int64_t> QueryInt(sqlite::Db* db, const std::string& sql) {
  absl::StatusOr<std::string> text = db->QueryText(sql);
  if (!text.ok()) return text.status();
  return text->empty() ? 0 : std::stoll(*text);
}

// Reads the bounds, checking that seqs are gap-free (retention only deletes a prefix).
absl::Status ReadBounds(sqlite::Db* db, const std::string& path, StoredLogState* state) {
  absl::StatusOr<std::unique_ptr<sqlite::Statement>> rows =
      db->Prepare("SELECT seq, length(account), length(event) FROM events ORDER BY seq");
  if (!rows.ok()) return Unreadable(rows.status(), path);
  for (;;) {
    absl::StatusOr<bool> row = (*rows)->Step();
    if (!row.ok()) return Unreadable(row.status(), path);
    if (!*row) return absl::OkStatus();
    const auto seq = static_cast<uint64_t>((*rows)->Int64(0));
    if (state->head_seq != 0 && seq != state->head_seq + 1) {
      return Refuse(absl::StatusCode::kDataLoss, path,
                    absl::StrCat("has a hole in its seqs (", state->head_seq, " then ", seq, ")"));
    }
    if (state->oldest_seq == 0) state->oldest_seq = seq;
    state->head_seq = seq;
    state->count++;
    state->bytes += StoredRowBytes(static_cast<std::size_t>((*rows)->Int64(1)),
                                   static_cast<std::size_t>((*rows)->Int64(2)));
  }
}

}  // namespace

std::size_t StoredRowBytes(std::size_t account_size, std::size_t event_size) {
  return kRetainedOverhead + account_size + WireSizeOfEventBytes(event_size);
}

absl::StatusOr<StoredLogState> OpenEventSchema(sqlite::Db* db, const std::string& path, bool sync) {
  if (absl::Status status = db->Exec("PRAGMA busy_timeout = 5000"); !status.ok()) {
    return Unreadable(status, path);
  }
  absl::StatusOr<std::string> check = db->QueryText("PRAGMA quick_check");
  if (!check.ok()) return Unreadable(check.status(), path);
  if (*check != "ok") {
    return Refuse(absl::StatusCode::kDataLoss, path,
                  absl::StrCat("failed its integrity check (", OneLine(*check), ")"));
  }
  absl::StatusOr<std::string> mode = db->QueryText("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return Unreadable(mode.status(), path);
  if (*mode != "wal") {
    return absl::FailedPreconditionError(
        absl::StrCat("event log ", path, ": cannot switch to WAL (journal_mode ", *mode, ")"));
  }
  // FULL: a commit returns once it is on disk. OFF: no fsync at all (the OS writes it).
  if (absl::Status status =
          db->Exec(sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
      !status.ok()) {
    return Unreadable(status, path);
  }

  absl::StatusOr<int64_t> tables = QueryInt(db, "SELECT count(*) FROM sqlite_master");
  if (!tables.ok()) return Unreadable(tables.status(), path);
  if (*tables == 0) {
    if (absl::Status status = db->Exec(CreateSchemaSql(NewLogId())); !status.ok()) {
      return Unreadable(status, path);
    }
  }
  absl::StatusOr<int64_t> ours = QueryInt(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'events')");
  if (!ours.ok()) return Unreadable(ours.status(), path);
  if (*ours != 2) {
    return Refuse(absl::StatusCode::kFailedPrecondition, path,
                  "is a SQLite database but not a wxbridge event log");
  }
  absl::StatusOr<std::string> version =
      db->QueryText("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version.ok()) return Unreadable(version.status(), path);
  if (*version != kSchemaVersion) {
    return Refuse(
        absl::StatusCode::kFailedPrecondition, path,
        absl::StrCat("has schema_version '", *version, "', this bridge knows ", kSchemaVersion));
  }
  StoredLogState state;
  absl::StatusOr<std::string> log_id = db->QueryText("SELECT value FROM meta WHERE key = 'log_id'");
  if (!log_id.ok()) return Unreadable(log_id.status(), path);
  if (log_id->size() != 32) {
    return Refuse(absl::StatusCode::kDataLoss, path, "has no valid log_id");
  }
  state.log_id = *std::move(log_id);
  if (absl::Status status = ReadBounds(db, path, &state); !status.ok()) return status;
  return state;
}

}  // namespace wxbridge::events
