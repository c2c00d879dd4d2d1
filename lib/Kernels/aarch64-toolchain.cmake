# Cross toolchain for LutKernels_aarch64: clang targeting aarch64-linux-gnu,
# with Debian's cross libc (libc6-dev-arm64-cross) and the gcc-cross crt files
# and libgcc (gcc-aarch64-linux-gnu), linked with lld. Used by
# lib/Kernels/CMakeLists.txt through ExternalProject.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
if(NOT LUTK_CLANG_C)
  set(LUTK_CLANG_C clang-22)
endif()
if(NOT LUTK_CLANG_CXX)
  set(LUTK_CLANG_CXX clang++-22)
endif()
set(CMAKE_C_COMPILER ${LUTK_CLANG_C})
set(CMAKE_CXX_COMPILER ${LUTK_CLANG_CXX})
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_EXE_LINKER_FLAGS_INIT -fuse-ld=lld)
# There is no C++ runtime for the target: compiler checks build archives.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
