// The one-process-per-data-dir rule: an exclusive flock on `<dir>/LOCK`, held for the
// life of the object. Two bridges appending to one log would number events twice; the
// kernel drops the lock when the process dies (also on kill -9), so a crash never leaves
// a stale lock behind. The file holds the owner's pid, for the refusal message only.
#ifndef WXBRIDGE_SERVER_EVENTS_DATA_DIR_LOCK_H_
#define WXBRIDGE_SERVER_EVENTS_DATA_DIR_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace wxbridge::events {

class DataDirLock {
 public:
  // Creates `dir` (and its parents) when missing, the dir owner-only, then takes the
  // lock without waiting: FAILED_PRECONDITION naming the lock file (and its holder's
  // pid) when it is held.
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(const std::string& dir);
  ~DataDirLock();  // releases the lock (closing the file does)
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  DataDirLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_DATA_DIR_LOCK_H_
