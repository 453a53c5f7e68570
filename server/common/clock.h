// Wall-clock time as a protobuf Timestamp with full (nanosecond) precision; protobuf
// 3.21's TimeUtil::GetCurrentTime() on Debian 12 drops the sub-second part.
#ifndef WXBRIDGE_SERVER_COMMON_CLOCK_H_
#define WXBRIDGE_SERVER_COMMON_CLOCK_H_

#include "google/protobuf/timestamp.pb.h"

namespace wxbridge {

google::protobuf::Timestamp NowTimestamp();

}  // namespace wxbridge

#endif  // WXBRIDGE_SERVER_COMMON_CLOCK_H_
