# Driver of the install.* tests (see CMakeLists.txt here); one step per run:
#   cmake -DLUT_STEP=tree|consumer|tools -DLUT_BUILD_DIR=... -P InstallTest.cmake
cmake_minimum_required(VERSION 3.20)

set(prefix ${LUT_WORK_DIR}/prefix)
set(ffn ${LUT_CONSUMER_DIR}/ffn.mlir)

# Runs a command (a pipeline if there are several COMMAND groups), echoing
# it; stops the test if any part fails.
function(run)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "${shown}")
  execute_process(${ARGN} RESULTS_VARIABLE results)
  foreach(result ${results})
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "failed (${results}): ${shown}")
    endif()
  endforeach()
endfunction()

if(LUT_STEP STREQUAL "tree")
  file(REMOVE_RECURSE ${prefix})
  run(COMMAND ${CMAKE_COMMAND} --install ${LUT_BUILD_DIR} --prefix ${prefix}
      OUTPUT_QUIET)
  foreach(file
      lib/cmake/LutMLIR/LutMLIRConfig.cmake
      lib/cmake/LutMLIR/LutMLIRConfigVersion.cmake
      lib/cmake/LutMLIR/LutMLIRTargets.cmake
      include/lut/InitAll.h
      include/lut/Dialect/Lut/IR/LutOps.td
      include/lut/Dialect/Lut/IR/LutOps.h.inc
      include/lut/Dialect/Lut/Transforms/Passes.h.inc
      include/lut-c/Dialects.h
      include/lut-c/Runtime.h
      lib/libLutDialect.a lib/libLutTransforms.a lib/libLutFit.a
      lib/libLutCAPI.so lib/libLutRuntime.so lib/LutPlugin.so
      bin/lutc bin/lut-opt bin/lut-translate bin/lut-run)
    if(NOT EXISTS ${prefix}/${file})
      message(FATAL_ERROR "not installed: ${prefix}/${file}")
    endif()
  endforeach()
  file(GLOB_RECURSE build_files LIST_DIRECTORIES true ${prefix}/*)
  list(FILTER build_files INCLUDE REGEX "/CMakeFiles(/|$)|CMakeLists.txt$")
  if(build_files)
    message(FATAL_ERROR "build-tree files installed: ${build_files}")
  endif()

elseif(LUT_STEP STREQUAL "consumer")
  set(build ${LUT_WORK_DIR}/consumer-build)
  file(REMOVE_RECURSE ${build})
  run(COMMAND ${CMAKE_COMMAND} -G Ninja -S ${LUT_CONSUMER_DIR} -B ${build}
        -DCMAKE_BUILD_TYPE=Release
        -DCMAKE_MAKE_PROGRAM=${LUT_MAKE_PROGRAM}
        -DCMAKE_CXX_COMPILER=${LUT_CXX_COMPILER}
        -DCMAKE_CXX_COMPILER_LAUNCHER=${LUT_CXX_COMPILER_LAUNCHER}
        -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld
        -DCMAKE_PREFIX_PATH=${prefix}
      OUTPUT_QUIET)
  run(COMMAND ${CMAKE_COMMAND} --build ${build})
  run(COMMAND ${build}/lut-consumer ${ffn}
      COMMAND ${LUT_FILECHECK} ${ffn})

elseif(LUT_STEP STREQUAL "tools")
  # The installed binaries find their libraries and libMLIR.so (RUNPATH).
  run(COMMAND ${prefix}/bin/lut-opt ${ffn} --lut-detect-mlp
      COMMAND ${LUT_FILECHECK} ${ffn})
  run(COMMAND ${LUT_MLIR_OPT} ${ffn}
        --load-dialect-plugin=${prefix}/lib/LutPlugin.so
        --load-pass-plugin=${prefix}/lib/LutPlugin.so
        "--pass-pipeline=builtin.module(func.func(lut-detect-mlp))"
      COMMAND ${LUT_FILECHECK} ${ffn})

else()
  message(FATAL_ERROR "unknown LUT_STEP '${LUT_STEP}'")
endif()
