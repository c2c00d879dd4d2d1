//===- Errors.cpp - Status strings and the thread-local last error --------===//
//
// Implements the error part of include/lut-c/Runtime.h (lutGetLastError,
// lutGetLastStatus, lutStatusString) and the helpers of RuntimeImpl.h that
// record an error.
//
//===----------------------------------------------------------------------===//

#include "RuntimeImpl.h"

#include <string>
#include <utility>

namespace {

thread_local std::string lastError;
thread_local LutStatus lastStatus = LUT_OK;

} // namespace

namespace lut::runtime::impl {

LutStatus fail(LutStatus status, std::string message) {
  lastStatus = status;
  try {
    lastError = std::move(message);
  } catch (...) {
    // Could not even store the message; keep whatever was there.
  }
  return status;
}

const std::string &lastErrorMessage() { return lastError; }

void setLastErrorMessage(std::string message) {
  lastError = std::move(message);
}

} // namespace lut::runtime::impl

extern "C" {

const char *lutGetLastError(void) { return lastError.c_str(); }

LutStatus lutGetLastStatus(void) { return lastStatus; }

const char *lutStatusString(LutStatus status) {
  switch (status) {
  case LUT_OK:
    return "LUT_OK";
  case LUT_ERROR_INVALID_ARGUMENT:
    return "LUT_ERROR_INVALID_ARGUMENT";
  case LUT_ERROR_OUT_OF_MEMORY:
    return "LUT_ERROR_OUT_OF_MEMORY";
  case LUT_ERROR_LOAD:
    return "LUT_ERROR_LOAD";
  case LUT_ERROR_BAD_SIGNATURE:
    return "LUT_ERROR_BAD_SIGNATURE";
  case LUT_ERROR_MISMATCH:
    return "LUT_ERROR_MISMATCH";
  case LUT_ERROR_MODEL_FAILED:
    return "LUT_ERROR_MODEL_FAILED";
  case LUT_ERROR_UNSUPPORTED_CPU:
    return "LUT_ERROR_UNSUPPORTED_CPU";
  }
  return "LUT_ERROR_<unknown>";
}

} // extern "C"
