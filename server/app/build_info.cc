// The build's identity, in a translation unit of its own: the commit changes with every
// configure, and only this file is then recompiled.
#include "server/app/bridge_server.h"

namespace wxbridge::app {

const char kBridgeVersion[] = WXBRIDGE_VERSION;
const char kBridgeCommit[] = WXBRIDGE_GIT_COMMIT;

}  // namespace wxbridge::app
