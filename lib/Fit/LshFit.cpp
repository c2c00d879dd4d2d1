//===- LshFit.cpp - post-training fitting of LookupFFN tables -------------===//
#include "lut/Fit/LshFit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <cblas.h>

using namespace lut::fit;

void lut::fit::matmul(const Matrix &a, const Matrix &b, Matrix &c, bool accumulate) {
  if (!accumulate || c.rows != a.rows || c.cols != b.cols)
    c = Matrix(a.rows, b.cols);
  if (a.rows == 0 || b.cols == 0 || a.cols == 0)
    return;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a.rows, (int)b.cols,
              (int)a.cols, 1.0f, a.data.data(), (int)a.cols, b.data.data(), (int)b.cols,
              accumulate ? 1.0f : 0.0f, c.data.data(), (int)c.cols);
}

namespace {

double columnNorm(const Matrix &w, int64_t j) {
  double n = 0;
  for (int64_t i = 0; i < w.rows; ++i)
    n += (double)w.row(i)[j] * w.row(i)[j];
  return std::sqrt(n);
}

double rowNorm(const Matrix &w, int64_t j) {
  double n = 0;
  for (int64_t m = 0; m < w.cols; ++m)
    n += (double)w.row(j)[m] * w.row(j)[m];
  return std::sqrt(n);
}

/// Hidden units ordered by decreasing importance: the product of the norms
/// of their columns in every matrix of `ins` and their row in `w2`.
std::vector<int64_t> rankUnits(std::initializer_list<const Matrix *> ins, const Matrix &w2) {
  int64_t f = w2.rows;
  std::vector<double> score(f);
  for (int64_t j = 0; j < f; ++j) {
    score[j] = rowNorm(w2, j);
    for (const Matrix *w : ins)
      score[j] *= columnNorm(*w, j);
  }
  std::vector<int64_t> order(f);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return score[a] > score[b]; });
  return order;
}

/// Sets hyperplane `c` of `out` to unit `j` of (w, b).
void setColumn(Hyperplanes &out, int64_t c, const Matrix &w, const std::vector<float> &b,
               int64_t j) {
  for (int64_t i = 0; i < w.rows; ++i)
    out.projection.row(i)[c] = w.row(i)[j];
  out.offset[c] = b.empty() ? 0.0f : b[j];
}

} // namespace

bool lut::fit::hiddenHyperplanes(const Matrix &w1, const std::vector<float> &b1,
                                 const Matrix &w2, int64_t count, Hyperplanes &out,
                                 std::string &error) {
  int64_t d = w1.rows, f = w1.cols;
  if (count > f) {
    error = "projection=hidden needs tables*bits <= d_ff (" + std::to_string(count) +
            " > " + std::to_string(f) + ")";
    return false;
  }
  std::vector<int64_t> order = rankUnits({&w1}, w2);
  out.projection = Matrix(d, count);
  out.offset.assign(count, 0.0f);
  for (int64_t c = 0; c < count; ++c)
    setColumn(out, c, w1, b1, order[c]);
  return true;
}

bool lut::fit::gatedHiddenHyperplanes(const Matrix &wg, const std::vector<float> &bg,
                                      const Matrix &wu, const std::vector<float> &bu,
                                      const Matrix &w2, int64_t count, Hyperplanes &out,
                                      std::vector<bool> &isGate, std::string &error) {
  int64_t d = wg.rows, f = wg.cols;
  if (count % 2 != 0 || count / 2 > f) {
    error = "projection=hidden on a gated FFN needs an even tables*bits <= 2*d_ff (" +
            std::to_string(count) + " with d_ff " + std::to_string(f) + ")";
    return false;
  }
  std::vector<int64_t> order = rankUnits({&wg, &wu}, w2);
  out.projection = Matrix(d, count);
  out.offset.assign(count, 0.0f);
  isGate.assign(count, false);
  for (int64_t u = 0; u < count / 2; ++u) {
    setColumn(out, 2 * u, wg, bg, order[u]);
    setColumn(out, 2 * u + 1, wu, bu, order[u]);
    isGate[2 * u] = true;
  }
  return true;
}

Hyperplanes lut::fit::randomHyperplanes(int64_t d, int64_t count,
                                        const std::vector<float> &mean, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  Hyperplanes hp;
  hp.projection = Matrix(d, count);
  for (float &v : hp.projection.data)
    v = g(rng);
  hp.offset.assign(count, 0.0f);
  for (int64_t c = 0; c < count; ++c) {
    double s = 0;
    for (int64_t i = 0; i < d; ++i)
      s += (double)mean[i] * hp.projection.row(i)[c];
    hp.offset[c] = (float)-s;
  }
  return hp;
}

