/* Compiled as C (not C++) to check that lut-c/Runtime.h is valid C and that
 * the API is usable from C. Called by RuntimeModelTest.cpp. */
#include "lut-c/Runtime.h"

#include <stddef.h>

/* Loads the add model at `path`, runs it on a = 1..6 and b = 10, and returns
 * 0 if sum[5] == 16 and num_positive == 6, or a nonzero step number. */
int lutCApiSmoke(const char *path) {
  int result = 0;
  float a[6] = {1, 2, 3, 4, 5, 6};
  float b[6] = {10, 10, 10, 10, 10, 10};
  const int64_t shape[2] = {2, 3};
  LutTensor *inputs[2] = {NULL, NULL};
  LutTensor *outputs[2] = {NULL, NULL};
  LutModel *model = lutModelLoad(path);
  if (!model)
    return 1;
  inputs[0] = lutTensorCreate(a, shape, 2, LUT_DTYPE_FLOAT, 0);
  inputs[1] = lutTensorCreate(b, shape, 2, LUT_DTYPE_FLOAT, 0);
  if (!inputs[0] || !inputs[1]) {
    result = 2;
  } else if (lutModelRun(model, inputs, 2, outputs, 2) != LUT_OK) {
    result = 3;
  } else {
    const float *sum = (const float *)lutTensorGetData(outputs[0]);
    const int64_t *count = (const int64_t *)lutTensorGetData(outputs[1]);
    if (sum[5] != 16.0f)
      result = 4;
    else if (*count != 6)
      result = 5;
    else if (lutTensorGetRank(outputs[1]) != 0)
      result = 6;
  }
  lutTensorDestroy(outputs[0]);
  lutTensorDestroy(outputs[1]);
  lutTensorDestroy(inputs[0]);
  lutTensorDestroy(inputs[1]);
  lutModelFree(model);
  return result;
}
