// Where the gateway authKey comes from: at most one of --auth_key, --auth_key_file and
// the WXBRIDGE_AUTH_KEY environment variable. The file is the safe choice (flags show in
// ps, the environment in /proc/PID/environ), so it is checked like an ssh key: owner
// only. The variable is wiped from the process as soon as it has been read.
#ifndef WXBRIDGE_SERVER_APP_AUTH_KEY_SOURCE_H_
#define WXBRIDGE_SERVER_APP_AUTH_KEY_SOURCE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace wxbridge::app {

inline constexpr char kAuthKeyVariable[] = "WXBRIDGE_AUTH_KEY";
// Cluster mode: the NATS URL, which may carry a user and password, instead of --nats_url.
inline constexpr char kNatsUrlVariable[] = "WXBRIDGE_NATS_URL";
// A key file larger than this is a wrong path, not a key.
inline constexpr std::size_t kMaxAuthKeyFileBytes = std::size_t{64} << 10;

// The key in `path`, without one trailing "\n" or "\r\n". INVALID_ARGUMENT naming
// --auth_key_file when the file is unreadable, not a regular file, accessible by group
// or others (mode & 077), empty, larger than kMaxAuthKeyFileBytes or holds more than
// one line. Messages never quote the file's content.
absl::StatusOr<std::string> ReadAuthKeyFile(const std::string& path);

// A secret variable's value (the authKey, WXBRIDGE_NATS_URL with its password), removed
// from the environment (unsetenv) and overwritten where /proc/self/environ shows it;
// nullopt when it is unset or empty (it is removed anyway).
std::optional<std::string> TakeSecretFromEnvironment(const char* name = kAuthKeyVariable);

// The authKey from the one source given: `flag_value` (--auth_key), `file_path`
// (--auth_key_file) or `env_value`; empty when none is. Two or more: INVALID_ARGUMENT
// naming them, since silently preferring one hides a stale secret.
absl::StatusOr<std::string> ResolveAuthKey(const std::string& flag_value,
                                           const std::string& file_path,
                                           const std::optional<std::string>& env_value);

}  // namespace wxbridge::app

#endif  // WXBRIDGE_SERVER_APP_AUTH_KEY_SOURCE_H_
