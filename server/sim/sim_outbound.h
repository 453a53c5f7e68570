// What the simulated world hands the server to send: a frame and its
// connection.
#ifndef WXBRIDGE_SERVER_SIM_SIM_OUTBOUND_H_
#define WXBRIDGE_SERVER_SIM_SIM_OUTBOUND_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wxbridge::sim {

// Connections are numbered from 1 in the order they are accepted.
using ConnectionId = uint64_t;
inline constexpr ConnectionId kNoConnection = 0;

struct Outbound {
  ConnectionId connection;
  std::string text;
};

// Frames made at the moment they are written (a load generator stamps its send time in
// them): a connection with nothing left to write asks for its next frame; nullopt means
// none for now. Called on the I/O thread.
using FrameSource = std::function<std::optional<std::string>(ConnectionId)>;

}  // namespace wxbridge::sim

#endif  // WXBRIDGE_SERVER_SIM_SIM_OUTBOUND_H_
