// A log's identity: 128 random bits as 32 lowercase hex digits, made once per log (per
// process for the memory ring, once per file for a durable log).
#ifndef WXBRIDGE_SERVER_EVENTS_LOG_ID_H_
#define WXBRIDGE_SERVER_EVENTS_LOG_ID_H_

#include <string>

namespace wxbridge::events {

std::string NewLogId();

}  // namespace wxbridge::events

#endif  // WXBRIDGE_SERVER_EVENTS_LOG_ID_H_
