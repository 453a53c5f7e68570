# wxctl and wxbridge_client. The library's unit tests live in tests/unit/ (one file per
# module) and are registered here, beside the end-to-end test, so the client's tests
# stay in one file of the build.
wxbridge_add_gtest(NAME client_json_lines_test
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/client_json_lines_test.cc
  LIBS wxbridge_client LABELS unit)
wxbridge_add_gtest(NAME client_qr_render_test
  SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/client_qr_render_test.cc
  LIBS wxbridge_client PNG::PNG LABELS unit)

# The real wxctl binary against an in-process bridge and simulator.
if(NOT TARGET wxbridge_bridge_harness)
  return()
endif()
wxbridge_add_gtest(NAME wxctl_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/wxctl_test.cc
  LIBS wxbridge_bridge_harness wxbridge_client absl::strings
  LABELS integration TIMEOUT 300)
add_dependencies(wxctl_test wxctl)
target_compile_definitions(wxctl_test PRIVATE WXCTL_BINARY="$<TARGET_FILE:wxctl>")
