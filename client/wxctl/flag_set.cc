#include "client/wxctl/flag_set.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace wxbridge::wxctl {
namespace {

std::string Canonical(absl::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

absl::Status Invalid(absl::string_view what, absl::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat("not ", what, ": \"", value, "\""));
}

}  // namespace

absl::Status ParseDuration(absl::string_view text, std::chrono::milliseconds* out) {
  double seconds = 0;
  absl::Duration duration;
  if (absl::SimpleAtod(text, &seconds)) {
    duration = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &duration)) {
    return Invalid("a duration (10s, 500ms, 2m)", text);
  }
  if (duration < absl::ZeroDuration()) return Invalid("a non-negative duration", text);
  *out = std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
  return absl::OkStatus();
}

FlagSet::FlagSet(std::string usage, std::string summary)
    : usage_(std::move(usage)), summary_(std::move(summary)) {}

void FlagSet::BeginSection(std::string title) { section_ = std::move(title); }

void FlagSet::Add(std::string name, std::string value_name, std::string help, Parser parser,
                  Need need, std::string default_text) {
  flags_.push_back(Flag{Canonical(name), std::move(value_name), std::move(help), std::move(parser),
                        need, std::move(default_text), section_});
}

void FlagSet::AddString(std::string name, std::string* value, std::string help, Need need,
                        std::string value_name) {
  Add(
      std::move(name), std::move(value_name), std::move(help),
      [value](absl::string_view v) {
        *value = std::string(v);
        return absl::OkStatus();
      },
      need, value->empty() ? "" : *value);
}

void FlagSet::AddList(std::string name, std::function<void(std::string)> add, std::string help,
                      Need need) {
  Add(
      std::move(name), "A,B", std::move(help),
      [add = std::move(add)](absl::string_view v) {
        for (absl::string_view item : absl::StrSplit(v, ',', absl::SkipEmpty())) {
          add(std::string(item));
        }
        return absl::OkStatus();
      },
      need);
}

void FlagSet::AddInt(std::string name, std::function<void(int64_t)> set, std::string help,
                     Need need) {
  Add(
      std::move(name), "N", std::move(help),
      [set = std::move(set)](absl::string_view v) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(v, &n)) return Invalid("an integer", v);
        set(n);
        return absl::OkStatus();
      },
      need);
}

void FlagSet::AddUint(std::string name, std::optional<uint64_t>* value, std::string help) {
  Add(std::move(name), "N", std::move(help), [value](absl::string_view v) {
    uint64_t n = 0;
    if (!absl::SimpleAtoi(v, &n)) return Invalid("a non-negative integer", v);
    *value = n;
    return absl::OkStatus();
  });
}

void FlagSet::AddDuration(std::string name, std::chrono::milliseconds* value, std::string help) {
  std::string default_text;
  if (value->count() > 0) {
    default_text = absl::FormatDuration(absl::Milliseconds(value->count()));
  }
  Add(
      std::move(name), "DURATION", std::move(help),
      [value](absl::string_view v) { return ParseDuration(v, value); }, kOptional,
      std::move(default_text));
}

void FlagSet::AddBool(std::string name, bool* value, std::string help) {
  Add(std::move(name), "", std::move(help), [value](absl::string_view v) {
    if (v.empty() || v == "true" || v == "1") {
      *value = true;
    } else if (v == "false" || v == "0") {
      *value = false;
    } else {
      return Invalid("true or false", v);
    }
    return absl::OkStatus();
  });
}

FlagSet::Flag* FlagSet::Find(absl::string_view name) {
  const std::string canonical = Canonical(name);
  for (Flag& flag : flags_) {
    if (flag.name == canonical) return &flag;
  }
  return nullptr;
}

FlagSet::Result FlagSet::Parse(const std::vector<std::string>& args, bool stop_at_positional) {
  Result result;
  auto fail = [&result](std::string message) {
    result.outcome = Result::kError;
    result.error = std::move(message);
    return result;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      result.outcome = Result::kHelp;
      return result;
    }
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (!stop_at_positional) return fail(absl::StrCat("unexpected argument \"", arg, "\""));
      result.positional.assign(args.begin() + i, args.end());
      return result;
    }
    const std::size_t equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos ? equals : equals - 2);
    Flag* flag = Find(name);
    if (flag == nullptr) return fail(absl::StrCat("unknown flag --", name));
    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (!flag->value_name.empty()) {
      if (i + 1 == args.size()) return fail(absl::StrCat("--", flag->name, " needs a value"));
      value = args[++i];
    }
    if (absl::Status parsed = flag->parser(value); !parsed.ok()) {
      return fail(absl::StrCat("--", flag->name, ": ", parsed.message()));
    }
    flag->seen = true;
  }
  for (const Flag& flag : flags_) {
    if (flag.need == kRequired && !flag.seen) {
      return fail(absl::StrCat("missing --", flag.name));
    }
  }
  return result;
}

std::string FlagSet::Usage() const {
  std::string out = absl::StrCat("usage: ", usage_, "\n\n", summary_, "\n");
  std::string section = "\x01";  // matches no real title: the first flag opens one
  for (const Flag& flag : flags_) {
    if (flag.section != section) {
      section = flag.section;
      absl::StrAppend(&out, "\n", section.empty() ? "flags" : section, ":\n");
    }
    std::string left = absl::StrCat("  --", flag.name);
    if (!flag.value_name.empty()) absl::StrAppend(&left, "=", flag.value_name);
    if (left.size() < 24) left.resize(24, ' ');
    absl::StrAppend(&out, left, " ", flag.help);
    if (flag.need == kRequired) absl::StrAppend(&out, " (required)");
    if (!flag.default_text.empty()) absl::StrAppend(&out, " (default ", flag.default_text, ")");
    out += '\n';
  }
  return out;
}

}  // namespace wxbridge::wxctl
