// A tiny command-line flag parser for wxctl: each subcommand owns a FlagSet, so
// `wxctl <command> --help` lists exactly that command's flags.
//
// Accepted forms: --name=value, --name value, and --name for booleans. Dashes and
// underscores in names are interchangeable (--after-seq is --after_seq). -h and --help
// ask for usage. Flags bind straight to the caller's variables (or setters).
#ifndef WXBRIDGE_CLIENT_WXCTL_FLAG_SET_H_
#define WXBRIDGE_CLIENT_WXCTL_FLAG_SET_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wxbridge::wxctl {

class FlagSet {
 public:
  // `usage` is the synopsis line ("wxctl login --account=ID [flags]"); `summary` says
  // what the command does.
  FlagSet(std::string usage, std::string summary);

  // Parses one value; an error message says what is wrong with it.
  using Parser = std::function<absl::Status(absl::string_view value)>;

  enum Need { kOptional, kRequired };

  // The general form: `value_name` is shown in usage ("--account=ID"); `default_text`
  // (may be empty) too.
  void Add(std::string name, std::string value_name, std::string help, Parser parser,
           Need need = kOptional, std::string default_text = "");
  void AddString(std::string name, std::string* value, std::string help, Need need = kOptional,
                 std::string value_name = "TEXT");
  // Repeatable, and each value may be a comma-separated list.
  void AddList(std::string name, std::function<void(std::string)> add, std::string help,
               Need need = kOptional);
  void AddInt(std::string name, std::function<void(int64_t)> set, std::string help,
              Need need = kOptional);
  void AddUint(std::string name, std::optional<uint64_t>* value, std::string help);
  // "10s", "500ms", "2m", "1h", or a plain number of seconds.
  void AddDuration(std::string name, std::chrono::milliseconds* value, std::string help);
  void AddBool(std::string name, bool* value, std::string help);

  // Flags added after this call are listed under `title` in the usage text.
  void BeginSection(std::string title);

  struct Result {
    enum Outcome { kOk, kHelp, kError } outcome = kOk;
    std::string error;                    // kError: what was wrong
    std::vector<std::string> positional;  // with stop_at_positional: the rest
  };
  // Parses `args`. Without `stop_at_positional` a positional argument is an error; with
  // it, parsing stops there and the rest (from it on) is returned. Missing required
  // flags are an error (not checked when stopping early).
  Result Parse(const std::vector<std::string>& args, bool stop_at_positional = false);

  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for booleans
    std::string help;
    Parser parser;
    Need need;
    std::string default_text;
    std::string section;
    bool seen = false;
  };
  Flag* Find(absl::string_view name);

  std::string usage_;
  std::string summary_;
  std::string section_;
  std::vector<Flag> flags_;
};

// "10s", "500ms", "2m", "1h" or a plain number of seconds; non-negative.
absl::Status ParseDuration(absl::string_view text, std::chrono::milliseconds* out);

}  // namespace wxbridge::wxctl

#endif  // WXBRIDGE_CLIENT_WXCTL_FLAG_SET_H_
