// wxctl: a command-line client for wxbridge (wxbridge.v1.BridgeService). One subcommand
// per RPC; results as JSON lines on stdout; failures as "ERROR: <CODE>: <message>" on
// stderr. Exit status: 0 ok, 1 the call failed, 2 bad command line.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/wxctl/command_context.h"
#include "client/wxctl/flag_set.h"
#include "client/wxctl/subcommand.h"
#include "grpc/support/log.h"

namespace wxbridge::wxctl {
namespace {

std::vector<std::unique_ptr<Subcommand>> AllSubcommands() {
  std::vector<std::unique_ptr<Subcommand>> all;
  for (auto group :
       {SessionCommands, MessageCommands, SocialCommands, BridgeCommands, SubscribeCommands}) {
    for (auto& command : group()) all.push_back(std::move(command));
  }
  return all;
}

std::string MainUsage(const FlagSet& global_flags,
                      const std::vector<std::unique_ptr<Subcommand>>& commands) {
  std::string usage = global_flags.Usage();
  usage += "\ncommands (wxctl <command> --help for their flags):\n";
  for (const auto& command : commands) {
    std::string name = "  " + command->name();
    name.resize(18, ' ');
    // The summary's first clause.
    const std::string& summary = command->summary();
    const std::string clause = summary.substr(0, summary.find_first_of(".("));
    absl::StrAppend(&usage, name, absl::StripTrailingAsciiWhitespace(clause), "\n");
  }
  return usage;
}

// gRPC's own log lines (a failed TLS handshake, say) repeat what the ERROR line says, in
// gRPC's words; GRPC_VERBOSITY brings them back.
void QuietGrpcLog() {
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function([](gpr_log_func_args*) {});
}

int Main(const std::vector<std::string>& args) {
  QuietGrpcLog();
  GlobalOptions options = DefaultGlobalOptions();
  FlagSet global_flags("wxctl [global flags] <command> [flags]",
                       "A command-line client for wxbridge.");
  AddGlobalFlags(global_flags, &options);
  const auto commands = AllSubcommands();

  FlagSet::Result global = global_flags.Parse(args, /*stop_at_positional=*/true);
  if (global.outcome == FlagSet::Result::kHelp) {
    std::cout << MainUsage(global_flags, commands);
    return kExitOk;
  }
  if (global.outcome == FlagSet::Result::kError || global.positional.empty()) {
    std::cerr << "wxctl: "
              << (global.positional.empty() && global.error.empty() ? "missing command"
                                                                    : global.error)
              << "\n\n"
              << MainUsage(global_flags, commands);
    return kExitUsage;
  }

  const std::string& name = global.positional.front();
  Subcommand* command = nullptr;
  for (const auto& candidate : commands) {
    if (candidate->name() == name) command = candidate.get();
  }
  if (command == nullptr) {
    std::cerr << "wxctl: unknown command \"" << name << "\"\n\n"
              << MainUsage(global_flags, commands);
    return kExitUsage;
  }

  FlagSet flags("wxctl " + name + " " + command->synopsis(), command->summary());
  command->DefineFlags(flags);
  AddGlobalFlags(flags, &options);  // accepted after the command name too
  const std::vector<std::string> rest(global.positional.begin() + 1, global.positional.end());
  FlagSet::Result parsed = flags.Parse(rest);
  if (parsed.outcome == FlagSet::Result::kHelp) {
    std::cout << flags.Usage();
    return kExitOk;
  }
  if (parsed.outcome == FlagSet::Result::kError) {
    std::cerr << "wxctl " << name << ": " << parsed.error << "\n\n" << flags.Usage();
    return kExitUsage;
  }
  CommandContext context(options);
  // An unreadable PEM file or an unusable token is a usage error, found before any call.
  if (absl::Status opened = context.Open(); !opened.ok()) {
    std::cerr << "wxctl " << name << ": " << opened.message() << "\n\n" << flags.Usage();
    return kExitUsage;
  }
  return command->Run(context);
}

}  // namespace
}  // namespace wxbridge::wxctl

int main(int argc, char** argv) {
  return wxbridge::wxctl::Main(std::vector<std::string>(argv + 1, argv + argc));
}
