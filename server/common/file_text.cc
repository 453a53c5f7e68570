#include "server/common/file_text.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace wxbridge {

absl::StatusOr<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace wxbridge
