#include "server/events/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::events {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

// What the holder wrote into the lock file: its pid, or "" when unreadable.
std::string HolderOf(int fd) {
  char buffer[32] = {};
  const ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "";
  return std::string(absl::StripAsciiWhitespace(std::string(buffer, static_cast<size_t>(n))));
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("no data dir given");
  std::error_code error;
  // A dir we create is the owner's alone: the log holds every chat message.
  if (std::filesystem::create_directories(dir, error)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create data dir ", dir, ": ", error.message()));
  }
  std::string path = (std::filesystem::path(dir) / "LOCK").string();
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open ", path, ": ", ErrnoText(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int lock_error = errno;
    const std::string holder = HolderOf(fd);
    close(fd);
    if (lock_error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("data dir ", dir, " is in use by another process (lock ", path, " is held",
                       holder.empty() ? std::string() : absl::StrCat(" by pid ", holder), ")"));
    }
    return absl::UnavailableError(absl::StrCat("cannot lock ", path, ": ", ErrnoText(lock_error)));
  }
  const std::string pid = absl::StrCat(getpid(), "\n");
  // Best effort: only a refusal message reads it, the lock itself is the flock.
  [[maybe_unused]] const bool written =
      ftruncate(fd, 0) == 0 && pwrite(fd, pid.data(), pid.size(), 0) >= 0;
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd, std::move(path)));
}

DataDirLock::~DataDirLock() { close(fd_); }

}  // namespace wxbridge::events
