wxbridge_add_gtest(NAME clock_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/clock_test.cc
  LIBS wxbridge_common)
