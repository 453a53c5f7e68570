# Bridge + simulator over real sockets. One binary per behaviour area, so ctest -j2
# runs them side by side; the harness is shared.
add_library(wxbridge_bridge_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/bridge_harness.cc
            ${CMAKE_CURRENT_LIST_DIR}/child_process.cc)
target_include_directories(wxbridge_bridge_harness PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wxbridge_bridge_harness PUBLIC wxbridge_rpc wxbridge_sim
                      GTest::gtest)

foreach(area commands stream resilience process shutdown)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/bridge_${area}_test.cc)
    wxbridge_add_gtest(NAME bridge_${area}_test
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/bridge_${area}_test.cc
      LIBS wxbridge_bridge_harness wxbridge_protocol
      LABELS integration TIMEOUT 300)
  endif()
endforeach()
if(TARGET bridge_process_test)
  add_dependencies(bridge_process_test wxbridge)
  target_compile_definitions(bridge_process_test PRIVATE
    WXBRIDGE_BINARY="$<TARGET_FILE:wxbridge>")
endif()
