// Waiting for state that can only be polled (GetStatus, health, a registry's count):
// re-checks a condition until it holds or a deadline passes; never a plain sleep.
#ifndef WXBRIDGE_TESTS_SUPPORT_POLL_UNTIL_H_
#define WXBRIDGE_TESTS_SUPPORT_POLL_UNTIL_H_

#include <chrono>
#include <functional>

namespace wxbridge::testing {

// Re-checks `condition` every 2 ms until it holds (true) or `timeout` passes (false).
// The wait ends as soon as the condition holds, so a generous timeout costs nothing.
bool PollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace wxbridge::testing

#endif  // WXBRIDGE_TESTS_SUPPORT_POLL_UNTIL_H_
