// Keeps a secret (the gateway authKey) out of events: a gateway that echoes a request
// back echoes the authKey every request carries, and events are retained, logged and
// sent to every subscriber. Scrubbing the frame's text before it is decoded covers
// raw_json and every field decoded from it at once.
#ifndef WXBRIDGE_SERVER_PROTOCOL_SECRET_SCRUBBER_H_
#define WXBRIDGE_SERVER_PROTOCOL_SECRET_SCRUBBER_H_

#include <string>
#include <string_view>
#include <vector>

namespace wxbridge::protocol {

class SecretScrubber {
 public:
  // What replaces the secret: a JSON-safe text, so a scrubbed string stays a string.
  static constexpr std::string_view kMarker = "[authKey]";

  // An empty secret scrubs nothing.
  explicit SecretScrubber(std::string_view secret);

  // `frame` itself when it holds the secret in none of its forms (the usual case: one
  // substring search per form, one form for a plain ASCII key); otherwise `storage`,
  // filled with the frame where every occurrence is kMarker.
  std::string_view Scrub(std::string_view frame, std::string* storage) const;

 private:
  // The secret as it may appear in a frame: verbatim and JSON-escaped the ways a
  // gateway may write it (\" and \\, \uXXXX for non-ASCII, \/). Distinct, non-empty.
  std::vector<std::string> forms_;
};

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_SECRET_SCRUBBER_H_
