// wxbench_sim: the gateway simulator in a process of its own, so the bench can
// measure its CPU apart from the bridge's. Prints "(port N)" once serving.
// Commands, one per line on stdin:
//   push COUNT RATE FRAME   COUNT copies of FRAME to the open connections at RATE
//                           per second (0: as fast as they take them), "%SEND_NS%"
//                           in FRAME stamped with the send time (see SimPusher)
// End of stdin or SIGTERM stops it.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "server/sim/simulator.h"
#include "tests/bench/sim_pusher.h"

ABSL_FLAG(int, port, 0, "listen port (0 picks a free one)");
ABSL_FLAG(std::string, ack, "echo", "replies echo msgId (echo) or not (none)");
ABSL_FLAG(std::string, auth_key, "wxsim-key", "the authKey the simulator accepts");

namespace {

void ServeCommands(wxbridge::sim::Simulator &simulator) {
  wxbridge::bench::SimPusher pusher(simulator);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string verb;
    std::size_t count = 0;
    double rate = 0;
    in >> verb >> count >> rate;
    std::string frame;
    std::getline(in >> std::ws, frame);
    if (verb == "push" && !frame.empty()) {
      pusher.Start(frame, count, rate);
    } else {
      std::fprintf(stderr, "wxbench_sim: unknown command: %s\n", line.c_str());
    }
  }
}

}  // namespace

int main(int argc, char **argv) {
  absl::ParseCommandLine(argc, argv);
  std::signal(SIGPIPE, SIG_IGN);
  wxbridge::sim::SimulatorConfig config;
  config.port = static_cast<uint16_t>(absl::GetFlag(FLAGS_port));
  config.auth_key = absl::GetFlag(FLAGS_auth_key);
  config.ack_mode = absl::GetFlag(FLAGS_ack) == "none" ? wxbridge::sim::AckMode::kNone
                                                       : wxbridge::sim::AckMode::kEcho;
  // Benchmarks log accounts in without waiting for a human to scan.
  config.scan_delay = std::chrono::milliseconds(0);
  config.step_delay = std::chrono::milliseconds(0);
  wxbridge::sim::Simulator simulator(config);
  if (absl::Status status = simulator.Start(); !status.ok()) {
    std::fprintf(stderr, "wxbench_sim: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("wxbench_sim serving %s (port %d)\n", simulator.url().c_str(), simulator.port());
  std::fflush(stdout);
  ServeCommands(simulator);  // returns when the bench closes our stdin
  simulator.Stop();
  return 0;
}
