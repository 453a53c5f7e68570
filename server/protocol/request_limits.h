// How large a caller's request may be: every limit on the fields of a command request,
// each default written once, here. A request over a limit is refused INVALID_ARGUMENT
// naming the field, the limit and its flag, before anything is built or encoded.
#ifndef WXBRIDGE_SERVER_PROTOCOL_REQUEST_LIMITS_H_
#define WXBRIDGE_SERVER_PROTOCOL_REQUEST_LIMITS_H_

#include <cstddef>

namespace wxbridge::protocol {

struct RequestLimits {
  // Identifiers: account, user names, group and user ids, each wx_ids entry, tickets,
  // keys (--max_id_bytes).
  std::size_t max_id_bytes = 4096;
  // Free text: a message's content, a link's title, description and urls
  // (--max_text_bytes).
  std::size_t max_text_bytes = std::size_t{1} << 20;
  // GetContacts.wx_ids entries (--max_wx_ids).
  std::size_t max_wx_ids = 1000;
  // SendRaw.data_json: its size (room for a raw 10 MB image once base64-encoded), its
  // object keys at every level, and its nesting (--max_data_json_bytes, _keys, _depth).
  std::size_t max_data_json_bytes = std::size_t{16} << 20;
  std::size_t max_data_json_keys = 10000;
  std::size_t max_data_json_depth = 64;
};

}  // namespace wxbridge::protocol

#endif  // WXBRIDGE_SERVER_PROTOCOL_REQUEST_LIMITS_H_
