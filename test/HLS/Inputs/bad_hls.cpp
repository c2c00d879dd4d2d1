// Every construct lint_hls.py must refuse (test/HLS/lint.test).
#include <cstdint>
#include <vector>

static int buffer_user(float a[16]) {
#pragma HLS resource variable=a core=RAM_1P
  float *p = (float *)malloc(64);
  float *q = new float[4];
  delete[] q;
  free(p);
  std::vector<int> v;
  return 0;
}

void top(float x[16], float y[16]) {
#pragma HLS INTERFACE mode=m_axi port=x offset=slave bundle=gmem0 depth=16
#pragma HLS ARRAY_PARTITION variable=x type=complete dim=1
#pragma HLS LOOP_MERGE
  int i = 0;
  while (i < 16) {
    y[i] = x[i];
    ++i;
  }
  for (int j = 0; x[j] > 0; ++j)
    y[j] = 0;
}

static void ping(int n);
static void pong(int n) { ping(n - 1); }
static void ping(int n) { pong(n); }

void flow(float x[16], float y[16]) {
#pragma HLS DATAFLOW
  float t[16];
  top(x, t);
  if (x[0] > 0)
    return;
  top(t, y);
}
