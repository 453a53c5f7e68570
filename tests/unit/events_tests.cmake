wxbridge_add_gtest(NAME event_log_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/event_log_test.cc
  LIBS wxbridge_events)
wxbridge_add_gtest(NAME subscribe_reactor_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/subscribe_reactor_test.cc
  LIBS wxbridge_subscribe)
