// status (the bridge's view of itself, the gateway and the accounts) and raw (any
// gateway code with a caller-supplied data object).
#include "client/wxctl/subcommand.h"

namespace wxbridge::wxctl {

namespace v1 = ::wxbridge::v1;

std::vector<std::unique_ptr<Subcommand>> BridgeCommands() {
  std::vector<std::unique_ptr<Subcommand>> commands;
  commands.push_back(MakeUnary<v1::SendRawRequest, v1::SendRawResponse>(
      "raw", "--code=N [--data=JSON]",
      "Send one frame with any gateway code (codes 100-111 complete by their own rules; "
      "others need an echoed reply before --timeout).",
      &v1::BridgeService::Stub::SendRaw, [](FlagSet& flags, v1::SendRawRequest& r) {
        r.set_data_json("{}");
        flags.AddInt(
            "code", [&r](int64_t code) { r.set_code(static_cast<int32_t>(code)); },
            "the gateway code", FlagSet::kRequired);
        flags.AddString("data", r.mutable_data_json(), "the frame's data object, as JSON",
                        FlagSet::kOptional, "JSON");
      }));
  commands.push_back(MakeUnary<v1::GetStatusRequest, v1::GetStatusResponse>(
      "status", "",
      "Show the upstream state, the accounts the bridge has seen (with their wxIds) and "
      "counters.",
      &v1::BridgeService::Stub::GetStatus, [](FlagSet&, v1::GetStatusRequest&) {}));
  return commands;
}

}  // namespace wxbridge::wxctl
