#include "server/pacing/pace_rate.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wxbridge::pacing {
namespace {

using std::chrono::seconds;

constexpr uint32_t kMostPerUnit = 1000000;

struct Unit {
  const char* name;
  seconds length;
};
// The first spelling of each length is the one FormatPaceRate writes.
constexpr Unit kUnits[] = {
    {"s", seconds(1)},     {"sec", seconds(1)},     {"second", seconds(1)}, {"min", seconds(60)},
    {"m", seconds(60)},    {"minute", seconds(60)}, {"h", seconds(3600)},   {"hour", seconds(3600)},
    {"d", seconds(86400)}, {"day", seconds(86400)},
};

absl::Status Invalid(absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not a rate: write N/s, N/min, N/h or N/day (N from 1 to ",
                   kMostPerUnit, "), or off"));
}

}  // namespace

absl::StatusOr<PaceRate> ParsePaceRate(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed == "off") return PaceRate{};
  const auto slash = trimmed.find('/');
  if (slash == absl::string_view::npos) return Invalid(text);
  uint32_t count = 0;
  if (!absl::SimpleAtoi(trimmed.substr(0, slash), &count) || count == 0 || count > kMostPerUnit) {
    return Invalid(text);
  }
  const absl::string_view unit = trimmed.substr(slash + 1);
  for (const Unit& known : kUnits) {
    if (unit == known.name) return PaceRate{count, known.length};
  }
  return Invalid(text);
}

std::string FormatPaceRate(const PaceRate& rate) {
  if (!rate.limited()) return "off";
  for (const Unit& known : kUnits) {
    if (rate.per == known.length) return absl::StrCat(rate.count, "/", known.name);
  }
  return absl::StrCat(rate.count, "/", rate.per.count(), "s");
}

}  // namespace wxbridge::pacing
