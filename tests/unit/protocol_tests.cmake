# Codec unit tests (server/protocol): the document's samples live in testdata/.
wxbridge_add_gtest(
  NAME protocol_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/base64_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/frame_encoder_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/command_builder_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/frame_decoder_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/protocol_testdata.cc
  LIBS wxbridge_protocol nlohmann_json::nlohmann_json
  LABELS unit)
target_compile_definitions(protocol_codec_test PRIVATE
  WXBRIDGE_PROTOCOL_TESTDATA="${CMAKE_CURRENT_LIST_DIR}/testdata")