void lut::fit::splitOffsets(Hyperplanes &hp, const Matrix &x, int64_t maxRows,
                            const std::vector<bool> &only) {
  int64_t n = maxRows > 0 ? std::min(maxRows, x.rows) : x.rows;
  if (n < 2)
    return;
  Matrix xs = sliceRows(x, 0, n), z;
  matmul(xs, hp.projection, z);
  std::vector<float> v(n);
  for (int64_t c = 0; c < z.cols; ++c) {
    if (!only.empty() && !only[c])
      continue;
    for (int64_t i = 0; i < n; ++i)
      v[i] = z.row(i)[c] + hp.offset[c];
    std::sort(v.begin(), v.end());
    // Prefix sums of f = max(v, 0) and f^2 over the sorted values.
    std::vector<double> s1(n + 1, 0.0), s2(n + 1, 0.0);
    for (int64_t i = 0; i < n; ++i) {
      double f = std::max(0.0f, v[i]);
      s1[i + 1] = s1[i] + f;
      s2[i + 1] = s2[i] + f * f;
    }
    auto sse = [&](int64_t a, int64_t b) { // [a, b)
      double m = b - a;
      if (m <= 0)
        return 0.0;
      double s = s1[b] - s1[a];
      return (s2[b] - s2[a]) - s * s / m;
    };
    double best = sse(0, n);
    int64_t at = -1;
    // Keep at least 1% of the rows on each side so every bit stays informative.
    int64_t lo = std::max<int64_t>(1, n / 100), hi = n - lo;
    for (int64_t i = lo; i < hi; ++i) {
      if (v[i] == v[i - 1])
        continue;
      double e = sse(0, i) + sse(i, n);
      if (e < best) {
        best = e;
        at = i;
      }
    }
    if (at > 0)
      hp.offset[c] -= 0.5f * (v[at - 1] + v[at]);
  }
}

std::vector<int32_t> lut::fit::encode(const Matrix &x, const Hyperplanes &hp, int64_t bits) {
  Matrix z;
  matmul(x, hp.projection, z);
  int64_t hk = hp.projection.cols, h = hk / bits;
  std::vector<int32_t> codes(x.rows * h);
  for (int64_t n = 0; n < x.rows; ++n) {
    const float *zr = z.row(n);
    for (int64_t t = 0; t < h; ++t) {
      int32_t c = 0;
      for (int64_t j = 0; j < bits; ++j)
        c |= (zr[t * bits + j] + hp.offset[t * bits + j] > 0.0f ? 1 : 0) << j;
      codes[n * h + t] = c;
    }
  }
  return codes;
}

LshTables lut::fit::fitTables(const std::vector<int32_t> &codes, int64_t h, int64_t r,
                              const Matrix &y, int sweeps, double ridge) {
  int64_t n = y.rows, m = y.cols;
  LshTables t;
  t.h = h;
  t.r = r;
  t.m = m;
  t.tables.assign(h * r * m, 0.0f);
  t.bias = columnMeans(y);
  // Residual, in double for stable accumulation over many sweeps.
  std::vector<double> res(n * m);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      res[i * m + j] = (double)y.row(i)[j] - t.bias[j];
  std::vector<double> sum(r * m);
  std::vector<int64_t> count(r);
  for (int s = 0; s < sweeps; ++s) {
    for (int64_t tb = 0; tb < h; ++tb) {
      float *tab = t.tables.data() + tb * r * m;
      std::fill(sum.begin(), sum.end(), 0.0);
      std::fill(count.begin(), count.end(), 0);
      for (int64_t i = 0; i < n; ++i) {
        int32_t c = codes[i * h + tb];
        double *sr = sum.data() + c * m;
        const float *old = tab + c * m;
        const double *rr = res.data() + i * m;
        for (int64_t j = 0; j < m; ++j)
          sr[j] += rr[j] + old[j]; // residual with this table's part added back
        ++count[c];
      }
      std::vector<float> next(r * m, 0.0f);
      for (int64_t c = 0; c < r; ++c)
        if (count[c] > 0)
          for (int64_t j = 0; j < m; ++j)
            next[c * m + j] = (float)(sum[c * m + j] / (count[c] + ridge));
      for (int64_t i = 0; i < n; ++i) {
        int32_t c = codes[i * h + tb];
        double *rr = res.data() + i * m;
        for (int64_t j = 0; j < m; ++j)
          rr[j] += (double)tab[c * m + j] - next[c * m + j];
      }
      std::copy(next.begin(), next.end(), tab);
    }
  }
  return t;
}

Matrix lut::fit::predict(const LshTables &t, const std::vector<int32_t> &codes, int64_t n) {
  Matrix y(n, t.m);
  for (int64_t i = 0; i < n; ++i) {
    float *yr = y.row(i);
    std::copy(t.bias.begin(), t.bias.end(), yr);
    for (int64_t tb = 0; tb < t.h; ++tb) {
      const float *row = t.tables.data() + (tb * t.r + codes[i * t.h + tb]) * t.m;
      for (int64_t j = 0; j < t.m; ++j)
        yr[j] += row[j];
    }
  }
  return y;
}

std::vector<float> lut::fit::columnMeans(const Matrix &x) {
  std::vector<double> s(x.cols, 0.0);
  for (int64_t i = 0; i < x.rows; ++i)
    for (int64_t j = 0; j < x.cols; ++j)
      s[j] += x.row(i)[j];
  std::vector<float> r(x.cols);
  for (int64_t j = 0; j < x.cols; ++j)
    r[j] = x.rows ? (float)(s[j] / x.rows) : 0.0f;
  return r;
}

double lut::fit::relativeMse(const Matrix &y, const Matrix &yHat) {
  std::vector<float> mean = columnMeans(y);
  double num = 0, den = 0;
  for (int64_t i = 0; i < y.rows; ++i)
    for (int64_t j = 0; j < y.cols; ++j) {
      double e = (double)y.row(i)[j] - yHat.row(i)[j];
      double v = (double)y.row(i)[j] - mean[j];
      num += e * e;
      den += v * v;
    }
  return den > 0 ? num / den : (num > 0 ? INFINITY : 0.0);
}

Matrix lut::fit::sliceRows(const Matrix &x, int64_t begin, int64_t end) {
  Matrix r(end - begin, x.cols);
  std::copy(x.data.begin() + begin * x.cols, x.data.begin() + end * x.cols, r.data.begin());
  return r;
}
