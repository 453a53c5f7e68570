#include "server/pacing/pacing_config.h"

namespace wxbridge::pacing {

bool ParsePaceMode(absl::string_view text, PaceMode* mode) {
  for (PaceMode known : {PaceMode::kAuto, PaceMode::kOn, PaceMode::kOff}) {
    if (text == PaceModeName(known)) {
      *mode = known;
      return true;
    }
  }
  return false;
}

const char* PaceModeName(PaceMode mode) {
  switch (mode) {
    case PaceMode::kAuto:
      return "auto";
    case PaceMode::kOn:
      return "on";
    case PaceMode::kOff:
      return "off";
  }
  return "auto";
}

}  // namespace wxbridge::pacing
