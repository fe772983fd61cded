# Writes the built-in kernel sources into a C++ include file:
#   cmake -DOUTPUT=<file> -DSOURCES=<a.mlir,b.mlir> -P EmbedKernels.cmake
string(REPLACE "," ";" SOURCES "${SOURCES}")
set(content "// Generated from lib/Kernels/*.mlir by EmbedKernels.cmake.\n")
foreach(source ${SOURCES})
  get_filename_component(name ${source} NAME_WE)
  file(READ ${source} text)
  string(APPEND content "{\"${name}\", R\"bi_kernel(${text})bi_kernel\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "${content}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
