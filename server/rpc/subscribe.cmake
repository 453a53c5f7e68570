# Subscribe streams: the reactor over the event log, request parsing, the registry.
add_library(wxbridge_subscribe STATIC
  ${CMAKE_CURRENT_LIST_DIR}/subscriber_registry.cc
  ${CMAKE_CURRENT_LIST_DIR}/subscribe_request.cc
  ${CMAKE_CURRENT_LIST_DIR}/subscribe_reactor.cc
  ${CMAKE_CURRENT_LIST_DIR}/wakeup_dispatcher.cc)
target_include_directories(wxbridge_subscribe PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(wxbridge_subscribe
  PUBLIC wxbridge_events wxbridge_proto gRPC::grpc++ absl::strings
  PRIVATE wxbridge_common)
