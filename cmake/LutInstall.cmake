# Installation and CMake package of lut-mlir: everything `cmake --install`
# does is set up here, and only here. Included at the end of the top-level
# CMakeLists.txt, once every target exists.
#
#   cmake --install <build> --prefix <P>
#
# installs under <P>:
#   include/lut/**, include/lut-c/**  public headers, the .td sources and the
#                                     .inc files generated from them
#   lib/                              LUT_INSTALL_LIBRARIES (LutPlugin.so included)
#   bin/                              LUT_INSTALL_TOOLS
#   lib/cmake/LutMLIR/                LutMLIRConfig.cmake, LutMLIRConfigVersion.cmake
#                                     and LutMLIRTargets*.cmake: imported
#                                     targets LutMLIR::<name> for all of the above
#
# To install and export a new library or tool, add its target name to the
# list below. A library linked PUBLIC by an installed one must be listed as
# well; CMake stops at generate time if it is not ("... requires target X
# that is not in any export set"). Headers under include/lut and include/lut-c
# need nothing: the whole trees are installed.
#
# add_mlir_library() has install rules of its own (into MLIR's export set);
# the top-level CMakeLists.txt turns them off (LLVM_INSTALL_TOOLCHAIN_ONLY)
# so that nothing is installed twice or exported under another name.

set(LUT_INSTALL_BINDIR bin)
set(LUT_INSTALL_INCLUDEDIR include)
set(LUT_INSTALL_LIBDIR lib)
# Named after the package: find_package(LutMLIR) looks in <prefix>/lib/cmake/LutMLIR*/
# (case-insensitive), so a directory called lut-mlir would not be found.
set(LUT_CMAKE_PACKAGE_DIR ${LUT_INSTALL_LIBDIR}/cmake/LutMLIR)

set(LUT_INSTALL_LIBRARIES
  LutDialect LutTransforms LutToLinalg LutCodegen LutHLS LutPipelines LutFit LutRuntime LutTensorIO
  LutOnnxImport LutCompiler LutCAPI LutPlugin LutKernels)
if(TARGET LutDense)
  list(APPEND LUT_INSTALL_LIBRARIES LutDense)
endif()
set(LUT_INSTALL_TOOLS lutc lut-opt lut-translate lut-run lut-run-lite)

# Installed binaries find the installed libraries next to them and libMLIR.so
# where MLIR is (/usr/lib/llvm-22/lib is not on the loader's default path).
set_target_properties(${LUT_INSTALL_LIBRARIES} ${LUT_INSTALL_TOOLS} PROPERTIES
  INSTALL_RPATH "\$ORIGIN/../lib;${LLVM_LIBRARY_DIR}")

install(TARGETS ${LUT_INSTALL_LIBRARIES} ${LUT_INSTALL_TOOLS}
  EXPORT LutMLIRTargets
  ARCHIVE DESTINATION ${LUT_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${LUT_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${LUT_INSTALL_BINDIR}
  INCLUDES DESTINATION ${LUT_INSTALL_INCLUDEDIR})

# The AArch64 kernel archive and runner (lib/Kernels), for lutc
# --mtriple=aarch64-linux-gnu from the installed tree.
if(LUTK_AARCH64_LIB)
  install(FILES ${LUTK_AARCH64_LIB} DESTINATION ${LUT_INSTALL_LIBDIR})
  install(PROGRAMS ${LUT_AARCH64_RUN_LITE} DESTINATION ${LUT_INSTALL_LIBDIR}/aarch64-linux-gnu)
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lut ${PROJECT_SOURCE_DIR}/include/lut-c
  DESTINATION ${LUT_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/lut
  DESTINATION ${LUT_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.inc" PATTERN "*.td"
  PATTERN "CMakeFiles" EXCLUDE)

install(EXPORT LutMLIRTargets
  NAMESPACE LutMLIR::
  FILE LutMLIRTargets.cmake
  DESTINATION ${LUT_CMAKE_PACKAGE_DIR})

include(CMakePackageConfigHelpers)
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/LutMLIRConfig.cmake.in
  ${PROJECT_BINARY_DIR}/${LUT_CMAKE_PACKAGE_DIR}/LutMLIRConfig.cmake
  INSTALL_DESTINATION ${LUT_CMAKE_PACKAGE_DIR}
  PATH_VARS LUT_INSTALL_BINDIR LUT_INSTALL_INCLUDEDIR LUT_INSTALL_LIBDIR)
# The libraries are bound to one MLIR build and change ABI between minor
# versions.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/${LUT_CMAKE_PACKAGE_DIR}/LutMLIRConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/${LUT_CMAKE_PACKAGE_DIR}/LutMLIRConfig.cmake
  ${PROJECT_BINARY_DIR}/${LUT_CMAKE_PACKAGE_DIR}/LutMLIRConfigVersion.cmake
  DESTINATION ${LUT_CMAKE_PACKAGE_DIR})
