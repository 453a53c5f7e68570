// A whole file read into memory, for the small files the bridge loads at start and on
// SIGHUP (tokens, certificates).
#ifndef WXBRIDGE_SERVER_COMMON_FILE_TEXT_H_
#define WXBRIDGE_SERVER_COMMON_FILE_TEXT_H_

#include <string>

#include "absl/status/statusor.h"

namespace wxbridge {

// The file's bytes, or INVALID_ARGUMENT "cannot read PATH".
absl::StatusOr<std::string> ReadFileText(const std::string& path);

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_FILE_TEXT_H_
