# Checks that the LutKernels archive ARCHIVE needs nothing beyond libc and
# libm: every symbol it leaves undefined (after those its own members define)
# must be in the list below, or belong to a sanitizer runtime in sanitized
# builds (including the __start_/__stop_ section bounds the linker defines
# for ASan's instrumented globals). Run by ctest (unit.LutKernels*.ArchiveDependencies):
#   cmake -DNM=<llvm-nm> -DARCHIVE=<libLutKernels.a> -P KernelsDeps.cmake
cmake_policy(SET CMP0057 NEW)
cmake_policy(SET CMP0007 NEW)
set(allowed memcpy memset memmove strcmp getenv strtol fmaf
  # Alloc.cpp: the models' buffer cache
  malloc calloc free aligned_alloc pthread_once pthread_key_create
  pthread_getspecific pthread_setspecific
  # Threads.cpp: weak references to libgomp's parallel region (the kernels
  # run on one thread when a model does not link libgomp)
  GOMP_parallel omp_get_thread_num omp_get_num_threads
  # Threads.cpp: the default thread count (the CPUs of the affinity mask)
  sched_getaffinity __sched_cpucount sysconf)
foreach(kind undefined defined)
  execute_process(COMMAND ${NM} --${kind}-only --format=just-symbols ${ARCHIVE}
    OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${ARCHIVE}")
  endif()
  string(REGEX REPLACE "[^\n]*:\n" "" out "${out}") # member headers
  string(REPLACE "\n" ";" ${kind} "${out}")
endforeach()
list(REMOVE_DUPLICATES undefined)
list(REMOVE_ITEM undefined ${defined} "")
set(bad)
foreach(sym ${undefined})
  if(NOT sym IN_LIST allowed AND NOT sym MATCHES "^__(asan|ubsan|sanitizer|sancov|msan|tsan)_"
     AND NOT sym MATCHES "^__(start|stop)_+(asan|sancov)")
    list(APPEND bad ${sym})
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "${ARCHIVE} needs symbols beyond libc/libm: ${bad}")
endif()
list(LENGTH undefined count)
message(STATUS "${ARCHIVE}: ${count} external symbol(s), all from libc/libm: ${undefined}")
