#include "server/app/auth_key_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wxbridge::app {
namespace {

absl::Status FileError(const std::string& path, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("--auth_key_file=", path, ": ", why));
}

std::string OctalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Closes the descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadAuthKeyFile(const std::string& path) {
  // The checks are made on the open descriptor, so the file read is the file checked.
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return FileError(path, absl::StrCat("cannot open: ", std::strerror(errno)));
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) {
    return FileError(path, absl::StrCat("cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) return FileError(path, "not a regular file");
  if ((info.st_mode & 077) != 0) {
    return FileError(path, absl::StrCat("group or others may access it (mode ",
                                        OctalMode(info.st_mode), "); run chmod 600 ", path));
  }
  std::string key;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError(path, absl::StrCat("cannot read: ", std::strerror(errno)));
    if (n == 0) break;
    key.append(buffer, static_cast<std::size_t>(n));
    if (key.size() > kMaxAuthKeyFileBytes) {
      return FileError(path, absl::StrCat("larger than ", kMaxAuthKeyFileBytes, " bytes"));
    }
  }
  // Editors and `echo` end the file with a newline; it is not part of the key.
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.empty()) return FileError(path, "empty");
  if (key.find_first_of("\r\n") != std::string::npos) {
    return FileError(path, "holds more than one line; it must hold only the authKey");
  }
  return key;
}

std::optional<std::string> TakeSecretFromEnvironment(const char* name) {
  char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  std::string key = value;
  // unsetenv only unlinks the entry: the original bytes stay in the block that
  // /proc/self/environ shows, so overwrite them first.
  std::memset(value, 0, key.size());
  unsetenv(name);
  if (key.empty()) return std::nullopt;
  return key;
}

absl::StatusOr<std::string> ResolveAuthKey(const std::string& flag_value,
                                           const std::string& file_path,
                                           const std::optional<std::string>& env_value) {
  std::vector<std::string> given;
  if (!flag_value.empty()) given.push_back("--auth_key");
  if (!file_path.empty()) given.push_back("--auth_key_file");
  if (env_value.has_value()) given.push_back(kAuthKeyVariable);
  if (given.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("the authKey is given more than once (", absl::StrJoin(given, ", "),
                     "): give exactly one, preferably --auth_key_file"));
  }
  if (!file_path.empty()) return ReadAuthKeyFile(file_path);
  if (env_value.has_value()) return *env_value;
  return flag_value;
}

}  // namespace wxbridge::app
