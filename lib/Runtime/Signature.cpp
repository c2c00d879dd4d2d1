//===- Signature.cpp - The `lut-model v1` signature of the model ABI ------===//
//
// Parses and validates the signature text a model library returns from
// lut_model_signature() (or that lutModelCreateFromSymbols is given) into the
// input and output records of RuntimeImpl.h. The grammar is in
// docs/Runtime.md.
//
//===----------------------------------------------------------------------===//

#include "RuntimeImpl.h"

#include <cctype>

#include <string>
#include <utility>
#include <vector>

namespace lut::runtime::impl {
namespace {

/// Parses a non-negative decimal integer that fits in int64 (no sign, no
/// spaces). Returns false otherwise.
bool parseNonNegative(const std::string &text, int64_t &value) {
  if (text.empty())
    return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    if (__builtin_mul_overflow(v, 10, &v) ||
        __builtin_add_overflow(v, static_cast<int64_t>(c - '0'), &v))
      return false;
  }
  value = v;
  return true;
}

} // namespace

/// The grammar (docs/Runtime.md):
///   lut-model v1
///   [target <triple> <cpu> (-|<feature>,<feature>,...)]
///   (input|output) <index> <dtype> (scalar|<d0>,<d1>,...) [<name>]
/// Blank lines are ignored; a trailing '\r' is stripped from each line. The
/// indices of each kind must be exactly 0..n-1, in any order, and there must
/// be at least one output.
LutStatus parseSignature(const char *text, std::vector<ValueInfo> &inputs,
                         std::vector<ValueInfo> &outputs, TargetInfo &target) {
  auto bad = [](size_t line, const std::string &msg) {
    return fail(LUT_ERROR_BAD_SIGNATURE, "malformed model signature, line " +
                                             std::to_string(line) + ": " + msg);
  };

  // Split into lines.
  std::vector<std::string> lines;
  {
    std::string current;
    for (const char *p = text; *p; ++p) {
      if (*p == '\n') {
        lines.push_back(std::move(current));
        current.clear();
      } else {
        current += *p;
      }
    }
    if (!current.empty())
      lines.push_back(std::move(current));
    for (std::string &line : lines)
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
  }

  // Header.
  size_t lineNo = 0;
  while (lineNo < lines.size() && lines[lineNo].empty())
    ++lineNo;
  if (lineNo == lines.size())
    return fail(LUT_ERROR_BAD_SIGNATURE,
                "malformed model signature: it is empty (expected a first "
                "line 'lut-model v1')");
  const std::string &header = lines[lineNo];
  if (header != "lut-model v1") {
    if (header.rfind("lut-model ", 0) == 0)
      return bad(lineNo + 1, "unsupported signature version '" +
                                 header.substr(10) +
                                 "' (this runtime reads 'lut-model v1')");
    return bad(lineNo + 1,
               "expected the header 'lut-model v1', got '" + header + "'");
  }

  // Records, indexed by kind and declared index.
  std::vector<std::pair<bool, ValueInfo>> declared[2]; // [0]=input [1]=output
  std::vector<size_t> declaredLine[2];
  TargetInfo parsedTarget;
  size_t targetLine = 0;
  for (++lineNo; lineNo < lines.size(); ++lineNo) {
    const std::string &line = lines[lineNo];
    const size_t ln = lineNo + 1;
    if (line.empty())
      continue;

    // target SP triple SP cpu SP features
    if (line.rfind("target ", 0) == 0) {
      if (targetLine)
        return bad(ln, "duplicate 'target' record (first on line " +
                           std::to_string(targetLine) + ")");
      std::vector<std::string> parts;
      size_t start = 7;
      while (start <= line.size()) {
        size_t sp = line.find(' ', start);
        parts.push_back(line.substr(start, sp == std::string::npos ? sp : sp - start));
        if (sp == std::string::npos)
          break;
        start = sp + 1;
      }
      if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
        return bad(ln, "expected 'target <triple> <cpu> <features|->', got '" +
                           line + "'");
      parsedTarget.triple = parts[0];
      parsedTarget.cpu = parts[1];
      if (parts[2] != "-") {
        size_t s0 = 0;
        while (true) {
          size_t comma = parts[2].find(',', s0);
          std::string f = parts[2].substr(s0, comma == std::string::npos ? comma : comma - s0);
          if (f.empty())
            return bad(ln, "empty feature name in '" + parts[2] + "'");
          parsedTarget.features.push_back(f);
          if (comma == std::string::npos)
            break;
          s0 = comma + 1;
        }
      }
      targetLine = ln;
      continue;
    }

    // kind SP index SP dtype SP shape [SP name...]
    std::string fields[4];
    size_t pos = 0;
    std::string name;
    for (int f = 0; f < 4; ++f) {
      size_t sp = line.find(' ', pos);
      fields[f] = line.substr(pos, sp == std::string::npos ? sp : sp - pos);
      if (fields[f].empty())
        return bad(ln, "expected '<input|output> <index> <dtype> "
                       "<shape> [<name>]', got '" +
                           line + "'");
      if (sp == std::string::npos) {
        if (f != 3)
          return bad(ln, "expected '<input|output> <index> <dtype> "
                         "<shape> [<name>]', got '" +
                             line + "'");
        pos = line.size();
      } else {
        pos = sp + 1;
        if (f == 3)
          name = line.substr(pos);
      }
    }

    int kind;
    if (fields[0] == "input")
      kind = 0;
    else if (fields[0] == "output")
      kind = 1;
    else
      return bad(ln, "unknown record kind '" + fields[0] +
                         "' (expected 'input' or 'output')");
    const char *kindName = kind == 0 ? "input" : "output";

    int64_t index;
    if (!parseNonNegative(fields[1], index) || index > 1000000)
      return bad(ln, "invalid " + std::string(kindName) + " index '" +
                         fields[1] + "'");

    ValueInfo info;
    info.name = std::move(name);
    info.dtype = lutDTypeFromName(fields[2].c_str());
    if (info.dtype == LUT_DTYPE_UNDEFINED)
      return bad(ln, "unknown or unsupported dtype '" + fields[2] + "'");

    if (fields[3] != "scalar") {
      size_t start = 0;
      while (true) {
        size_t comma = fields[3].find(',', start);
        std::string dim = fields[3].substr(
            start, comma == std::string::npos ? comma : comma - start);
        int64_t d;
        std::string dimName;
        if (!dim.empty() && dim[0] == '?') {
          // A dynamic dim, optionally named: `?` or `?batch`.
          d = -1;
          dimName = dim.substr(1);
          for (char c : dimName)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                  c == '.' || c == '-'))
              return bad(ln, "invalid dynamic dimension '" + dim + "' in shape '" +
                                 fields[3] + "'");
        } else if (!parseNonNegative(dim, d)) {
          return bad(ln, "invalid shape '" + fields[3] +
                             "' (expected 'scalar' or comma-separated "
                             "non-negative integers or '?NAME' dynamic dims)");
        }
        info.shape.push_back(d);
        info.dimNames.push_back(dimName);
        if (comma == std::string::npos)
          break;
        start = comma + 1;
      }
      if (info.shape.size() > LUT_MAX_RANK)
        return bad(ln, "rank " + std::to_string(info.shape.size()) +
                           " exceeds the maximum of " +
                           std::to_string(LUT_MAX_RANK));
    }
    if (!info.isDynamic()) {
      int64_t numElements;
      size_t sizeInBytes;
      if (computeSizes(info.shape.data(), static_cast<int64_t>(info.shape.size()),
                       info.dtype, numElements, sizeInBytes) != LUT_OK)
        return bad(ln, lastErrorMessage());
    }

    auto &slots = declared[kind];
    auto &slotLines = declaredLine[kind];
    size_t idx = static_cast<size_t>(index);
    if (idx >= slots.size()) {
      slots.resize(idx + 1);
      slotLines.resize(idx + 1, 0);
    }
    if (slots[idx].first)
      return bad(ln, "duplicate " + std::string(kindName) + " index " +
                         std::to_string(idx) + " (first declared on line " +
                         std::to_string(slotLines[idx]) + ")");
    slots[idx] = {true, std::move(info)};
    slotLines[idx] = ln;
  }

  for (int kind = 0; kind < 2; ++kind) {
    const char *kindName = kind == 0 ? "input" : "output";
    for (size_t i = 0; i < declared[kind].size(); ++i)
      if (!declared[kind][i].first)
        return fail(LUT_ERROR_BAD_SIGNATURE,
                    "malformed model signature: " + std::string(kindName) +
                        " " + std::to_string(declared[kind].size() - 1) +
                        " is declared but " + kindName + " " +
                        std::to_string(i) + " is missing");
  }
  if (declared[1].empty())
    return fail(LUT_ERROR_BAD_SIGNATURE,
                "malformed model signature: it declares no outputs");

  inputs.clear();
  outputs.clear();
  target = std::move(parsedTarget);
  for (auto &slot : declared[0])
    inputs.push_back(std::move(slot.second));
  for (auto &slot : declared[1])
    outputs.push_back(std::move(slot.second));
  return LUT_OK;
}

} // namespace lut::runtime::impl
