//===- TensorIOTestUtil.h - Fixtures of the TensorIO tests ------*- C++ -*-===//
#ifndef LUT_UNITTESTS_TENSORIOTESTUTIL_H
#define LUT_UNITTESTS_TENSORIOTESTUTIL_H

#include "lut/Runtime/TensorIO.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace lut::runtime::testing {

namespace fs = std::filesystem;

/// A fresh temporary directory per test, removed afterwards.
class TensorIOTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        std::string(info->test_suite_name()) + "." + info->name();
    for (char &c : name)
      if (c == '/')
        c = '_';
    dir = fs::temp_directory_path() /
          ("lut-tensorio-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string &file) const {
    return (dir / file).string();
  }

  void writeBytes(const std::string &file, const std::string &bytes) const {
    std::ofstream out(path(file), std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good());
  }

  fs::path dir;
};

/// A tensor of `shape` and `dtype` filled with random bytes (0/1 for bool).
inline TensorPtr randomTensor(LutDType dtype, const std::vector<int64_t> &shape,
                       uint32_t seed) {
  TensorPtr t(lutTensorCreateEmpty(shape.data(),
                                   static_cast<int64_t>(shape.size()), dtype));
  if (!t)
    return t;
  std::mt19937 rng(seed);
  auto *bytes = static_cast<unsigned char *>(lutTensorGetData(t.get()));
  size_t n = lutTensorGetSizeInBytes(t.get());
  for (size_t i = 0; i < n; ++i)
    bytes[i] = dtype == LUT_DTYPE_BOOL ? rng() & 1 : rng() & 0xff;
  return t;
}

} // namespace lut::runtime::testing

#endif
