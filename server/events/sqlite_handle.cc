#include "server/events/sqlite_handle.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"

namespace wxbridge::events::sqlite {

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, bool create) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return absl::UnavailableError(absl::StrCat("cannot open ", path, ": ", message));
  }
  // Extended codes tell SQLITE_IOERR_FSYNC from other I/O errors in messages.
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Db>(new Db(db));
}

Db::~Db() { sqlite3_close_v2(db_); }

absl::Status Db::Check(int rc, const std::string& what) const {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", sqlite3_errmsg(db_));
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::FailedPreconditionError(message);
    default:
      return absl::UnavailableError(message);
  }
}

absl::Status Db::Exec(const std::string& sql) {
  return Check(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), sql);
}

absl::StatusOr<std::unique_ptr<Statement>> Db::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Check(rc, sql);
  }
  return std::make_unique<Statement>(this, stmt);
}

absl::StatusOr<std::string> Db::QueryText(const std::string& sql) {
  absl::StatusOr<std::unique_ptr<Statement>> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = (*stmt)->Step();
  if (!row.ok()) return row.status();
  return *row ? (*stmt)->Text(0) : std::string();
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::BindInt64(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Statement::BindText(int index, const std::string& value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
}

void Statement::BindBlob(int index, const void* data, std::size_t size) {
  sqlite3_bind_blob64(stmt_, index, data, size, SQLITE_STATIC);
}

absl::StatusOr<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Check(rc, sqlite3_sql(stmt_));
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text != nullptr
             ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
}

const void* Statement::BlobData(int column) const { return sqlite3_column_blob(stmt_, column); }

std::size_t Statement::BlobSize(int column) const {
  return static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
}

}  // namespace wxbridge::events::sqlite
