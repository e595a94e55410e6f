# Included from src/CMakeLists.txt: compiles the files `tinyforge deploy` writes into projects
# into the host library (templates, micro/ sources, the portable app core).
file(GLOB_RECURSE TINYFORGE_EMBEDDED_INPUTS CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/deploy/templates/*
  ${CMAKE_SOURCE_DIR}/micro/include/*.h ${CMAKE_SOURCE_DIR}/micro/src/*.h ${CMAKE_SOURCE_DIR}/micro/src/*.cc
  ${CMAKE_SOURCE_DIR}/firmware/app/include/*.h ${CMAKE_SOURCE_DIR}/firmware/app/src/*.cc)
set(TINYFORGE_EMBEDDED_CC ${TINYFORGE_GENERATED_DIR}/tinyforge/deploy/embedded_files.cc)
add_custom_command(
  OUTPUT ${TINYFORGE_EMBEDDED_CC}
  COMMAND ${CMAKE_COMMAND} -DROOT=${CMAKE_SOURCE_DIR} -DOUTPUT=${TINYFORGE_EMBEDDED_CC}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake
  DEPENDS ${TINYFORGE_EMBEDDED_INPUTS} ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake
  COMMENT "Embedding deploy templates, micro/ and the app core")
target_sources(tinyforge PRIVATE ${TINYFORGE_EMBEDDED_CC})
