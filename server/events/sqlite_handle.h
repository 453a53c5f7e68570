// Thin owners of a SQLite connection and its prepared statements, turning SQLite's
// result codes into absl::Status with SQLite's own message. Only the SQLite store's .cc
// files use these; no SQLite type leaks past them into a header.
#ifndef WXBRIDGE_SERVER_EVENTS_SQLITE_HANDLE_H_
#define WXBRIDGE_SERVER_EVENTS_SQLITE_HANDLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace wxbridge::events::sqlite {

class Statement;

// One connection. Not thread-safe (opened without SQLite's own mutex): its owner
// serializes use, as the store does with one writer thread and one guarded reader.
class Db {
 public:
  // Opens (and, with `create`, creates) the database file at `path`.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `sql` (one or more statements), ignoring any rows.
  absl::Status Exec(const std::string& sql);
  absl::StatusOr<std::unique_ptr<Statement>> Prepare(const std::string& sql);
  // The first column of the first row of `sql` as text ("" when there is no row).
  absl::StatusOr<std::string> QueryText(const std::string& sql);

  // A status for result code `rc` ("what: SQLite's message"); OK for SQLITE_OK/DONE.
  absl::Status Check(int rc, const std::string& what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

class Statement {
 public:
  Statement(const Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bound values are not copied: they must stay alive until Reset.
  void BindInt64(int index, int64_t value);
  void BindText(int index, const std::string& value);
  void BindBlob(int index, const void* data, std::size_t size);
  // True: a row is ready; false: done.
  absl::StatusOr<bool> Step();
  // Ready to run again, bindings cleared.
  void Reset();

  int64_t Int64(int column) const;
  std::string Text(int column) const;
  const void* BlobData(int column) const;  // valid until the next Step or Reset
  std::size_t BlobSize(int column) const;

 private:
  const Db* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace wxbridge::events::sqlite

#endif  // WXBRIDGE_SERVER_EVENTS_SQLITE_HANDLE_H_
